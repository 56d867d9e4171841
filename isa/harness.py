"""The judge's side of the worker: prepares a private work directory, runs `isa.worker` in a
sandbox, and reads back outputs and measurements. The judge never imports candidate code."""

from __future__ import annotations

import compileall
import json
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

import numpy as np

from isa import compile_cache
from isa.base import KernelInterface, Target
from isa.registry import BACKENDS, backend_for
from sandbox import Limits, Sandbox, get_sandbox


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez with its keyword-array form, typed."""
    cast(Any, np.savez)(path, **arrays)


DEFAULT_LIMITS = Limits(wall_s=120, cpu_s=120, memory_mb=4096)
# A CUDA context reserves far more address space than it uses; memory stays bounded by the
# device, so the gpu executor gets a wall clock for timing and a huge address-space limit.
GPU_LIMITS = Limits(wall_s=600, cpu_s=600, memory_mb=1 << 24)
CACHE_ENV = "KERNELWRIGHT_CACHE_DIR"
# Set for a worker that must not run candidate code: its compile products come from the
# cache the judge seeded (a backend whose compile runs candidate code refuses to compile).
COMPILED_ONLY_ENV = "KERNELWRIGHT_COMPILED_ONLY"


def compile_cache_dir() -> Path:
    """The compile cache: the judge's (see `isa.compile_cache`); inside a worker, the private
    copy the judge gave it."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kernelwright"


@dataclass
class ConfigOutcome:
    name: str
    ok: bool
    error: dict[str, Any] | None = None  # {"message", "line", "kind"}
    diagnostics: dict[str, Any] = field(default_factory=dict)
    measure: float | None = None
    unit: str = ""
    counters: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    outputs: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def error_text(self) -> str:
        if not self.error:
            return ""
        line = self.error.get("line")
        prefix = f"line {line}: " if line is not None else ""
        return prefix + str(self.error.get("message", ""))


@dataclass
class WorkerOutcome:
    """`harness_error` is set when the worker itself failed (timeout, crash, OOM)."""

    configs: list[ConfigOutcome]
    harness_error: str = ""
    wall_s: float = 0.0


@dataclass(frozen=True)
class Job:
    name: str
    iface: KernelInterface
    inputs: dict[str, np.ndarray] | None = None


def run_candidate(
    target: Target,
    source: str,
    jobs: list[Job],
    *,
    mode: str = "run",
    sandbox: Sandbox | None = None,
    limits: Limits | None = None,
    executor: str = "",
) -> WorkerOutcome:
    """Compile (mode "compile"), compile and run (mode "run"), or compile and estimate the
    time at the job's sizes without checking outputs (mode "estimate", for backends with an
    `estimate` method: the realistic-size estimate) `source` for each job, on `executor`
    (default: the target's best one here).

    `limits` default to GPU_LIMITS for runs on a GPU, else the backend's own
    (`Backend.limits`, optional), else DEFAULT_LIMITS."""
    backend = backend_for(target)
    executor = executor or backend.executors(target)[0]
    if limits is not None:
        chosen = limits
    elif executor == "gpu" and mode == "run":
        chosen = GPU_LIMITS
    else:
        chosen = getattr(backend, "limits", DEFAULT_LIMITS)
    if not isinstance(chosen, Limits):
        raise TypeError(f"{backend.family}: Backend.limits must be a sandbox Limits")
    sandbox = sandbox or get_sandbox("local")
    kept = compile_cache.source_folder(compile_cache_dir(), target.name, source)
    if mode in ("run", "estimate") and getattr(backend, "compile_runs_candidate_code", False):
        compiled_in = getattr(backend, "compiled_in", None)
        if callable(compiled_in) and compiled_in(target, source, [j.iface for j in jobs], kept):
            only = {COMPILED_ONLY_ENV: "1"}  # a worker that refuses to compile: no candidate code
            return _run_worker(
                target, backend, source, jobs, mode, executor, sandbox, chosen, kept, only
            )
        # Candidate code runs at compile time (Triton imports the file): compile in a
        # sandbox of its own, without inputs, and run from its products in a second one
        # where no candidate code runs, so nothing of the candidate can reach the result.
        # When the cache has every product already (`Backend.compiled_in`), only the second
        # is needed (above).
        compile_limits: Limits = (
            limits if limits is not None else getattr(backend, "limits", DEFAULT_LIMITS)
        )
        bare = [Job(job.name, job.iface) for job in jobs]
        first = _run_worker(
            target, backend, source, bare, "compile", executor, sandbox, compile_limits, kept
        )
        failed = any(c.error and c.error.get("kind") == "CompileError" for c in first.configs)
        if first.harness_error or failed:
            return first
        second = _run_worker(
            target,
            backend,
            source,
            jobs,
            mode,
            executor,
            sandbox,
            chosen,
            kept,
            {COMPILED_ONLY_ENV: "1"},
        )
        second.wall_s += first.wall_s
        return second
    return _run_worker(target, backend, source, jobs, mode, executor, sandbox, chosen, kept)


