"""The AMDGCN emulator against NumPy on random HIP kernels, and its speed.

Run: python benchmarks/amd_emulator.py [--kernels 300] [--seed 0]   (exits non-zero on a miss)

1. Random small kernels (f32 arithmetic with IEEE add / mul / div / sqrt / fma / min / max,
   32-bit integer arithmetic and shifts, conversions int <-> float, f16 and bf16 round trips,
   cross-lane shuffles, divergent branches and lane-dependent loops, LDS exchanges across
   waves, integer atomics), compiled by clang-19 in batches and run in the emulator; every
   output is compared with NumPy bit for bit (all these instructions are exact; fp
   contraction is off so the compiler cannot fuse a * b + c).
2. Speed: a 128x128x128 LDS-tiled matmul (16x16 tiles, 256 threads per block), in
   lane-instructions per second (instructions times active lanes).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from isa.amd.emu import kernarg_bytes
from isa.amd.executor import KernelFault, launch
from isa.amd.memory import DeviceMemory
from isa.amd.toolchain import compile_hip, find_clang

N = 256  # threads per kernel: 4 waves of 64
F32 = np.float32
I32 = np.int32


@dataclass
class Case:
    name: str
    kind: str
    body: str  # C statements computing `float rf` and `int ri` from fa, fb, ia, ib, t
    ref: Callable[[dict[str, np.ndarray]], tuple[np.ndarray, np.ndarray]]
    lds: bool = False
    atomic: bool = False


class Gen:
    """Random expressions as C text and as NumPy code, built together."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def fexpr(self, depth: int) -> tuple[str, Callable[[dict[str, np.ndarray]], np.ndarray]]:
        r = self.rng
        if depth == 0 or r.random() < 0.25:
            leaf = r.choice(["fa", "fb", "c"])
            if leaf == "c":
                c = F32(r.choice([0.5, 1.5, -2.0, 3.25, 0.1, 7.0]))
                return f"{float(c)!r}f", lambda e, c=c: np.full(N, c, F32)
            return str(leaf), lambda e, leaf=leaf: e[str(leaf)]
        op = r.choice(["+", "-", "*", "/", "fma", "min", "max", "abs", "sqrt"])
        a_c, a_f = self.fexpr(depth - 1)
        b_c, b_f = self.fexpr(depth - 1)
        if op in "+-*/":
            fn = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[str(op)]
            return f"({a_c} {op} {b_c})", lambda e: fn(a_f(e), b_f(e)).astype(F32)
        if op == "fma":
            c_c, c_f = self.fexpr(depth - 1)

            def fma(e: dict[str, np.ndarray]) -> np.ndarray:
                from isa.amd.numerics import fma32

                return fma32(a_f(e), b_f(e), c_f(e))

            return f"fmaf({a_c}, {b_c}, {c_c})", fma
        if op == "min":
            return f"fminf({a_c}, {b_c})", lambda e: np.fmin(a_f(e), b_f(e))
        if op == "max":
            return f"fmaxf({a_c}, {b_c})", lambda e: np.fmax(a_f(e), b_f(e))
        if op == "abs":
            return f"fabsf({a_c})", lambda e: np.abs(a_f(e))
        return f"sqrtf(fabsf({a_c}))", lambda e: np.sqrt(np.abs(a_f(e))).astype(F32)

    def iexpr(self, depth: int) -> tuple[str, Callable[[dict[str, np.ndarray]], np.ndarray]]:
        r = self.rng
        if depth == 0 or r.random() < 0.25:
            leaf = r.choice(["ia", "ib", "t", "c"])
            if leaf == "c":
                c = int(r.integers(-100, 100))
                return f"({c})", lambda e, c=c: np.full(N, c, np.int64)
            return str(leaf), lambda e, leaf=leaf: e[str(leaf)].astype(np.int64)
        op = r.choice(["+", "-", "*", "&", "|", "^", "<<", ">>", "min", "max", "/"])
        a_c, a_f = self.iexpr(depth - 1)
        b_c, b_f = self.iexpr(depth - 1)
        wrap = _wrap32
        if op in ("+", "-", "*", "&", "|", "^"):
            fn = {
                "+": np.add,
                "-": np.subtract,
                "*": np.multiply,
                "&": np.bitwise_and,
                "|": np.bitwise_or,
                "^": np.bitwise_xor,
            }[str(op)]
            return f"({a_c} {op} {b_c})", lambda e: wrap(fn(a_f(e), b_f(e)))
        if op == "<<":
            return (
                f"(int)((unsigned)({a_c}) << ((unsigned)({b_c}) & 31u))",
                lambda e: wrap((a_f(e) % 2**32) << (b_f(e) % 2**32 & 31)),
            )
        if op == ">>":
            return f"(({a_c}) >> (({b_c}) & 31))", lambda e: wrap(a_f(e) >> (b_f(e) & 31))
        if op == "min":
            return f"min({a_c}, {b_c})", lambda e: np.minimum(a_f(e), b_f(e))
        if op == "max":
            return f"max({a_c}, {b_c})", lambda e: np.maximum(a_f(e), b_f(e))
        d = int(r.choice([3, 7, -5, 16, 1000]))
        return f"(({a_c}) / {d})", lambda e: wrap(np.trunc(a_f(e) / d).astype(np.int64))


