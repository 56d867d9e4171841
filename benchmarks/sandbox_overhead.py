"""What isolation costs: wall time of one sandboxed `python -c pass` and of one TILE
verification (six configs of silu), with bubblewrap and in degraded mode.

Usage: python -m benchmarks.sandbox_overhead [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from agents.template import template_source
from eval.validate import verify
from isa.base import Target
from sandbox import Limits, isolation
from sandbox.local import LocalSandbox
from tasks import load_task


def _median_s(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    if reason := isolation.unavailable_reason():
        sys.exit(f"bubblewrap is not usable here: {reason}")
    task = load_task("silu")
    source = template_source("silu", "tile")
    limits = Limits(wall_s=30)
    print(f"{'mode':<12} {'python -c pass':>16} {'verify silu (6 configs)':>26}")
    for mode in ("bubblewrap", "degraded"):
        if mode == "degraded":  # as if bubblewrap were missing and the user opted in
            os.environ[isolation.BWRAP_ENV] = ""
            isolation.detect.cache_clear()
        box = LocalSandbox(allow_unisolated=True)
        with tempfile.TemporaryDirectory() as tmp:
            spawn = _median_s(
                lambda b=box, t=tmp: b.run([sys.executable, "-c", "pass"], Path(t), limits),
                args.repeats,
            )
        judge = _median_s(
            lambda b=box: verify(task, Target("tile"), source, sandbox=b), args.repeats
        )
        print(f"{mode:<12} {spawn * 1e3:>13.1f} ms {judge * 1e3:>23.1f} ms")


if __name__ == "__main__":
    main()