@cache
def _project_bytecode() -> None:
    """Compile the packages a worker imports to bytecode once per judge process. Workers
    see the project read-only and write no bytecode, so without this each one compiles
    every module from source again (about half a second per worker)."""
    root = Path(__file__).resolve().parents[1]
    for package in ("isa", "sandbox"):
        compileall.compile_dir(root / package, quiet=2)


def _run_worker(
    target: Target,
    backend: Any,
    source: str,
    jobs: list[Job],
    mode: str,
    executor: str,
    sandbox: Sandbox,
    limits: Limits,
    kept: Path,
    extra_env: dict[str, str] | None = None,
) -> WorkerOutcome:
    """One sandboxed worker in a fresh workdir, seeded with the candidate's kept compile
    products; what it adds to them is kept after it has stopped."""
    _project_bytecode()
    workdir = Path(tempfile.mkdtemp(prefix="kw-worker-"))
    try:
        source_name = "kernel" + backend.source_suffix
        (workdir / source_name).write_text(source)
        configs = []
        for job in jobs:
            entry: dict[str, Any] = {"name": job.name, "iface": job.iface.to_json()}
            if mode == "run":
                if job.inputs is None:
                    raise ValueError(f"job {job.name} needs inputs in run mode")
                entry["inputs"] = f"in_{job.name}.npz"
                save_npz(workdir / entry["inputs"], job.inputs)
            configs.append(entry)
        job_doc = {
            "target": target.name,
            # The worker loads the backend the judge resolved, so both sides agree.
            "backend": BACKENDS[target.family],
            "source": source_name,
            "mode": mode,
            "executor": executor,
            "configs": configs,
        }
        (workdir / "job.json").write_text(json.dumps(job_doc))
        worker_cache = workdir / compile_cache.WORKDIR_CACHE
        compile_cache.seed(kept, worker_cache)
        env = {CACHE_ENV: str(worker_cache), **(extra_env or {})}
        proc = sandbox.run(
            [sys.executable, "-m", "isa.worker", "job.json"], workdir, limits, env=env
        )
        # Where candidate code ran, only the compile's data is kept, never a product.
        candidate_ran = bool(getattr(backend, "compile_runs_candidate_code", False)) and not (
            extra_env or {}
        ).get(COMPILED_ONLY_ENV)
        compile_cache.harvest(worker_cache, kept, candidate_ran=candidate_ran)
        result_path = workdir / "result.json"
        if proc.returncode != 0 or not _regular_file(result_path):
            why = proc.reason or "it exited without writing a result"
            return WorkerOutcome([], harness_error=f"the worker failed: {why}", wall_s=proc.wall_s)
        try:
            result = json.loads(result_path.read_text())
            if "internal_error" in result:
                return WorkerOutcome(
                    [],
                    harness_error="internal error in the worker: "
                    + result["internal_error"].strip().splitlines()[-1],
                    wall_s=proc.wall_s,
                )
            outcomes = [_read_config(workdir, c) for c in result["configs"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            # The worker's files live where candidate code runs: treat them as untrusted.
            return WorkerOutcome(
                [],
                harness_error=f"the worker's result is unreadable ({type(exc).__name__})",
                wall_s=proc.wall_s,
            )
        return WorkerOutcome(outcomes, wall_s=proc.wall_s)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _regular_file(path: Path) -> bool:
    """A plain file, not a link or a FIFO the candidate left to block or mislead the judge."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _read_config(workdir: Path, entry: dict[str, Any]) -> ConfigOutcome:
    outputs: dict[str, np.ndarray] = {}
    if entry.get("outputs"):
        path = workdir / str(entry["outputs"])
        if path.parent != workdir or not _regular_file(path):
            raise ValueError(f"output file {entry['outputs']!r} is not a file in the workdir")
        with np.load(path, allow_pickle=False) as data:
            outputs = {k: np.array(data[k]) for k in data.files}
    return ConfigOutcome(
        name=entry["name"],
        ok=bool(entry["ok"]),
        error=entry.get("error"),
        diagnostics=entry.get("diagnostics", {}),
        measure=None if entry.get("measure") is None else float(entry["measure"]),
        unit=entry.get("unit", ""),
        counters=entry.get("counters", {}),
        findings=list(entry.get("findings", [])),
        outputs=outputs,
    )
