"""Trials and suites: plan the trials of a run, skip those the store already has, run the
rest (a local pool, or Ray for a cluster: `eval.ray_engine`), and write each trial as it
finishes so a killed run resumes cleanly."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agents.base import AgentError, TrialContext
from agents.models import ModelConfigError, check_model
from agents.registry import make_agent
from eval.baseline import baseline_measures
from eval.records import ERROR, INVALID, VALID, TrialKey, TrialRecord
from eval.score import roofline_pct, speedup
from eval.store import Store
from eval.validate import verify
from isa.base import Target
from isa.registry import backend_for
from sandbox import isolation
from tasks import Task, load_suite


class RunError(ValueError):
    """A run that cannot start (bad agent, model or executor); one sentence."""


ENGINES = ("local", "ray")


@dataclass(frozen=True)
class RunSpec:
    suite: str
    target: str
    agent: str
    model: str = ""
    run_name: str = ""
    executor: str = ""
    seeds: int = 1
    jobs: int = 1  # local: trials in parallel; ray: most trials in flight (0: no cap)
    engine: str = "local"  # local | ray
    ray_address: str = ""  # ray: the cluster to join; empty starts a runtime here

    def name(self) -> str:
        if self.run_name:
            return self.run_name
        parts = [self.suite, self.target, self.agent] + ([self.model] if self.model else [])
        return "-".join(p.replace(":", "_").replace("/", "_") for p in parts)


@dataclass
class RunSummary:
    run: str
    planned: int
    skipped: int
    done: list[TrialRecord]
    refused: list[str] = field(default_factory=list)  # ray: trials nodes could not isolate


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def plan(spec: RunSpec, tasks: list[Task], executor: str) -> list[tuple[Task, TrialKey]]:
    return [
        (task, TrialKey(spec.name(), task.id, spec.target, executor, spec.agent, spec.model, seed))
        for task in tasks
        for seed in range(spec.seeds)
    ]


def run_trial(task: Task, key: TrialKey, store: Store) -> TrialRecord:
    """One trial end to end. Never raises: failures become stored reasons.

    An unfinished trial (a killed run) restarts from its first step: the events it left
    are deleted in one transaction first, so its transcript is never stored twice."""
    store.clear_events(key)
    started = time.monotonic()
    record = TrialRecord(key=key, status=ERROR, started_at=_now())
    seq = iter(range(1_000_000))

    def on_event(kind: str, payload: dict[str, Any]) -> None:
        store.append_event(key, next(seq), kind, payload)

    try:
        target = Target.parse(key.target)
        backend = backend_for(target)
        agent = make_agent(key.agent)
        ctx = TrialContext(
            task=task,
            target=target,
            backend=backend,
            model=key.model or None,
            seed=key.seed,
            on_event=on_event,
        )
        submission = agent.solve(ctx)
        record.source = submission.source
        record.steps = submission.steps
        record.tokens_in, record.tokens_out = submission.tokens_in, submission.tokens_out
        record.cost_usd = submission.cost_usd
        verdict = verify(task, target, submission.source, hidden=True, executor=key.executor)
        record.verdict = verdict.to_json()
        record.unit = backend.unit
        record.measures = verdict.visible_measures()
        if verdict.valid:
            record.status = VALID
            record.first_valid_step = submission.first_valid_step or submission.steps
            base = baseline_measures(task, target, key.executor, store)
            record.speedup = speedup(record.measures, base) if base else None
            record.roofline_pct = roofline_pct(verdict)
        else:
            record.status = INVALID
            record.reason = verdict.reason
    except AgentError as exc:
        record.status, record.reason = INVALID, f"the agent gave up: {exc}"
    except Exception as exc:  # a harness bug must not lose the run; keep the evidence
        record.status = ERROR
        record.reason = f"internal error: {type(exc).__name__}: {exc}"
        record.verdict = {"traceback": traceback.format_exc(limit=10)}
    record.wall_s = round(time.monotonic() - started, 3)
    record.finished_at = _now()
    return record


def skipped_tasks(spec: RunSpec) -> list[tuple[str, str]]:
    """(task id, reason) for every task of the suite that cannot run on the run's target."""
    family = Target.parse(spec.target).family
    return [
        (t.id, reason)
        for t in load_suite(spec.suite)
        if (reason := t.unsupported_reason(family)) is not None
    ]


