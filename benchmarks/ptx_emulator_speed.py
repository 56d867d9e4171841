"""How fast is the PTX emulator? Thread-instructions per second on real nvcc kernels, and a
128x128 tiled matmul next to Numba's CUDA simulator running the same kernel in numba.cuda.

Run: python benchmarks/ptx_emulator_speed.py [--size 128] [--skip-numba]
(needs nvcc; the comparison needs `pip install numba`; exits non-zero when a claim fails)

Claims:
(a) the emulator runs the 16x16-tiled matmul (C = A @ B, all sizes `--size`) at least 20x
    faster than Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1) runs the same algorithm;
(b) the emulator's result is bit-exact: equal to NumPy doing, per output, the same sequence
    of correctly rounded f32 fused multiply-adds that nvcc emits (fma.rn.f32); Numba's result
    is within float32 rounding of the float64 product.
Figures printed: wall time of each, thread-instructions per second of the emulator on the
matmul, a vector add and a row softmax.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from isa.nvidia.ptx import DeviceMemory, Module, launch, load_module
from isa.nvidia.ptx.numerics import fma_f32
from isa.nvidia.toolchain import find_tool

KERNELS = Path(__file__).resolve().parents[1] / "tests" / "isa" / "nvidia" / "ptx" / "kernels"

NUMBA_MATMUL = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from numba import cuda, float32

    T = 16

    @cuda.jit
    def matmul_tiled(A, B, C, M, N, K):
        As = cuda.shared.array((T, T), float32)
        Bs = cuda.shared.array((T, T), float32)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        row = cuda.blockIdx.y * T + ty
        col = cuda.blockIdx.x * T + tx
        acc = float32(0.0)
        for k0 in range(0, K, T):
            As[ty, tx] = A[row, k0 + tx] if row < M and k0 + tx < K else float32(0.0)
            Bs[ty, tx] = B[k0 + ty, col] if col < N and k0 + ty < K else float32(0.0)
            cuda.syncthreads()
            for k in range(T):
                acc += As[ty, k] * Bs[k, tx]
            cuda.syncthreads()
        if row < M and col < N:
            C[row, col] = acc

    n = int(sys.argv[1])
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n)).astype(np.float32)
    B = rng.standard_normal((n, n)).astype(np.float32)
    C = np.zeros((n, n), np.float32)
    grid = ((n + T - 1) // T, (n + T - 1) // T)
    t0 = time.perf_counter()
    matmul_tiled[grid, (T, T)](A, B, C, n, n, n)
    dt = time.perf_counter() - t0
    err = float(np.abs(C - A.astype(np.float64) @ B).max())
    print(f"{dt} {err}")
    """
)


def compile_basics() -> Module:
    nvcc = find_tool("nvcc")
    if nvcc is None:
        sys.exit("nvcc is not installed; the benchmark compiles real CUDA kernels")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "basics.ptx"
        cmd = [nvcc, "-arch=sm_90", "-O3", "-lineinfo", "-ptx", str(KERNELS / "basics.cu")]
        subprocess.run([*cmd, "-o", str(out)], check=True, capture_output=True)
        return load_module(out.read_text())


def fma_matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """C = A @ B as the kernel computes it: acc = fma(a_k, b_k, acc) for k = 0, 1, ..."""
    acc = np.zeros((A.shape[0], B.shape[1]), np.float32)
    for k in range(A.shape[1]):
        acc = fma_f32(A[:, k : k + 1], B[k : k + 1, :], acc)
    return acc


def emulate_matmul(module: Module, n: int) -> tuple[float, int, float, bool]:
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n)).astype(np.float32)
    B = rng.standard_normal((n, n)).astype(np.float32)
    mem = DeviceMemory()
    pa, pb, pc = mem.alloc_array(A, "A"), mem.alloc_array(B, "B"), mem.alloc(4 * n * n, "C")
    grid = (-(-n // 16), -(-n // 16), 1)
    t0 = time.perf_counter()
    r = launch(module, "matmul_tiled", grid, (16, 16, 1), [pa, pb, pc, n, n, n], mem)
    dt = time.perf_counter() - t0
    C = mem.read(pc, np.float32, (n, n))
    err = float(np.abs(C - A.astype(np.float64) @ B).max())
    exact = bool(np.array_equal(C.view(np.uint32), fma_matmul(A, B).view(np.uint32)))
    return dt, r.counters.thread_instructions, err, exact


def rate(module: Module, kernel: str) -> tuple[float, int]:
    mem = DeviceMemory()
    if kernel == "vadd":
        n = 1 << 20
        x = mem.alloc_array(np.ones(n, np.float32))
        y = mem.alloc_array(np.ones(n, np.float32))
        z = mem.alloc(4 * n)
        t0 = time.perf_counter()
        r = launch(module, "vadd", (n // 256, 1, 1), (256, 1, 1), [x, y, z, n], mem)
    else:
        rows, n = 256, 4096
        x = mem.alloc_array(np.random.default_rng(0).standard_normal((rows, n), np.float32))
        y = mem.alloc(4 * rows * n)
        t0 = time.perf_counter()
        r = launch(
            module,
            "softmax_rows",
            (rows, 1, 1),
            (256, 1, 1),
            [x, y, n],
            mem,
            dynamic_shared_bytes=32,
        )
    return time.perf_counter() - t0, r.counters.thread_instructions


def numba_matmul(n: int) -> tuple[float, float] | None:
    try:
        import numba  # noqa: F401
    except ImportError:
        return None
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "numba_matmul.py"
        script.write_text(NUMBA_MATMUL)
        proc = subprocess.run(
            [sys.executable, str(script), str(n)], env=env, capture_output=True, text=True
        )
    if proc.returncode != 0:
        sys.exit(f"the Numba simulator run failed: {proc.stderr.strip().splitlines()[-1]}")
    wall, err = proc.stdout.split()
    return float(wall), float(err)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128, help="matmul size (M = N = K)")
    parser.add_argument("--skip-numba", action="store_true", help="do not run Numba's simulator")
    args = parser.parse_args()
    module = compile_basics()
    ok = True
    print(f"16x16-tiled matmul, {args.size}x{args.size}x{args.size}, float32")
    emu_s, thr, err, exact = emulate_matmul(module, args.size)
    print(
        f"  PTX emulator:   {emu_s:8.3f} s  {thr / emu_s / 1e6:7.1f} M thread-instr/s  "
        f"max err vs f64 {err:.2e}  bit-exact vs f32 fma chain: {exact}"
    )
    ok &= exact
    if not args.skip_numba:
        got = numba_matmul(args.size)
        if got is None:
            print("  Numba simulator: skipped (pip install numba)")
        else:
            nb_s, nb_err = got
            print(f"  Numba CUDA sim: {nb_s:8.3f} s  max err vs f64 {nb_err:.2e}")
            print(f"  speed-up: {nb_s / emu_s:.0f}x (claim: at least 20x)")
            ok &= nb_s / emu_s >= 20
    for kernel, label in (("vadd", "vector add, 2^20 floats"), ("softmax", "softmax, 256 x 4096")):
        dt, thr = rate(module, kernel)
        print(f"{label}: {dt:.3f} s, {thr / dt / 1e6:.1f} M thread-instr/s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
