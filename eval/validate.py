"""The judge: the only place that decides whether a candidate is correct.

Every verification draws fresh inputs (and, with hidden configs, fresh hidden sizes within
the task's `[hidden.rules]`) from a secret seed, rescaled and shifted by secret
factors (so outputs hard-coded or tuned to one distribution, near-constant or near-identity,
do not pass), applies the backend's static checks to the source (what the task forbids),
runs the candidate in a sandboxed worker (outputs poisoned there before the run), computes
the reference here, compares with a dtype- and task-aware tolerance on every configuration
(hidden ones included for final verification), checks that inputs were left alone, and
rejects times below the roofline."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from eval.compare import TensorMismatch, compare
from isa.base import Target
from isa.harness import ConfigOutcome, Job, run_candidate
from isa.registry import backend_for
from sandbox import Sandbox
from tasks import Config, Task

VERDICT_SCHEMA_VERSION = 1


# What an agent (or a person without the owner's view) learns of a failed hidden config.
FAILURE_KINDS = ("mismatch", "fault", "rejected", "missing")


@dataclass
class ConfigVerdict:
    name: str
    hidden: bool
    passed: bool
    sizes: dict[str, int] = field(default_factory=dict)  # the owner's record (drawn sizes)
    kind: str = ""  # why it failed, one of FAILURE_KINDS; "" when it passed
    measure: float | None = None
    unit: str = ""
    roofline: float | None = None
    error: str = ""  # compile/runtime error or rejection reason, one sentence
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    counters: dict[str, Any] = field(default_factory=dict)
    summary: str = ""  # what a person or agent reads

    @property
    def roofline_pct(self) -> float | None:
        """Only a correct config has a share of roofline (the judge rejects faster times)."""
        if self.passed and self.measure and self.roofline:
            return 100.0 * self.roofline / self.measure
        return None

    def public_summary(self) -> str:
        """The summary anyone may read: for a hidden config, only that it failed and how
        (never its sizes, indices or values)."""
        if not self.hidden:
            return self.summary
        return "correct" if self.passed else f"a hidden configuration failed ({self.kind})"


@dataclass
class Verdict:
    compiled: bool
    valid: bool
    reason: str  # one sentence: why not valid, or "valid on N configs"
    configs: list[ConfigVerdict] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    compile_error: str = ""
    schema_version: int = VERDICT_SCHEMA_VERSION
    # realistic-size estimates (the task's GPU sizes, sampled blocks) that score an `emu` run
    estimates: list[ConfigVerdict] = field(default_factory=list)
    estimate_error: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def visible_measures(self) -> dict[str, float]:
        """What a speed-up is computed from: the realistic-size estimates when there are
        any, else the visible configs' measures."""
        if self.estimates or self.estimate_error:  # no estimate: no speed-up
            return {c.name: c.measure for c in self.estimates if c.measure is not None}
        return {
            c.name: c.measure
            for c in self.configs
            if not c.hidden and c.measure is not None and c.passed
        }

    def describe(self, show_hidden: bool = False) -> str:
        """A short report for a person or an agent (hidden configs in detail only for the
        owner, with `show_hidden`)."""
        lines = [self.reason]
        for c in self.configs:
            if c.hidden and not show_hidden:
                continue
            lines.append(f"- {c.name}: {c.summary}")
        if self.estimates:
            lines.append("realistic-size estimates (sampled blocks; these are scored):")
            lines += [f"- {c.name}: {c.summary}" for c in self.estimates]
        elif self.estimate_error:
            lines.append(f"no realistic-size estimate ({self.estimate_error}); scored on the above")
        return "\n".join(lines)


# Per verification, each input's spread is scaled by a factor in [1/2, 2] and its centre
# moved by up to a quarter of its spread: a kernel cannot learn the distribution.
SPREAD_FACTOR = 2.0
CENTRE_SHIFT = 0.25


def format_measure(value: float) -> str:
    """Cycles print whole; microseconds of small kernels keep three significant digits."""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _config_inputs(task: Task, cfg: Config, seed: int, index: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, index])
    inputs = task.make_inputs(cfg, rng)
    for decl in task.tensors:
        if decl.role != "input":
            continue
        d = decl.dist
        factor = float(np.exp(rng.uniform(-np.log(SPREAD_FACTOR), np.log(SPREAD_FACTOR))))
        low = 0.0 if d.positive else -CENTRE_SHIFT  # positive inputs only move up
        offset = float(rng.uniform(low, CENTRE_SHIFT)) * d.scale
        x = inputs[decl.name].astype(np.float64)
        inputs[decl.name] = (d.shift + (x - d.shift) * factor + offset).astype(np.float32)
    return inputs


def static_findings(task: Task, target: Target, source: str) -> list[str]:
    """What the backend's static check (optional `Backend.static_check`) finds in `source`
    among the things the task forbids."""
    backend = backend_for(target)
    check = getattr(backend, "static_check", None)
    if check is None:
        return []  # called even when the task forbids nothing: a target may always forbid some
    findings: list[str] = check(target, source, tuple(task.manifest.forbid))
    return findings


