"""What Ray costs per trial: the same suite on the local pool and on a Ray runtime.

Run: python benchmarks/ray_overhead.py [--suite smoke] [--target tile] [--jobs 2] [--repeat 1]

Runs the suite with the template agent once on the local pool (`--jobs` threads) and once on
a Ray runtime started here with `--jobs` CPUs (its start-up timed apart), each into a fresh
SQLite store, and prints trials per minute for both and Ray's overhead per trial. Checks that
both engines store the same verdicts and speed-ups (exits non-zero otherwise).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval import ray_engine
from eval.runner import RunSpec, run_suite
from eval.store import Store


def timed_run(spec: RunSpec, db: Path) -> tuple[float, dict[str, tuple[str, float | None]]]:
    with Store(str(db)) as store:
        start = time.perf_counter()
        run_suite(spec, store)
        elapsed = time.perf_counter() - start
        return elapsed, {t.key.task: (t.status, t.speedup) for t in store.trials()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="smoke")
    parser.add_argument("--target", default="tile")
    parser.add_argument("--jobs", type=int, default=2, help="threads / Ray CPUs")
    args = parser.parse_args()

    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    with tempfile.TemporaryDirectory(prefix="kw-bench-") as temp:
        folder = Path(temp)
        local = RunSpec(args.suite, args.target, "template", run_name="local", jobs=args.jobs)
        local_s, local_results = timed_run(local, folder / "local.db")

        start = time.perf_counter()
        ray.init(
            num_cpus=args.jobs,
            include_dashboard=False,
            _node_ip_address=ray_engine.LOCAL_NODE_IP,
            _temp_dir=str(folder / "ray"),
            log_to_driver=False,
            configure_logging=False,
        )
        startup_s = time.perf_counter() - start
        try:
            on_ray = RunSpec(args.suite, args.target, "template", run_name="ray", engine="ray")
            ray_s, ray_results = timed_run(on_ray, folder / "ray.db")
        finally:
            ray.shutdown()

    n = len(local_results)
    print(f"suite {args.suite} on {args.target}, template agent, {n} trials, {args.jobs} workers")
    print(f"  local pool : {local_s:7.1f} s  {60 * n / local_s:6.1f} trials/min")
    print(
        f"  ray        : {ray_s:7.1f} s  {60 * n / ray_s:6.1f} trials/min "
        f"(+ {startup_s:.1f} s to start the runtime)"
    )
    print(f"  ray overhead per trial: {(ray_s - local_s) / n * 1000:+.0f} ms")
    if ray_results != local_results:
        print("FAIL: the engines stored different verdicts or speed-ups")
        return 1
    print("same verdicts and speed-ups on both engines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
