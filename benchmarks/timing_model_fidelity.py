"""How well the NVIDIA timing model ranks kernels at realistic sizes (issue 12).

    python -m benchmarks.timing_model_fidelity [--arch sm_80 --arch sm_90] [--ladder gemm]

Ladders of kernel variants written for this benchmark (`benchmarks/fidelity/`), each
checked for correctness by full emulation at a small size, then estimated at a realistic
size by the `emu` executor's sampled timing (the code the judge scores with), and ranked
against hardware figures by Spearman's rho:

- **gemm** (M = N = 4096, K = 1024; the gemm task's G4): naive, coalesced, shared-memory
  tiling, 1D and 2D register tiling, vectorised loads, warp tiling. Hardware figures: the
  GFLOP/s per step that Simon Boehm measured on an RTX A6000 (GA102, sm_86) for
  M = N = K = 4096, "How to Optimize a CUDA Matmul Kernel for cuBLAS-like Performance: a
  Worklog" (siboehm.com/articles/22/CUDA-MMM, 2022): kernels 1, 2, 3, 4, 5, 6 and 10 of his
  table. Only their order is used; that it holds on A100 / H100 is an assumption (no GPU here).
- **reduce** (row sums, M = 16384 rows of N = 512): Harris's reduction steps. Hardware
  figures: GB/s of kernels 1-5 and 7 on a GeForce 8800 GTX (G80) for 4M elements, Mark
  Harris, "Optimizing Parallel Reduction in CUDA" (NVIDIA, 2007). Same caveat: order only,
  measured on a far older GPU.
- **elementwise** (SiLU, 4096 x 4096): a warp's threads 32, 8 or 1 element(s) apart. No
  published figures: the order expected from the sectors each warp request moves is printed,
  and the ladder is not counted toward the target.

Gaming variants of the naive gemm (idle blocks in an extra grid dimension, early-return
warps, idle blocks between working ones) are estimated at the same size and must not be
faster than the naive kernel. Last, the round trip of one sampled estimate through the
sandboxed worker (compile cached) is timed and split into its parts.

Target: rho >= 0.9 per ladder with hardware figures, on sm_80 (A100 model) and sm_90
(H100 model).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from isa.base import KernelError, Target
from isa.harness import Job, run_candidate
from isa.registry import backend_for
from tasks import Config, load_task

HERE = Path(__file__).resolve().parent / "fidelity"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.adversarial import timing_variants as tv  # noqa: E402


@dataclass(frozen=True)
class Ladder:
    task: str
    small: dict[str, int]  # correctness, full emulation
    real: dict[str, int]  # the estimate that is ranked
    rungs: list[tuple[str, float | None]]  # kernel file stem, hardware figure (higher = faster)
    unit: str  # of the hardware figures
    source: str


LADDERS = {
    "gemm": Ladder(
        "gemm",
        {"M": 128, "N": 128, "K": 64},
        {"M": 4096, "N": 4096, "K": 1024},
        [
            ("gemm_1_naive", 309.0),
            ("gemm_2_coalesced", 1986.5),
            ("gemm_3_smem", 2980.3),
            ("gemm_4_1d_tiling", 8474.7),
            ("gemm_5_2d_tiling", 15971.7),
            ("gemm_6_vectorized", 18237.3),
            ("gemm_7_warptiling", 21779.3),
        ],
        "GFLOP/s",
        "Boehm 2022, RTX A6000, 4096^3 (kernels 1-6, 10)",
    ),
    "reduce": Ladder(
        "row_sum",
        {"M": 8, "N": 512},
        {"M": 16384, "N": 512},
        [
            ("reduce_1_interleaved_divergent", 2.083),
            ("reduce_2_interleaved_strided", 4.854),
            ("reduce_3_sequential", 9.741),
            ("reduce_4_first_add", 17.377),
            ("reduce_5_unrolled_warp", 31.289),
            ("reduce_6_multiple_per_thread", 62.671),
        ],
        "GB/s",
        "Harris 2007, G80, 4M elements (kernels 1-5, 7)",
    ),
    "elementwise": Ladder(
        "silu",
        {"M": 64, "N": 64},
        {"M": 4096, "N": 4096},
        [
            ("elementwise_1_stride32", None),
            ("elementwise_2_stride8", None),
            ("elementwise_3_coalesced", None),
        ],
        "",
        "no published figures (order expected from sectors per request)",
    ),
}


def spearman(a: list[float], b: list[float]) -> float:
    def ranks(v: list[float]) -> np.ndarray:
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v), dtype=float)
        for value in set(v):  # ties share their mean rank
            same = [i for i, x in enumerate(v) if x == value]
            r[same] = r[same].mean()
        return r

    ra, rb = ranks(a), ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def _check(target: Target, source: str, task_id: str, sizes: dict[str, int]) -> None:
    task = load_task(task_id)
    cfg = Config("small", dict(sizes))
    iface = task.interface(cfg)
    inputs = task.make_inputs(cfg, np.random.default_rng(0))
    backend = backend_for(target)
    result = backend.execute(target, backend.build(target, source, iface), iface, inputs, "emu")
    for name, expected in task.reference(inputs, cfg).items():
        got = result.outputs[name]
        if not np.allclose(got, expected, rtol=1e-3, atol=1e-3):
            raise SystemExit(f"{task_id}: a ladder kernel is wrong at {sizes} (output {name})")


def _estimate(target: Target, source: str, task_id: str, sizes: dict[str, int]) -> float:
    task = load_task(task_id)
    iface = task.interface(Config("real", dict(sizes)))
    backend = backend_for(target)
    return float(backend.estimate(target, backend.build(target, source, iface), iface).measure)


def run_ladder(name: str, arch: str) -> float | None:
    ladder = LADDERS[name]
    target = Target.parse(f"cuda:{arch}")
    sizes = ", ".join(f"{k}={v}" for k, v in ladder.real.items())
    print(f"\n### {name} on {target.name} at {sizes}; figures: {ladder.source}")
    speeds, figures = [], []
    for stem, figure in ladder.rungs:
        source = (HERE / f"{stem}.cu").read_text()
        _check(target, source, ladder.task, ladder.small)
        t0 = time.perf_counter()
        us = _estimate(target, source, ladder.task, ladder.real)
        took = time.perf_counter() - t0
        fig = f"{figure:>9.1f} {ladder.unit}" if figure is not None else " " * 9
        print(f"  {stem:<32} {us:>10.1f} us  {fig}  (estimated in {took:.1f} s)")
        speeds.append(1.0 / us)
        figures.append(figure if figure is not None else float(len(figures)))
    rho = spearman(speeds, figures)
    known = all(f is not None for _, f in ladder.rungs)
    label = "Spearman rho" if known else "rho against the expected order (not counted)"
    print(f"  {label}: {rho:+.3f}")
    return rho if known else None


def gaming(arch: str) -> bool:
    target = Target.parse(f"cuda:{arch}")
    sizes = {"M": 1024, "N": 1024, "K": 1024}
    print(f"\n### gaming variants of the naive gemm on {target.name} at M = N = K = 1024")
    naive = _estimate(target, tv.CUDA_NAIVE, "gemm", sizes)
    print(f"  {'naive':<28} {naive:>10.1f} us")
    fine = True
    for name, source in tv.CUDA_GAMING.items():
        if name == "one-block-does-all":
            continue  # its one block is the whole gemm: beyond the sample's emulation cap
        try:
            us = _estimate(target, source, "gemm", sizes)
        except KernelError as exc:
            print(f"  {name:<28} no estimate, so no speed-up: {exc.message[:70]}...")
            continue
        verdict = "not faster" if us >= naive else "FASTER (a bug)"
        fine = fine and us >= naive
        print(f"  {name:<28} {us:>10.1f} us  {verdict}")
    return fine


def round_trip() -> None:
    """One sampled estimate through the sandboxed worker, compile cached, parts timed."""
    target = Target.parse("cuda:sm_90")
    task = load_task("gemm")
    cfg = task.config("G1")
    source = (ROOT / "tasks" / "gemm" / "cuda" / "oracle.cu").read_text()
    jobs = [Job(cfg.name, task.interface(cfg))]
    run_candidate(target, source, jobs, mode="estimate", executor="emu")  # warm the cache
    t0 = time.perf_counter()
    outcome = run_candidate(target, source, jobs, mode="estimate", executor="emu")
    total = time.perf_counter() - t0
    if outcome.harness_error or not outcome.configs or outcome.configs[0].error:
        print(f"\n### round trip: failed ({outcome.harness_error or outcome.configs})")
        return
    counters = outcome.configs[0].counters
    emulation = float(counters.get("emulation_s", 0.0))
    print(
        f"\n### round trip of one sampled estimate (gemm oracle, G1, cuda:sm_90, compile "
        f"cached): {total:.2f} s in all; {emulation:.2f} s emulating "
        f"{sum(e['blocks_emulated'] for e in counters['launches'])} blocks; "
        f"{outcome.wall_s - emulation:.2f} s the rest of the worker (sandbox start, imports, "
        f"cached build, buffers); {total - outcome.wall_s:.2f} s the judge's side"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", action="append", choices=["sm_80", "sm_90"])
    parser.add_argument("--ladder", action="append", choices=sorted(LADDERS))
    parser.add_argument("--skip-round-trip", action="store_true")
    args = parser.parse_args(argv)
    archs = args.arch or ["sm_80", "sm_90"]
    ladders = args.ladder or list(LADDERS)
    print("No GPU is used: every figure below is the model's, against published measurements.")
    results: dict[tuple[str, str], float | None] = {}
    ok = True
    for arch in archs:
        for name in ladders:
            results[(name, arch)] = run_ladder(name, arch)
        ok = gaming(arch) and ok
    print("\n## summary: Spearman rho per ladder (target >= 0.9)")
    for (name, arch), rho in results.items():
        if rho is None:
            print(f"  {name:<12} {arch}: no hardware figures")
        else:
            print(f"  {name:<12} {arch}: {rho:+.3f} {'ok' if rho >= 0.9 else 'BELOW TARGET'}")
    print(f"  gaming variants not faster than the naive gemm: {'yes' if ok else 'NO'}")
    if not args.skip_round_trip:
        round_trip()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