def verify(
    task: Task,
    target: Target,
    source: str,
    *,
    hidden: bool = True,
    seed: int | None = None,
    sandbox: Sandbox | None = None,
    configs: list[Config] | None = None,
    executor: str = "",
    realistic: bool | None = None,
) -> Verdict:
    """Judge `source` on the task's visible configs (and hidden ones when `hidden`), on
    `executor` (default: the target's best one here, which also picks the configs).

    When it is correct and the target estimates time at realistic sizes on `executor`
    (`eval.realistic`), the estimates at the task's GPU configs are added and scored;
    `realistic` defaults to doing so when all the task's configs are judged."""
    backend = backend_for(target)
    executor = executor or backend.executors(target)[0]
    secret = secrets.randbits(63) if seed is None else seed
    # Hidden sizes are drawn from the secret too: besides the fixed ones, no file holds them.
    chosen = configs if configs is not None else task.configs_for(executor, hidden, secret)
    forbidden = static_findings(task, target, source)
    if forbidden:
        return Verdict(
            compiled=False, valid=False, reason="rejected by static check: " + "; ".join(forbidden)
        )
    inputs = {c.name: _config_inputs(task, c, secret, i) for i, c in enumerate(chosen)}
    jobs = [Job(c.name, task.interface(c), inputs[c.name]) for c in chosen]
    outcome = run_candidate(target, source, jobs, mode="run", sandbox=sandbox, executor=executor)
    if outcome.harness_error:
        return Verdict(compiled=False, valid=False, reason=outcome.harness_error)
    by_name = {o.name: o for o in outcome.configs}
    first = outcome.configs[0] if outcome.configs else None
    if first is not None and first.error and first.error.get("kind") == "CompileError":
        msg = first.error_text
        return Verdict(
            compiled=False, valid=False, reason=f"does not compile: {msg}", compile_error=msg
        )
    tolerance = task.tolerance(backend.precision)
    verdicts: list[ConfigVerdict] = []
    for cfg in chosen:
        result = by_name.get(cfg.name)
        bound = backend.roofline(target, task.work(cfg), executor)
        verdicts.append(_judge_config(task, cfg, inputs[cfg.name], result, bound, tolerance))
    failed = [v for v in verdicts if not v.passed]
    if failed:
        f = failed[0]
        what = f.public_summary() if f.hidden else f"{f.name}: {f.error or f.summary}"
        reason = f"failed on {len(failed)} of {len(verdicts)} configs; {what}"
    else:
        n = len(verdicts)
        reason = f"valid on all {n} configs" if n > 1 else "valid on its one config"
    verdict = Verdict(
        compiled=True,
        valid=not failed,
        reason=reason,
        configs=verdicts,
        diagnostics=first.diagnostics if first else {},
    )
    if not failed and (configs is None if realistic is None else realistic):
        from eval.realistic import add_estimates

        add_estimates(verdict, task, target, source, executor, sandbox)
    return verdict


def _judge_config(
    task: Task,
    cfg: Config,
    inputs: dict[str, np.ndarray],
    result: ConfigOutcome | None,
    bound: float,
    tol: Any,
) -> ConfigVerdict:
    verdict = _judge(task, cfg, inputs, result, bound, tol)
    if result is not None and not cfg.hidden:  # what the kernel printed, and notes on it
        for note in result.counters.get("notes", []):
            verdict.summary += f"\n  note: {note}"
        if result.counters.get("printf"):
            verdict.summary += "\n  printf output:\n" + str(result.counters["printf"])
    return verdict


def _judge(
    task: Task,
    cfg: Config,
    inputs: dict[str, np.ndarray],
    result: ConfigOutcome | None,
    bound: float,
    tol: Any,
) -> ConfigVerdict:
    verdict = ConfigVerdict(
        name=cfg.name, hidden=cfg.hidden, passed=False, sizes=dict(cfg.sizes), roofline=bound
    )
    verdict.kind = "missing"
    if result is None:
        verdict.error = verdict.summary = "no result came back for this config"
        return verdict
    verdict.measure, verdict.unit = result.measure, result.unit
    verdict.counters, verdict.findings = result.counters, result.findings
    if result.error:
        verdict.kind = "fault"
        verdict.error = verdict.summary = result.error_text
        return verdict
    if result.findings:
        verdict.kind = "rejected"
        verdict.error = verdict.summary = "rejected: " + "; ".join(result.findings)
        return verdict
    expected = task.reference(inputs, cfg)
    mismatches: list[TensorMismatch] = [
        compare(name, result.outputs.get(name), exp, tol) for name, exp in expected.items()
    ]
    verdict.mismatches = [asdict(m) for m in mismatches]
    wrong = [m for m in mismatches if not m.passed]
    if wrong:
        verdict.kind = "mismatch"
        verdict.summary = "; ".join(m.describe() for m in wrong)
        flat = [
            name
            for name, exp in expected.items()
            if _nearly_constant(result.outputs.get(name), exp)
        ]
        if flat:
            verdict.summary = f"output {', '.join(flat)} is nearly constant; " + verdict.summary
        return verdict
    if result.measure is not None and result.measure < bound * (1 - 1e-9):
        verdict.kind = "rejected"
        verdict.error = verdict.summary = (
            f"rejected: {format_measure(result.measure)} {result.unit} is below the roofline "
            f"bound of {format_measure(bound)}, which no correct kernel can beat"
        )
        return verdict
    verdict.passed, verdict.kind = True, ""
    pct = verdict.roofline_pct
    measure = format_measure(result.measure) if result.measure is not None else "-"
    verdict.summary = f"correct; {measure} {result.unit}" + (
        f" ({pct:.1f}% of roofline)" if pct is not None else ""
    )
    return verdict


def _nearly_constant(got: np.ndarray | None, expected: np.ndarray) -> bool:
    """The output hardly varies where the expected one does (a guess, not a computation)."""
    if got is None or got.size < 2 or got.shape != expected.shape:
        return False
    values = got.astype(np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size < max(2, got.size // 2):
        return False  # mostly unwritten: the NaN report says more
    wanted = float(np.std(expected))
    return bool(wanted > 0 and float(np.std(values)) < 1e-3 * wanted)
