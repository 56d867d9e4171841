"""How long does the agent's `run` tool take? Its round trip (judge, sandboxed workers, the
emulator) on one visible config of each NVIDIA task's oracle, CUDA and Triton, with the
compile cached (a first untimed call fills the cache), as an agent's repeated runs see it.

Run: python -m benchmarks.run_tool_round_trip [--config C3] [--repeats 3] [--arch sm_90]
     [--tasks gemm,softmax] [--families cuda,triton] [--profile]

Prints, per task and language, the median wall time, and the machine's load average, so
that a figure taken on a busy machine reads as such (the sandboxed workers run in a PID
namespace whose CPU time the judge cannot see, so only wall time is reported).
`--profile` adds the top functions of the judge's side under cProfile. Target (issue 12):
under 2 s each on an idle 2-core machine.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.tools import Toolbox
from isa.base import Target
from tasks import load_task

TASKS = ("gemm", "gemv", "linear_relu", "rmsnorm", "silu", "softmax")
SUFFIX = {"cuda": ".cu", "triton": ".py"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="C3")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--arch", default="sm_90")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--families", default="cuda,triton")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'task':<12} {'lang':<7} {'wall s (median)':>16} {'min':>6}  verdict")
    worst = 0.0
    for task_id in args.tasks.split(","):
        for family in args.families.split(","):
            task = load_task(task_id).restricted([args.config])
            source = task.oracle(family, SUFFIX[family])
            if source is None:
                print(f"{task_id:<12} {family:<7} (no oracle)")
                continue
            box = Toolbox(task, Target.parse(f"{family}:{args.arch}"), source=source)
            first = box.run()  # fills the compile cache
            walls = []
            profiler = cProfile.Profile() if args.profile else None
            for _ in range(args.repeats):
                wall0 = time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                result = box.run()
                if profiler is not None:
                    profiler.disable()
                walls.append(time.perf_counter() - wall0)
            wall = statistics.median(walls)
            worst = max(worst, wall)
            verdict = "valid" if result.ok and first.ok else result.text.splitlines()[0]
            print(f"{task_id:<12} {family:<7} {wall:>16.2f} {min(walls):>6.2f}  {verdict}")
            if profiler is not None:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(12)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"slowest median round trip: {worst:.2f} s (target: under 2 s on an idle machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