def check_spec(spec: RunSpec) -> tuple[list[Task], str]:
    """Validate a run before any work starts; returns its tasks and executor."""
    target = Target.parse(spec.target)
    backend = backend_for(target)
    agent = make_agent(spec.agent)
    if agent.needs_model and not spec.model:
        raise RunError(f"agent '{spec.agent}' needs --model")
    if spec.model and not agent.needs_model:
        raise RunError(f"agent '{spec.agent}' uses no model; --model is only for the llm agent")
    if agent.needs_model:
        try:
            check_model(spec.model)  # a bad name or a missing API key stops here, not per trial
        except ModelConfigError as exc:
            raise RunError(str(exc)) from None
    available = backend.executors(target)
    executor = spec.executor or available[0]
    if executor not in available:
        raise RunError(
            f"executor '{executor}' is not available for {target.name} here; "
            f"available: {', '.join(available)}"
        )
    tasks = [t for t in load_suite(spec.suite) if t.supports(target.family)]
    if not tasks:
        raise RunError(f"no task of suite '{spec.suite}' supports target {target.name}")
    if spec.seeds < 1 or spec.jobs < (0 if spec.engine == "ray" else 1):
        raise RunError("--seeds and --jobs must be at least 1")
    if spec.engine not in ENGINES:
        raise RunError(f"unknown engine '{spec.engine}'; known: {', '.join(ENGINES)}")
    if spec.engine == "local" and (refused := isolation.refusal()):
        raise RunError(refused)  # on Ray, each worker node checks for itself
    return tasks, executor


def run_suite(
    spec: RunSpec,
    store: Store,
    on_trial: Callable[[TrialRecord], None] | None = None,
    on_plan: Callable[[int, int], None] | None = None,
    on_refused: Callable[[TrialKey, str], None] | None = None,
) -> RunSummary:
    tasks, executor = check_spec(spec)
    if spec.engine == "ray":
        _join_ray(spec, store)
    run_name = spec.name()
    store.ensure_run(
        run_name,
        {
            "suite": spec.suite,
            "target": spec.target,
            "agent": spec.agent,
            "model": spec.model,
            "executor": executor,
        },
    )
    finished = store.finished_keys(run_name)
    todo = [(t, k) for t, k in plan(spec, tasks, executor) if k not in finished]
    planned = len(tasks) * spec.seeds
    if on_plan:
        on_plan(planned, planned - len(todo))
    summary = RunSummary(run_name, planned, planned - len(todo), [])
    for record in _execute(spec, todo, store, executor):
        if isinstance(record, TrialRecord):
            store.save_trial(record)  # a no-op for a trial a Ray worker saved already
            summary.done.append(record)
            if on_trial:
                on_trial(record)
        else:
            summary.refused.append(f"{record.key.task}: {record.reason}")
            if on_refused:
                on_refused(record.key, record.reason)
    return summary


def _join_ray(spec: RunSpec, store: Store) -> None:
    from eval import ray_engine

    try:
        ray_engine.connect(spec.ray_address)
        ray_engine.check_store(store)
    except ray_engine.RayEngineError as exc:
        raise RunError(str(exc)) from None


def _execute(
    spec: RunSpec, todo: list[tuple[Task, TrialKey]], store: Store, executor: str
) -> Iterator[Any]:
    """Trials as they finish (`ray_engine.Refused` for those a Ray node refused)."""
    if spec.engine == "ray":
        from eval import ray_engine

        family = Target.parse(spec.target).family
        yield from ray_engine.execute(todo, store, family, executor, in_flight=spec.jobs)
        return
    jobs = spec.jobs
    if jobs == 1:
        for task, key in todo:
            yield run_trial(task, key, store)
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        pending: set[Future[TrialRecord]] = set()
        queue = list(todo)
        while queue or pending:
            while queue and len(pending) < jobs:
                task, key = queue.pop(0)
                pending.add(pool.submit(run_trial, task, key, store))
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
