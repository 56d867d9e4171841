"""The PTX emulator against a real GPU: outputs and timing-model ranking.

    python -m benchmarks.nvidia_gpu_vs_emulator [--arch sm_80] [--random 300] [--seed 0]

Three parts:

1. **Oracles**: every smoke task's naive and optimised kernel, CUDA and Triton, run on the
   task's largest emulated config in the emulator and, when a GPU is present, on the GPU;
   outputs compared (bit-exact count and the largest difference in units in the last place).
2. **Random kernels**: a few hundred generated elementwise CUDA kernels over exact
   operations (integer arithmetic, shifts, bit logic, selects, comparisons, conversions,
   `__fadd_rn` / `__fmul_rn` / `fminf` / `fmaxf`), compiled by nvcc in batches. The emulator's
   outputs must equal, bit for bit, a NumPy evaluation of the same expressions, and (with a
   GPU) the GPU's outputs.
3. **Ranking**: the timing model's estimates of kernel variants (naive vs optimised, block
   sizes) against measured GPU times, as a Spearman rank correlation.

Parts 1-2 run their emulator halves everywhere; the GPU halves and part 3's correlation run
only where CuPy finds a CUDA device, and the script says so when there is none.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from isa.base import KernelError, Target
from isa.nvidia.backend import NvidiaBuild, gpu_available
from isa.nvidia.emu import run_emulated
from isa.nvidia.machines import machine_for
from isa.nvidia.ptx import DeviceMemory, launch, load_module
from isa.nvidia.toolchain import compile_cuda
from isa.registry import backend_for
from tasks import load_suite

BLOCK = 128
N_ELEMENTS = 1000  # per random kernel: not a multiple of the block, so the guard matters


def ulp_distance(a: np.ndarray, b: np.ndarray) -> int:
    """Largest distance in float32 units in the last place (NaNs equal to NaNs)."""
    ia = a.astype(np.float32).view(np.int32).astype(np.int64)
    ib = b.astype(np.float32).view(np.int32).astype(np.int64)
    ia = np.where(ia < 0, -(2**31) - ia, ia)  # order floats as integers
    ib = np.where(ib < 0, -(2**31) - ib, ib)
    both_nan = np.isnan(a) & np.isnan(b)
    d = np.where(both_nan, 0, np.abs(ia - ib))
    return int(d.max()) if d.size else 0


def spearman(x: list[float], y: list[float]) -> float:
    def ranks(v: list[float]) -> np.ndarray:
        order = np.argsort(v)
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        return r

    rx, ry = ranks(x), ranks(y)
    return float(np.corrcoef(rx, ry)[0, 1])


# --- part 1: oracles -----------------------------------------------------------------------


def oracle_part(arch: str, on_gpu: bool) -> list[tuple[str, float, float | None]]:
    """Rows for part 3 too: (variant, estimated us, measured us)."""
    rows: list[tuple[str, float, float | None]] = []
    print(f"\n## 1. oracles and naive kernels ({arch}); GPU: {'yes' if on_gpu else 'no'}")
    print(f"{'kernel':<34} {'emu us':>9} {'gpu us':>9} {'exact':>7} {'max ulp':>8}")
    for family, suffix in (("cuda", ".cu"), ("triton", ".py")):
        target = Target.parse(f"{family}:{arch}")
        backend = backend_for(target)
        for task in load_suite("smoke"):
            cfg = task.visible_configs[-1]
            iface = task.interface(cfg)
            inputs = task.make_inputs(cfg, np.random.default_rng(0))
            for kind in ("naive", "oracle"):
                path = task.folder / family / f"{kind}{suffix}"
                name = f"{family}/{task.id}/{kind}"
                try:
                    build = backend.build(target, path.read_text(), iface)
                    nb: NvidiaBuild = build.artifact
                    emu = run_emulated(nb, iface, inputs, machine_for(arch))
                except KernelError as exc:
                    print(f"{name:<34} not emulated: {exc}")
                    continue
                measured = None
                exact, ulps = "-", "-"
                if on_gpu:
                    from isa.nvidia.gpu import run_on_gpu

                    gpu = run_on_gpu(nb, iface, inputs)
                    measured = gpu.measure
                    same = all(
                        np.array_equal(
                            emu.outputs[k].view(np.uint32), gpu.outputs[k].view(np.uint32)
                        )
                        for k in emu.outputs
                    )
                    exact = "yes" if same else "no"
                    ulps = str(
                        max(ulp_distance(emu.outputs[k], gpu.outputs[k]) for k in emu.outputs)
                    )
                rows.append((name, emu.measure, measured))
                shown = f"{measured:9.2f}" if measured is not None else f"{'-':>9}"
                print(f"{name:<34} {emu.measure:9.2f} {shown} {exact:>7} {ulps:>8}")
    return rows


# --- part 2: random kernels ----------------------------------------------------------------


@dataclass
class Expr:
    """A generated expression: its CUDA text, its kind ("f" float / "i" int) and its value
    computed with NumPy in the same float32 / int32 semantics."""

    cuda: str
    kind: str
    value: np.ndarray


def _i32(x: np.ndarray) -> np.ndarray:
    return np.asarray(x).astype(np.int64).astype(np.uint64).astype(np.uint32).view(np.int32)


def as_float(e: Expr) -> Expr:
    if e.kind == "f":
        return e
    # C's % truncates toward zero, like np.fmod.
    v = np.fmod(e.value.astype(np.int64), 4096).astype(np.float32)
    return Expr(f"(float)({e.cuda} % 4096)", "f", v)


def as_int(e: Expr) -> Expr:
    if e.kind == "i":
        return e
    # Clamp first so the conversion never overflows; NaN converts to 0 (cvt.rzi.s32.f32).
    c = np.clip(np.nan_to_num(e.value, nan=0.0), -1e6, 1e6)
    return Expr(f"(int)fminf(fmaxf({e.cuda}, -1e6f), 1e6f)", "i", np.trunc(c).astype(np.int32))


def _fminmax(x: np.ndarray, y: np.ndarray, pick: Any) -> np.ndarray:
    out = np.where(np.isnan(x), y, np.where(np.isnan(y), x, pick(x, y)))
    return out.astype(np.float32)


def random_expr(rng: np.random.Generator, depth: int, a: np.ndarray, b: np.ndarray) -> Expr:
    if depth == 0 or rng.random() < 0.2:
        leaf = int(rng.integers(0, 5))
        if leaf == 0:
            return Expr("a", "f", a)
        if leaf == 1:
            return Expr("b", "f", b)
        if leaf == 2:
            return Expr("ia", "i", a.view(np.int32))
        if leaf == 3:
            return Expr("ib", "i", b.view(np.int32))
        c = np.float32(rng.normal())
        return Expr(f"{float(c)!r}f".replace("inf", "INFINITY"), "f", np.full_like(a, c))
    x, y = random_expr(rng, depth - 1, a, b), random_expr(rng, depth - 1, a, b)
    fx, fy, ix, iy = as_float(x), as_float(y), as_int(x), as_int(y)
    xi, yi = ix.value.astype(np.int64), iy.value.astype(np.int64)
    k = int(rng.integers(0, 8))
    choice = int(rng.integers(0, 12))
    if choice == 0:
        return Expr(f"__fadd_rn({fx.cuda}, {fy.cuda})", "f", (fx.value + fy.value))
    if choice == 1:
        return Expr(f"__fmul_rn({fx.cuda}, {fy.cuda})", "f", (fx.value * fy.value))
    if choice == 2:
        return Expr(f"fminf({fx.cuda}, {fy.cuda})", "f", _fminmax(fx.value, fy.value, np.minimum))
    if choice == 3:
        return Expr(f"fmaxf({fx.cuda}, {fy.cuda})", "f", _fminmax(fx.value, fy.value, np.maximum))
    if choice == 4:  # unsigned arithmetic: wraps without undefined behaviour
        return Expr(f"(int)((unsigned){ix.cuda} + (unsigned){iy.cuda})", "i", _i32(xi + yi))
    if choice == 5:
        return Expr(f"(int)((unsigned){ix.cuda} * (unsigned){iy.cuda})", "i", _i32(xi * yi))
    if choice == 6:
        return Expr(f"({ix.cuda} ^ {iy.cuda})", "i", ix.value ^ iy.value)
    if choice == 7:
        return Expr(f"({ix.cuda} & {iy.cuda})", "i", ix.value & iy.value)
    if choice == 8:  # arithmetic shift of a signed int
        return Expr(f"({ix.cuda} >> {k})", "i", ix.value >> np.int32(k))
    if choice == 9:
        v = (ix.value.view(np.uint32) >> np.uint32(k)).view(np.int32)
        return Expr(f"(int)((unsigned){ix.cuda} >> {k})", "i", v)
    if choice == 10:
        cond = fx.value < fy.value
        v = np.where(cond, ix.value, iy.value).astype(np.int32)
        return Expr(f"({fx.cuda} < {fy.cuda} ? {ix.cuda} : {iy.cuda})", "i", v)
    return Expr(f"max({ix.cuda}, {iy.cuda})", "i", np.maximum(ix.value, iy.value))


def random_part(arch: str, count: int, seed: int, on_gpu: bool) -> None:
    print(f"\n## 2. {count} random kernels ({arch}); GPU: {'yes' if on_gpu else 'no'}")
    rng = np.random.default_rng(seed)
    a = (rng.normal(size=N_ELEMENTS) * 10).astype(np.float32)
    b = (rng.normal(size=N_ELEMENTS) * 10).astype(np.float32)
    with np.errstate(all="ignore"):
        exprs = [random_expr(rng, int(rng.integers(1, 5)), a, b) for _ in range(count)]
    emu_vs_numpy = emu_vs_gpu = checked = 0
    started = time.monotonic()
    thread_instructions = 0
    for batch_start in range(0, count, 50):
        batch = exprs[batch_start : batch_start + 50]
        source = "\n".join(
            f'extern "C" __global__ void k{i}(const float* a_, const float* b_, float* out, '
            f"int n) {{\n  int t = blockIdx.x * blockDim.x + threadIdx.x;\n  if (t >= n) return;\n"
            f"  float a = a_[t], b = b_[t];\n"
            f"  int ia = __float_as_int(a), ib = __float_as_int(b);\n"
            f"  out[t] = {_store(e)};\n}}"
            for i, e in enumerate(batch)
        )
        compiled = compile_cuda(source, arch)
        module = load_module(compiled.ptx)
        gpu_module = _gpu_module(compiled.cubin) if on_gpu else None
        for i, e in enumerate(batch):
            memory = DeviceMemory()
            pa, pb = memory.alloc_array(a, "a"), memory.alloc_array(b, "b")
            po = memory.alloc(4 * N_ELEMENTS, "out")
            grid = (-(-N_ELEMENTS // BLOCK), 1, 1)
            result = launch(module, f"k{i}", grid, (BLOCK, 1, 1), [pa, pb, po, N_ELEMENTS], memory)
            thread_instructions += result.counters.thread_instructions
            got = memory.read(po, np.float32, (N_ELEMENTS,))
            want = _as_stored(e.value, e)
            checked += 1
            if np.array_equal(got.view(np.uint32), want.view(np.uint32)):
                emu_vs_numpy += 1
            else:
                bad = int(np.argmax(got.view(np.uint32) != want.view(np.uint32)))
                print(f"  k{batch_start + i}: emulator {got[bad]!r} numpy {want[bad]!r}: {e}")
            if gpu_module is not None:
                gpu_out = _gpu_run(gpu_module, f"k{i}", a, b)
                emu_vs_gpu += int(np.array_equal(got.view(np.uint32), gpu_out.view(np.uint32)))
    elapsed = time.monotonic() - started
    print(f"emulator == NumPy bit for bit: {emu_vs_numpy} of {checked} kernels")
    if on_gpu:
        print(f"emulator == GPU bit for bit: {emu_vs_gpu} of {checked} kernels")
    else:
        print("emulator vs GPU: not run (no CUDA device and CuPy here)")
    print(
        f"{count} kernels compiled and emulated in {elapsed:.1f} s "
        f"({thread_instructions / max(elapsed, 1e-9):,.0f} thread-instructions/s incl. nvcc)"
    )


def _store(e: Expr) -> str:
    return e.cuda if e.kind == "f" else f"__int_as_float({e.cuda})"


def _as_stored(value: np.ndarray, e: Expr) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(value), (N_ELEMENTS,))
    if e.kind == "f":
        return np.ascontiguousarray(arr.astype(np.float32))
    return np.ascontiguousarray(arr.astype(np.int32)).view(np.float32)


def _gpu_module(cubin: bytes) -> Any:
    import cupy as cp

    folder = tempfile.mkdtemp(prefix="kw-bench-")
    path = os.path.join(folder, "k.cubin")
    Path(path).write_bytes(cubin)
    return cp.RawModule(path=path)


def _gpu_run(module: Any, name: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    import cupy as cp

    da, db = cp.asarray(a), cp.asarray(b)
    out = cp.full(N_ELEMENTS, np.nan, dtype=cp.float32)
    grid = (-(-N_ELEMENTS // BLOCK),)
    module.get_function(name)(grid, (BLOCK,), (da, db, out, np.int32(N_ELEMENTS)))
    return np.asarray(cp.asnumpy(out))


# --- part 3: ranking -----------------------------------------------------------------------


def ranking_part(rows: list[tuple[str, float, float | None]], on_gpu: bool) -> None:
    print("\n## 3. timing model ranking vs measured")
    if not on_gpu:
        print(
            f"no GPU here: {len(rows)} variants estimated by the emulator; "
            "Spearman correlation needs measured times"
        )
        return
    est = [r[1] for r in rows]
    meas = [float(r[2]) for r in rows if r[2] is not None]
    rho = spearman(est, meas)
    print(f"Spearman rank correlation over {len(rows)} kernel variants: {rho:.3f}")
    ratios = [m / e for e, m in zip(est, meas, strict=True) if e > 0]
    gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"geometric mean of measured / estimated: {gm:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="sm_80", choices=["sm_80", "sm_90"])
    parser.add_argument("--random", type=int, default=300, help="random kernels to check")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-oracles", action="store_true")
    args = parser.parse_args()
    on_gpu = gpu_available()
    if not on_gpu:
        print("no CUDA device with CuPy here: the GPU halves are skipped")
    rows = [] if args.skip_oracles else oracle_part(args.arch, on_gpu)
    random_part(args.arch, args.random, args.seed, on_gpu)
    if rows:
        ranking_part(rows, on_gpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
