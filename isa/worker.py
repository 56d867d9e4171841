"""The worker: runs inside a sandbox, compiles and executes one candidate, writes result.json.

Usage: python -m isa.worker JOB.json   (run by `isa.harness`, never by the judge directly)

The job names the target, the candidate source file and, per configuration, the kernel
interface and an .npz of inputs. The worker never sees references, hidden seeds or
tolerances: only inputs go in, only outputs and measurements come out.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any, cast

import numpy as np

from isa.base import ExecutionError, KernelError, KernelInterface, Target
from isa.registry import backend_for, load_backend


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    cast(Any, np.savez)(path, **arrays)


def _error(exc: KernelError) -> dict[str, Any]:
    return {"message": exc.message, "line": exc.line, "kind": type(exc).__name__}


def run_job(job: dict[str, Any], workdir: Path) -> dict[str, Any]:
    target = Target.parse(job["target"])
    backend = load_backend(job["backend"]) if "backend" in job else backend_for(target)
    source = (workdir / job["source"]).read_text()
    results: list[dict[str, Any]] = []
    for cfg in job["configs"]:
        iface = KernelInterface.from_json(cfg["iface"])
        entry: dict[str, Any] = {"name": cfg["name"], "ok": False, "error": None}
        try:
            build = backend.build(target, source, iface)
            entry["diagnostics"] = build.diagnostics
            if job["mode"] == "run":
                with np.load(workdir / cfg["inputs"], allow_pickle=False) as data:
                    inputs = {k: data[k] for k in data.files}
                executor = job.get("executor", "emu")
                result = backend.execute(target, build, iface, inputs, executor=executor)
                out_name = f"out_{cfg['name']}.npz"
                save_npz(workdir / out_name, result.outputs)
                entry.update(
                    outputs=out_name,
                    measure=result.measure,
                    unit=result.unit,
                    counters=result.counters,
                    findings=result.findings,
                )
            elif job["mode"] == "estimate":
                estimate = getattr(backend, "estimate", None)
                if not callable(estimate):
                    raise ExecutionError(f"{target.name} has no realistic-size estimate")
                result = estimate(target, build, iface)
                entry.update(measure=result.measure, unit=result.unit, counters=result.counters)
            entry["ok"] = True
        except KernelError as exc:
            entry["error"] = _error(exc)
        results.append(entry)
        if entry["error"] and entry["error"]["kind"] == "CompileError":
            break  # the same source fails to compile for every config; say it once
    return {"configs": results}


def main(argv: list[str]) -> int:
    job_path = Path(argv[1])
    workdir = job_path.parent
    try:
        job = json.loads(job_path.read_text())
        result = run_job(job, workdir)
    except Exception:  # an internal bug: report it to the harness rather than crash silently
        result = {"internal_error": traceback.format_exc(limit=8)}
    (workdir / "result.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
