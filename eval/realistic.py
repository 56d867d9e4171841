"""Realistic-size estimates: on an executor that estimates time rather than measuring it
(`emu` on NVIDIA), a correct candidate is also timed at the task's GPU sizes
(`[gpu.configs]`) by a backend's `estimate` (sampled blocks, outputs not checked), and those
estimates are what its speed-up and % of roofline come from; a correct candidate whose
estimate fails gets no speed-up. Correctness stays with the full emulation of the visible
and hidden configs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from isa.base import Target
from isa.harness import Job, run_candidate
from isa.registry import backend_for
from sandbox import Sandbox
from tasks import Config, Task

if TYPE_CHECKING:
    from eval.validate import Verdict


def realistic_configs(task: Task, target: Target, executor: str) -> list[Config]:
    """The configs a run on `executor` is scored at when they are not the judged ones."""
    backend = backend_for(target)
    executor = executor or backend.executors(target)[0]
    if executor == "gpu" or task.manifest.gpu is None:
        return []
    if not callable(getattr(backend, "estimate", None)):
        return []
    return task.configs_for("gpu")


def add_estimates(
    verdict: Verdict,
    task: Task,
    target: Target,
    source: str,
    executor: str,
    sandbox: Sandbox | None = None,
) -> None:
    """Fill `verdict.estimates` (or `verdict.estimate_error`)."""
    from eval.validate import ConfigVerdict, format_measure

    chosen = realistic_configs(task, target, executor)
    if not chosen:
        return
    backend = backend_for(target)
    jobs = [Job(c.name, task.interface(c)) for c in chosen]
    outcome = run_candidate(
        target, source, jobs, mode="estimate", sandbox=sandbox, executor=executor
    )
    if outcome.harness_error:
        verdict.estimate_error = outcome.harness_error
        return
    by_name = {o.name: o for o in outcome.configs}
    estimates = []
    for cfg in chosen:
        o = by_name.get(cfg.name)
        if o is None or o.error or o.measure is None:
            verdict.estimate_error = f"{cfg.name}: " + (
                o.error_text if o is not None and o.error else "no estimate came back"
            )
            return
        bound = backend.roofline(target, task.work(cfg), executor)
        c = ConfigVerdict(
            name=cfg.name,
            hidden=False,
            passed=True,
            measure=o.measure,
            unit=o.unit,
            roofline=bound,
            counters=o.counters,
        )
        pct = c.roofline_pct
        sizes = ", ".join(f"{k}={v}" for k, v in cfg.sizes.items())
        c.summary = f"{sizes}: {format_measure(o.measure)} {o.unit} estimated" + (
            f" ({pct:.1f}% of roofline)" if pct is not None else ""
        )
        estimates.append(c)
    verdict.estimates = estimates