def _wrap32(x: np.ndarray) -> np.ndarray:
    return ((x.astype(np.int64) + 2**31) % 2**32) - 2**31


def _bf16(x: np.ndarray) -> np.ndarray:
    u = x.view(np.uint32).astype(np.uint64)
    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return r.astype(np.uint32).view(F32)


def make_case(i: int, gen: Gen) -> Case:
    r = gen.rng
    kind = str(r.choice(["float", "int", "convert", "lanes", "branch", "lds", "atomic"]))
    name = f"k{i}"
    fc, ff = gen.fexpr(3)
    ic, if_ = gen.iexpr(3)
    if kind == "float":
        return Case(name, kind, f"rf = {fc}; ri = 0;", lambda e: (ff(e), np.zeros(N, I32)))
    if kind == "int":
        return Case(name, kind, f"rf = 0.0f; ri = {ic};", lambda e: (np.zeros(N, F32), if_(e)))
    if kind == "convert":
        which = int(r.integers(0, 4))
        body = [
            "rf = (float)(ia * 37 + ib); ri = (int)(fa * 1000.0f);",
            "rf = __half2float(__float2half(fa * 100.0f)); ri = (int)(unsigned)fabsf(fb * 1e4f);",
            "rf = __bfloat162float(__float2bfloat16(fa)); ri = (int)floorf(fb * 10.0f);",
            "rf = (float)(unsigned)(ia & 0x7fffffff); ri = (int)rintf(fa * 3.0f);",
        ][which]

        def ref(e: dict[str, np.ndarray], which: int = which) -> tuple[np.ndarray, np.ndarray]:
            fa, fb, ia, ib = e["fa"], e["fb"], e["ia"].astype(np.int64), e["ib"]
            if which == 0:
                return _wrap32(ia * 37 + ib).astype(F32), np.trunc(fa * F32(1000)).astype(I32)
            if which == 1:
                h = (fa * F32(100)).astype(np.float16).astype(F32)
                return h, np.trunc(np.abs(fb * F32(1e4))).astype(np.int64).astype(I32)
            if which == 2:
                return _bf16(fa), np.floor(fb * F32(10)).astype(I32)
            return (ia & 0x7FFFFFFF).astype(F32), np.rint(fa * F32(3)).astype(I32)

        return Case(name, kind, body, ref)
    if kind == "lanes":
        mask = int(r.choice([1, 2, 4, 8, 16, 32, 63]))
        delta = int(r.integers(1, 33))
        body = f"rf = __shfl_xor({fc}, {mask}); ri = __shfl_down({ic}, {delta});"

        def lanes_ref(e: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
            t = np.arange(N)
            f, iv = ff(e), if_(e)
            src = (t & ~63) + ((t & 63) + delta)
            down = np.where((t & 63) + delta < 64, iv[np.minimum(src, N - 1)], iv)
            return f[t ^ mask], down

        return Case(name, kind, body, lanes_ref)
    if kind == "branch":
        m = int(r.integers(2, 7))
        body = (
            f"if (t % {m} == 0) {{ rf = {fc}; }} else {{ rf = fa; }}\n"
            f"  ri = 0; for (int j = 0; j < (t % 5) + (ia & 3); ++j) ri += {ic};"
        )

        def branch_ref(e: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
            t = np.arange(N)
            trips = (t % 5) + (e["ia"] & 3)
            return (
                np.where(t % m == 0, ff(e), e["fa"]).astype(F32),
                _wrap32(trips.astype(np.int64) * if_(e)),
            )

        return Case(name, kind, body, branch_ref)
    if kind == "lds":
        shift = int(r.choice([64, 128, 37, 255, 1]))
        body = (
            f"s[t] = {fc}; si[t] = {ic};\n  __syncthreads();\n"
            f"  rf = s[(t + {shift}) % 256]; ri = si[255 - t];"
        )
        return Case(
            name,
            kind,
            body,
            lambda e: (ff(e)[(np.arange(N) + shift) % 256], if_(e)[255 - np.arange(N)]),
            lds=True,
        )
    buckets = int(r.choice([1, 4, 16]))
    body = (
        f"int key = (ia & 0x7fffffff) % {buckets};\n"
        "  int old = atomicAdd(&oi[256 + key], 1); atomicMax(&oi[300], ib);\n"
        "  rf = fa; ri = old >= 0 ? 0 : 1;"
    )

    def atomic_ref(e: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return e["fa"], np.zeros(N, I32)

    return Case(name, kind, body, atomic_ref, atomic=True)


def source(cases: list[Case]) -> str:
    parts = ["#include <hip/hip_runtime.h>", "#pragma clang fp contract(off)"]
    for c in cases:
        parts.append(f"""extern "C" __global__ void {c.name}(const float* A, const float* B,
    const int* IA, const int* IB, float* of, int* oi) {{
  __shared__ float s[256]; __shared__ int si[256];
  int t = threadIdx.x;
  float fa = A[t], fb = B[t]; int ia = IA[t], ib = IB[t];
  float rf; int ri;
  {c.body}
  of[t] = rf; oi[t] = ri;
  (void)s; (void)si; (void)fb; (void)ib;
}}""")
    return "\n".join(parts)


def run_case(code: object, env: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, int]:
    memory = DeviceMemory()
    addrs = [memory.alloc_bytes(np.ascontiguousarray(env[k]), k) for k in ("fa", "fb", "ia", "ib")]
    of = memory.alloc_bytes(np.zeros(N, F32), "of")
    oi = memory.alloc_bytes(np.zeros(512, I32), "oi")
    values = [*addrs, of, oi]
    kernarg = memory.alloc_bytes(kernarg_bytes(code, values, (1, 1, 1), (N, 1, 1)), "kernarg")  # type: ignore[arg-type]
    result = launch(code, (1, 1, 1), (N, 1, 1), kernarg, memory)  # type: ignore[arg-type]
    ints = memory.read(oi, np.dtype(I32), (512,)).copy()
    return (
        memory.read(of, np.dtype(F32), (N,)).copy(),
        ints,
        int(result.counters.get("lane_instructions", 0)),
    )


def fuzz(count: int, seed: int) -> int:
    rng = np.random.default_rng(seed)
    gen = Gen(rng)
    cases = [make_case(i, gen) for i in range(count)]
    env = {
        "fa": (rng.normal(size=N) * 10).astype(F32),
        "fb": (rng.normal(size=N) * 10).astype(F32),
        "ia": rng.integers(-(2**31), 2**31 - 1, N).astype(I32),
        "ib": rng.integers(-1000, 1000, N).astype(I32),
        "t": np.arange(N, dtype=I32),
    }
    misses = 0
    kinds: dict[str, int] = {}
    started = time.monotonic()
    for first in range(0, count, 50):
        batch = cases[first : first + 50]
        module = compile_hip(source(batch), "gfx942").module
        for case in batch:
            kinds[case.kind] = kinds.get(case.kind, 0) + 1
            try:
                got_f, got_i, _ = run_case(module.kernels[case.name], env)
            except KernelFault as fault:
                misses += 1
                print(f"{case.name} ({case.kind}): emulator fault: {fault}")
                continue
            with np.errstate(all="ignore"):
                exp_f, exp_i = case.ref(env)
            exp_f = np.asarray(exp_f, F32)
            same_f = (got_f.view(np.uint32) == exp_f.view(np.uint32)) | (
                np.isnan(got_f) & np.isnan(exp_f)
            )
            same_i = got_i[:N] == np.asarray(exp_i).astype(np.int64).astype(I32)
            if case.atomic:
                keys = (env["ia"].astype(np.int64) & 0x7FFFFFFF) % int(
                    case.body.split("% ")[1].split(";")[0]
                )
                counts = np.bincount(keys, minlength=44)[:44]
                same_i = same_i & (got_i[256:300] == counts).all() & (got_i[300] == env["ib"].max())
            if not (same_f.all() and np.all(same_i)):
                misses += 1
                bad = int(np.argmin(same_f & same_i))
                print(
                    f"{case.name} ({case.kind}) lane {bad}: got {got_f[bad]!r}/{got_i[bad]}, "
                    f"expected {exp_f[bad]!r}/{np.asarray(exp_i)[bad]}\n  {case.body}"
                )
    mix = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    print(
        f"{count} random kernels ({mix}): {count - misses} bit-exact, {misses} misses "
        f"({time.monotonic() - started:.1f} s)"
    )
    return misses


MATMUL = """#include <hip/hip_runtime.h>
extern "C" __global__ void mm(const float* a, const float* b, float* c, int n) {
  __shared__ float ta[16][16], tb[16][16];
  int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  int row = blockIdx.y * 16 + ty, col = blockIdx.x * 16 + tx;
  float acc = 0.0f;
  for (int p = 0; p < n; p += 16) {
    ta[ty][tx] = a[row * n + p + tx];
    tb[ty][tx] = b[(p + ty) * n + col];
    __syncthreads();
    for (int q = 0; q < 16; ++q) acc += ta[ty][q] * tb[q][tx];
    __syncthreads();
  }
  c[row * n + col] = acc;
}"""


def speed() -> float:
    n = 128
    code = compile_hip(MATMUL, "gfx942").module.kernels["mm"]
    rng = np.random.default_rng(0)
    a = rng.normal(size=(n, n)).astype(F32)
    b = rng.normal(size=(n, n)).astype(F32)
    memory = DeviceMemory()
    pa, pb = memory.alloc_bytes(a, "a"), memory.alloc_bytes(b, "b")
    pc = memory.alloc(n * n * 4, "c")
    grid = (n // 16, n // 16, 1)
    kernarg = memory.alloc_bytes(kernarg_bytes(code, [pa, pb, pc, n], grid, (256, 1, 1)), "k")
    started, cpu = time.perf_counter(), time.process_time()
    result = launch(code, grid, (256, 1, 1), kernarg, memory)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    c = memory.read(pc, np.dtype(F32), (n, n))
    assert np.allclose(c, a @ b, rtol=1e-4, atol=1e-3), "the tiled matmul is wrong"
    lanes = result.counters["lane_instructions"]
    rate = lanes / max(cpu, 1e-9)
    print(
        f"tiled matmul {n}x{n}x{n}: {lanes} lane-instructions in {cpu:.2f} s of CPU "
        f"({elapsed:.2f} s wall) = {rate / 1e6:.2f} M lane-instructions per CPU second"
    )
    return rate


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if find_clang() is None:
        sys.exit("clang-19 is not installed: run scripts/install.sh")
    failures = fuzz(args.kernels, args.seed)
    speed()
    sys.exit(1 if failures else 0)
