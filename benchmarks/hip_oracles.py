"""Are the hip:gfx942 oracles faster than the naive baselines in the MI300X timing model?

Run: python benchmarks/hip_oracles.py [TASK ...]   (exits non-zero when a claim fails)

Claims: for every task with HIP kernels and every visible config, the oracle and the naive
kernel (the template agent's baseline) are correct in the AMDGCN emulator, and the oracle's
estimated time is strictly below the naive kernel's; the gemm oracle's profile names MFMA as
what it computes with. Prints per config both estimates, the speed-up and the oracle's limiter.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.template import template_source
from eval.compare import compare
from isa.base import Target
from isa.registry import backend_for
from tasks import Task, load_suite

TARGET = Target.parse("hip:gfx942")


def measure(task: Task, source: str) -> dict[str, tuple[float, dict[str, Any]]]:
    backend = backend_for(TARGET)
    out = {}
    tol = task.tolerance(backend.precision)
    for cfg in task.visible_configs:
        iface = task.interface(cfg)
        inputs = task.make_inputs(cfg, np.random.default_rng(0))
        result = backend.execute(TARGET, backend.build(TARGET, source, iface), iface, inputs)
        assert not result.findings, f"{task.id} {cfg.name}: {result.findings}"
        for name, exp in task.reference(inputs, cfg).items():
            verdict = compare(name, result.outputs[name], exp, tol)
            assert verdict.passed, f"{task.id} {cfg.name}: {verdict.describe()}"
        out[cfg.name] = (result.measure, result.counters)
    return out


def main(ids: list[str]) -> int:
    backend = backend_for(TARGET)
    failures = 0
    started = time.monotonic()
    print(f"{'task':<12} {'config':<6} {'naive us':>9} {'oracle us':>9} {'speed-up':>8}  limiter")
    for task in load_suite("full"):
        if (ids and task.id not in ids) or not task.supports("hip"):
            continue
        oracle = task.oracle("hip", backend.source_suffix)
        assert oracle is not None
        base = measure(task, template_source(task.id, "hip"))
        fast = measure(task, oracle)
        for name, (us, counters) in fast.items():
            ratio = base[name][0] / us
            flag = "" if ratio > 1.0 else "  <- the oracle is not faster"
            failures += bool(flag)
            limiter = counters["launches"][0]["limiter"]
            print(
                f"{task.id:<12} {name:<6} {base[name][0]:>9.2f} {us:>9.2f} {ratio:>7.2f}x  "
                f"{limiter}{flag}"
            )
        if task.id == "gemm":
            report = backend.profile_report(fast["C5"][1], fast["C5"][0], None)  # type: ignore[attr-defined]
            uses_mfma = "matrix cores in use" in report
            failures += not uses_mfma
            print("gemm oracle profile (C5):\n" + report)
    print(f"{time.monotonic() - started:.1f} s; {'FAILED' if failures else 'all claims hold'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
