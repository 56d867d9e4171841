"""The Ray engine: each trial of a run is a Ray task, so a run spreads over a cluster.

A trial runs on a Ray worker exactly as on the local pool (`runner.run_trial`): the worker
opens the run's store itself, appends the transcript as it goes and saves the finished trial
(an insert that ignores a key already stored, so a trial is written once whatever is retried).
Ray reruns a trial whose worker died; the rerun clears the partial transcript in one
transaction before its first step. The driver only plans, shows progress and cancels.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eval.records import ERROR, TrialKey, TrialRecord
from eval.store import Store
from sandbox import isolation
from tasks import Task, load_task

RAY_EXTRA_HINT = "pip install 'kernelwright[ray]'"
# Ray reruns a trial whose worker process or node died this many times before giving up.
TRIAL_RETRIES = 3
# Variables a trial needs on a worker node: kernelwright's own settings and the model keys.
FORWARDED_ENV_PREFIXES = ("KERNELWRIGHT_",)
FORWARDED_ENV = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_COMPATIBLE_API_KEY")
# A runtime started here (no --ray-address) listens on loopback only. Ray turns 127.0.0.1
# into the machine's outward address, so it gets another address of the loopback range.
LOCAL_NODE_IP = "127.0.0.2"


class RayEngineError(ValueError):
    """A Ray run that cannot start or go on; one sentence."""


@dataclass(frozen=True)
class Refused:
    """A worker node that cannot isolate candidates refuses the trial; nothing is stored."""

    key: TrialKey
    reason: str


def family_resource(family: str) -> str:
    """The custom resource a node declares to take trials of a target family, e.g.
    `ray start --resources '{"kernelwright-nvidia": 2}'`."""
    return f"kernelwright-{family}"


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayEngineError(f"the ray engine needs Ray: {RAY_EXTRA_HINT}") from None
    return ray


def _forwarded_env() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name.startswith(FORWARDED_ENV_PREFIXES) or name in FORWARDED_ENV
    }


def connect(address: str) -> None:
    """Join the cluster at `address` (`auto`, `HOST:PORT`, `ray://HOST:PORT`), or start a
    runtime on this machine when it is empty. A runtime this process has already joined
    (tests, notebooks) is used as it is."""
    ray = _ray()
    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reports home on a user's behalf
    common: dict[str, Any] = {
        "runtime_env": {"env_vars": _forwarded_env()},
        "log_to_driver": False,
        "configure_logging": False,
    }
    try:
        if address:
            ray.init(address=address, **common)
        else:
            ray.init(include_dashboard=False, _node_ip_address=LOCAL_NODE_IP, **common)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"at {address}" if address else "on this machine"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RayEngineError(f"cannot reach a Ray cluster {where}: {first}") from None


def alive_nodes() -> int:
    return sum(1 for node in _ray().nodes() if node.get("Alive"))


def check_store(store: Store) -> None:
    """A cluster of several nodes needs a database every node reaches: SQLite is a file on
    one machine, so it is refused there."""
    nodes = alive_nodes()
    if store.url.get_backend_name() == "sqlite" and nodes > 1:
        raise RayEngineError(
            f"the Ray cluster has {nodes} nodes, and a SQLite file is on one machine only: "
            "pass --db postgresql://USER@HOST/DB (a PostgreSQL server every node reaches)"
        )


def _resources(family: str, executor: str) -> dict[str, Any]:
    ray = _ray()
    options: dict[str, Any] = {"num_cpus": 1, "max_retries": TRIAL_RETRIES}
    if executor == "gpu":
        options["num_gpus"] = 1
    custom = family_resource(family)
    if custom in ray.cluster_resources():  # spread only where the cluster declares it
        options["resources"] = {custom: 1}
    return options


_STORES: dict[str, Store] = {}  # one connection pool per worker process and database


def _worker_store(url: str) -> Store:
    if url not in _STORES:
        _STORES[url] = Store(url)
    return _STORES[url]


def trial_on_worker(
    task_id: str, only: tuple[str, ...] | None, key: TrialKey, url: str
) -> TrialRecord | Refused:
    """What a Ray worker does for one trial (module-level so workers import it by name)."""
    from eval.runner import run_trial  # the runner imports this module

    if refused := isolation.refusal():
        return Refused(key, f"node {socket.gethostname()} refused the trial: {refused}")
    task = load_task(task_id)
    if only is not None:
        task = task.restricted(list(only))
    store = _worker_store(url)
    record = run_trial(task, key, store)
    record.id = store.save_trial(record)
    return record


def _lost(key: TrialKey, exc: BaseException, crashed: bool) -> TrialRecord:
    """A trial that no worker finished: stored as a harness error with the reason."""
    cause = getattr(exc, "cause", None) or exc
    text = str(cause).strip()
    detail = text.splitlines()[-1] if text else type(cause).__name__
    if crashed:
        reason = f"the Ray worker running the trial died {TRIAL_RETRIES + 1} times: {detail}"
    else:
        reason = f"the trial failed on its Ray worker: {type(cause).__name__}: {detail}"
    return TrialRecord(key=key, status=ERROR, reason=reason[:500])


def execute(
    todo: list[tuple[Task, TrialKey]],
    store: Store,
    family: str,
    executor: str,
    in_flight: int = 0,
) -> Iterator[TrialRecord | Refused]:
    """Run `todo` as Ray tasks and yield each trial as it finishes (`in_flight` caps how
    many are submitted at once; 0: all, and Ray's resources decide what runs). On Ctrl-C or
    any other interruption of the driver, every outstanding trial is cancelled."""
    ray = _ray()
    remote = ray.remote(trial_on_worker).options(**_resources(family, executor))
    url = store.url.render_as_string(hide_password=False)
    queue = list(todo)
    pending: dict[Any, TrialKey] = {}
    try:
        while queue or pending:
            while queue and (in_flight <= 0 or len(pending) < in_flight):
                task, key = queue.pop(0)
                pending[remote.remote(task.id, task.only, key, url)] = key
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                key = pending.pop(ref)
                try:
                    yield ray.get(ref)
                except ray.exceptions.RayError as exc:
                    crashed = not isinstance(exc, ray.exceptions.RayTaskError)
                    record = _lost(key, exc, crashed)
                    record.id = store.save_trial(record)
                    yield record
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
