"""Are the suite's TILE oracles ahead of the template baseline, and how far from the roofline?

Run: python benchmarks/tile_suite_oracles.py [TASK ...]   (exits non-zero when a claim fails)

Claim: on every task of the `full` suite and every visible config, the committed oracle kernel
(the template compiler's pipelined form) takes no more cycles than the template agent's kernel
(the speed-up baseline), and both are correct. Prints per task the geometric-mean speed-up of
the oracle over the template and the oracle's mean % of the roofline bound.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.template import template_source
from eval.compare import compare
from isa.accel.tile.backend import TileBackend
from isa.base import Target
from tasks import Task, load_suite

TILE = Target("tile")
BACKEND = TileBackend()


def cycles(task: Task, source: str) -> dict[str, float]:
    """Cycles per visible config; raises AssertionError when an output is wrong."""
    out: dict[str, float] = {}
    tol = task.tolerance(BACKEND.precision)
    for cfg in task.visible_configs:
        iface = task.interface(cfg)
        inputs = task.make_inputs(cfg, np.random.default_rng(0))
        result = BACKEND.execute(TILE, BACKEND.build(TILE, source, iface), iface, inputs)
        for name, exp in task.reference(inputs, cfg).items():
            verdict = compare(name, result.outputs[name], exp, tol)
            assert verdict.passed, f"{task.id} {cfg.name}: {verdict.describe()}"
        out[cfg.name] = result.measure
    return out


def main(ids: list[str]) -> int:
    failures = 0
    started = time.monotonic()
    print(f"{'task':<18} {'speed-up':>8} {'% roofline':>10}  worst config")
    for task in load_suite("full"):
        if ids and task.id not in ids:
            continue
        oracle = task.oracle("tile", ".tasm")
        assert oracle is not None
        base = cycles(task, template_source(task.id, "tile"))
        fast = cycles(task, oracle)
        ratios = {name: base[name] / fast[name] for name in base}
        worst = min(ratios, key=lambda name: ratios[name])
        geo = math.exp(sum(math.log(r) for r in ratios.values()) / len(ratios))
        bounds = [BACKEND.roofline(TILE, task.work(c)) for c in task.visible_configs]
        pct = (
            100
            * sum(b / fast[c.name] for b, c in zip(bounds, task.visible_configs, strict=True))
            / 5
        )
        flag = "" if ratios[worst] >= 1.0 else "  <- oracle slower than the template"
        failures += bool(flag)
        print(f"{task.id:<18} {geo:>7.2f}x {pct:>9.1f}%  {worst} {ratios[worst]:.2f}x{flag}")
    print(f"{time.monotonic() - started:.1f} s; {'FAILED' if failures else 'all claims hold'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
