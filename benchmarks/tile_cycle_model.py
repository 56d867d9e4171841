"""Does TILE's cycle model reward what it should? GEMM kernels written in TILE assembly.

Run: python benchmarks/tile_cycle_model.py   (exits non-zero when a claim fails)

Claims:
(a) double buffering: on y[1024, 32] = x[1024, 32] @ w[32, 32] in blocks of 64 rows, each
    block moves 2 x 2,048 words (dld 256 + dst 256 cycles) and computes 4 mw + 4 mm/mma
    (384 cycles): DMA and compute are of similar size, so overlapping them should give at
    least 1.3x over loading, computing and storing one block at a time.
(b) weight reuse: on y[256, 64] = x[256, 64] @ w[64, 64] with all operands on chip, one `mw`
    followed by one `mm` over all 256 rows should beat an `mw` before every 16-row `mm` by at
    least 1.3x (16 + 272 cycles per weight tile instead of 16 x (16 + 32)).
(c) speed of the simulator: a 256^3 GEMM with 16x16 output tiles (~25,000 executed
    instructions) simulates in under a second.
Every output is checked against NumPy (x and w rounded to bf16, products summed exactly).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import numpy as np

from isa.accel.common.memory import DramRegion
from isa.accel.common.numerics import bf16_round
from isa.accel.tile.assembler import assemble
from isa.accel.tile.machine import roofline_cycles
from isa.accel.tile.simulator import run

# (a) One 64-row block at a time: load it, multiply, store it, wait for each step.
SINGLE_BUFFERED = """
.equ R, 64                      ; rows per block
.equ XB, 4096                   ; the block of x in S; w stays at S[0]
        dld   t0, S[0, $N], D[@w, $N], $K, $N
        dwait t0
        loop  r1, $M / R        ; r1 = block
        mul   r2, r1, R * $K
        dld   t1, S[XB, $K], D[r2 + @x, $K], R, $K
        dwait t1
        loop  r3, $N / 16       ; r3 = column tile of w and y
        mul   r4, r3, 16
        mw    S[r4, $N], 16, 16
        mm    A[r4, $N], S[XB, $K], R
        loop  r5, $K / 16 - 1   ; the other row tiles of w
        add   r6, r5, 1
        mul   r7, r6, 16 * $N
        add   r7, r7, r4
        mw    S[r7, $N], 16, 16
        mul   r8, r6, 16
        mma   A[r4, $N], S[r8 + XB, $K], R
        endloop
        endloop
        mul   r9, r1, R * $N
        dst   t2, D[r9 + @y, $N], A[0, $N], R, $N
        dwait t2
        endloop
"""

# (a) Two x buffers and two output buffers: block i+1 loads and block i-1 stores while
# block i is multiplied.
DOUBLE_BUFFERED = """
.equ R, 64
.equ XB, 4096                   ; x buffers at XB and XB + XS
.equ XS, R * $K
.equ OS, R * $N                 ; output buffers at A[0] and A[OS]
.equ NB, $M / R
        dld   t0, S[0, $N], D[@w, $N], $K, $N
        dld   t1, S[XB, $K], D[@x, $K], R, $K
        dwait t0
        loop  r1, NB
        rem   r10, r1, 2
        mul   r11, r10, XS      ; this block's x buffer (from XB)
        mul   r12, r10, OS      ; this block's output buffer
        dwait t1                ; block r1 has arrived
        add   r2, r1, 1
        bge   r2, NB, compute
        sub   r13, r0, r11
        add   r13, r13, XS      ; the other x buffer
        mul   r2, r2, R * $K
        dld   t1, S[r13 + XB, $K], D[r2 + @x, $K], R, $K
compute:
        loop  r3, $N / 16
        mul   r4, r3, 16
        add   r14, r4, r12
        mw    S[r4, $N], 16, 16
        mm    A[r14, $N], S[r11 + XB, $K], R
        loop  r5, $K / 16 - 1
        add   r6, r5, 1
        mul   r7, r6, 16 * $N
        add   r7, r7, r4
        mw    S[r7, $N], 16, 16
        mul   r8, r6, 16
        add   r8, r8, r11
        mma   A[r14, $N], S[r8 + XB, $K], R
        endloop
        endloop
        dwait t2                ; the previous block's store, from the other buffer
        mul   r9, r1, R * $N
        dst   t2, D[r9 + @y, $N], A[r12, $N], R, $N
        endloop
        dwait t2
"""

_LOAD_ALL = """
.equ XB, 4096                   ; w at S[0], all of x at S[XB]
        dld   t0, S[0, $N], D[@w, $N], $K, $N
        dld   t1, S[XB, $K], D[@x, $K], $M, $K
        dwait t0
        dwait t1
"""

_STORE_ALL = """
        dst   t2, D[@y, $N], A[0, $N], $M, $N
        dwait t2
"""

# (b) An `mw` before every 16-row `mm`: each weight tile is loaded M / 16 times.
RELOAD_WEIGHTS = (
    _LOAD_ALL
    + """
        loop  r1, $M / 16       ; r1 = row tile
        mul   r2, r1, 16 * $K
        mul   r3, r1, 16 * $N
        loop  r4, $N / 16
        mul   r5, r4, 16
        add   r6, r3, r5
        mw    S[r5, $N], 16, 16
        mm    A[r6, $N], S[r2 + XB, $K], 16
        loop  r7, $K / 16 - 1
        add   r8, r7, 1
        mul   r9, r8, 16 * $N
        add   r9, r9, r5
        mw    S[r9, $N], 16, 16
        mul   r10, r8, 16
        add   r10, r10, r2
        mma   A[r6, $N], S[r10 + XB, $K], 16
        endloop
        endloop
        endloop
"""
    + _STORE_ALL
)

# (b) One `mw` per weight tile, then one `mm` over all M rows.
REUSE_WEIGHTS = (
    _LOAD_ALL
    + """
        loop  r4, $N / 16
        mul   r5, r4, 16
        mw    S[r5, $N], 16, 16
        mm    A[r5, $N], S[XB, $K], $M
        loop  r7, $K / 16 - 1
        add   r8, r7, 1
        mul   r9, r8, 16 * $N
        add   r9, r9, r5
        mw    S[r9, $N], 16, 16
        mul   r10, r8, 16
        mma   A[r5, $N], S[r10 + XB, $K], $M
        endloop
        endloop
"""
    + _STORE_ALL
)

# (c) 16x16 output tiles: a K x 16 panel of w, then a 16-row tile of x at a time.
TILES_16 = """
.equ XB, 8192
        vshape 16, 16
        loop  r1, $N / 16       ; r1 = column tile
        mul   r2, r1, 16
        dld   t0, S[0, 16], D[r2 + @w, $N], $K, 16
        dwait t0
        loop  r3, $M / 16       ; r3 = row tile
        mul   r4, r3, 16 * $K
        dld   t1, S[XB, $K], D[r4 + @x, $K], 16, $K
        dwait t1
        vfill A[0], #0
        loop  r5, $K / 16
        mul   r6, r5, 256
        mw    S[r6, 16], 16, 16
        mul   r7, r5, 16
        mma   A[0], S[r7 + XB, $K], 16
        endloop
        mul   r8, r3, 16 * $N
        add   r8, r8, r2
        dst   t2, D[r8 + @y, $N], A[0], 16, 16
        dwait t2
        endloop
        endloop
"""


@dataclass
class Result:
    name: str
    shape: tuple[int, int, int]
    cycles: int
    roofline: float
    seconds: float
    instructions: int


def gemm(name: str, source: str, m: int, k: int, n: int) -> Result:
    """Run y = x @ w through `source` and check y against NumPy."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((m, k), dtype=np.float32)
    w = rng.standard_normal((k, n), dtype=np.float32)
    at_x, at_w, at_y = 0, m * k, m * k + k * n
    dram = np.concatenate([x.ravel(), w.ravel(), np.full(m * n, np.nan, np.float32)])
    regions = [
        DramRegion("x", at_x, m * k, writable=False),
        DramRegion("w", at_w, k * n, writable=False),
        DramRegion("y", at_y, m * n),
    ]
    symbols = {"$M": m, "$K": k, "$N": n, "@x": at_x, "@w": at_w, "@y": at_y}
    program = assemble(source, symbols)
    start = time.perf_counter()
    stats = run(program, dram, regions=regions)
    seconds = time.perf_counter() - start
    y = dram[at_y:].reshape(m, n)
    expected = bf16_round(x).astype(np.float64) @ bf16_round(w).astype(np.float64)
    if not np.allclose(y, expected, rtol=1e-5, atol=1e-4):
        raise SystemExit(f"{name}: wrong result (max error {np.nanmax(np.abs(y - expected))})")
    roofline = roofline_cycles(m * k * n, m * k + k * n + m * n)
    return Result(name, (m, k, n), stats.cycles, roofline, seconds, stats.instructions)


def main() -> int:
    single = gemm("single-buffered", SINGLE_BUFFERED, 1024, 32, 32)
    double = gemm("double-buffered", DOUBLE_BUFFERED, 1024, 32, 32)
    reload = gemm("mw before every mm", RELOAD_WEIGHTS, 256, 64, 64)
    reuse = gemm("one mw, one long mm", REUSE_WEIGHTS, 256, 64, 64)
    tiles = gemm("16x16 output tiles", TILES_16, 256, 256, 256)

    print(
        f"{'kernel':22} {'M x K x N':>16} {'cycles':>9} {'roofline':>9} {'% roof':>7} "
        f"{'instrs':>7} {'sim s':>6}"
    )
    for r in (single, double, reload, reuse, tiles):
        shape = " x ".join(str(s) for s in r.shape)
        print(
            f"{r.name:22} {shape:>16} {r.cycles:9,d} {r.roofline:9,.0f} "
            f"{100 * r.roofline / r.cycles:6.1f}% {r.instructions:7,d} {r.seconds:6.3f}"
        )

    claims = [
        (
            "(a) double buffering gains >= 1.3x",
            single.cycles / double.cycles >= 1.3,
            f"{single.cycles / double.cycles:.2f}x",
        ),
        (
            "(b) weight reuse gains >= 1.3x",
            reload.cycles / reuse.cycles >= 1.3,
            f"{reload.cycles / reuse.cycles:.2f}x",
        ),
        ("(c) a 256^3 GEMM simulates in < 1 s", tiles.seconds < 1.0, f"{tiles.seconds:.3f} s"),
    ]
    print()
    for text, ok, figure in claims:
        print(f"{'PASS' if ok else 'FAIL'}  {text}: {figure}")
    failed = not all(ok for _, ok, _ in claims)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
