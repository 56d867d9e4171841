"""The cycle model: issue, engine queues, the scoreboard, dwait, overlap, and the counters."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from isa.accel.common.numerics import bf16_round

Tile = Callable[..., Any]
BLOCK = {"x": np.zeros((16, 256))}


@pytest.mark.parametrize(
    ("code", "cycles"),
    [
        ("nop\nnop\nnop", 3),
        ("li r1, 0\nbeq r1, 0, x\nx:", 1 + 3),  # a taken branch costs 2 more
        ("li r1, 0\nbne r1, 0, x\nx:", 1 + 1),
        ("jmp x\nx:", 3),
        ("loop r1, 10\nnop\nendloop", 1 + 10),  # nothing per iteration
    ],
)
def test_scalar_costs(tile: Tile, code: str, cycles: int) -> None:
    assert tile(code).stats.cycles == cycles


def test_dwait_stalls_issue_until_the_transfer_finishes(tile: Tile) -> None:
    stats = tile("dld t0, S[0], D[@x], 16, 16\ndwait t0", inputs={"x": np.zeros((16, 16))}).stats
    assert stats.cycles == (64 + 16 + 16) + 1  # dwait issues the cycle the transfer finishes
    assert stats.stalls == {"dwait": 96 - 1}
    assert stats.busy == {"scalar": 2, "dma": 96, "matrix": 0, "vector": 0}
    assert stats.line_stalls[2] == 95


PREFETCH = """
        dld   t0, S[0], D[@x], 16, 256     ; 336 cycles
        dwait t0
        vshape 16, 256
        {second}
        {first}
        dwait t1
"""
LOAD_OTHER_BUFFER = "dld t1, S[8192], D[@x], 16, 256"
LOAD_SAME_BUFFER = "dld t1, S[0], D[@x], 16, 256"
EXP = "vexp S[4096], S[0]                 ; 8 + 2 * 256 = 520 cycles"


def test_double_buffering_overlaps_transfers_with_compute(tile: Tile) -> None:
    overlapped = tile(PREFETCH.format(second=LOAD_OTHER_BUFFER, first=EXP), inputs=BLOCK).stats
    # The second load writes the buffer the vexp reads, so it waits for it (WAR).
    serial = tile(PREFETCH.format(second=EXP, first=LOAD_SAME_BUFFER), inputs=BLOCK).stats
    busy = 336 + 336 + 520
    assert overlapped.cycles == 338 + 1 + 520  # the vexp issues at 339, the load runs alongside
    assert serial.cycles == 338 + 520 + 336 + 1
    assert overlapped.cycles < busy < serial.cycles
    assert overlapped.busy["dma"] == serial.busy["dma"] == 672
    assert overlapped.hot_line == 6 and overlapped.hot_lines()[0] == (6, 520)


def test_scoreboard_orders_engines_on_shared_memory(tile: Tile) -> None:
    program = """
        vshape 16, 16
        mw    S[0], 16, 16                 ; 16 cycles, from cycle 1
        mm    A[0], S[0], 16               ; 32 cycles, after the mw
        vrelu S[1000], {source}            ; 24 cycles
    """
    after_mm = tile(program.format(source="A[0]")).stats  # reads what mm writes: waits
    independent = tile(program.format(source="S[2000]")).stats
    assert after_mm.cycles == 17 + 32 + 24
    assert independent.cycles == 17 + 32
    assert after_mm.busy == independent.busy


def test_full_queue_stalls_issue(tile: Tile) -> None:
    stats = tile("vshape 16, 16\n" + "vrelu S[0], S[0]\n" * 10).stats
    # v1 starts at 1 and each takes 24 cycles; v10 finds v2..v9 waiting and issues when v2
    # starts, at 25.
    assert stats.cycles == 1 + 24 * 10
    assert stats.stalls == {"queue_full:vector": 25 - 10}
    assert stats.busy["vector"] == 240


def test_the_scalar_unit_runs_ahead_of_the_engines(tile: Tile) -> None:
    stats = tile("vshape 16, 256\nvexp S[0], S[0]\n" + "nop\n" * 100).stats
    assert stats.cycles == 1 + 520  # the nops issue while the vexp runs
    assert stats.busy["scalar"] == 102


GEMM_TILES = """
.equ XB, 8192
        vshape 16, 16
        loop  r1, $N / 16
        mul   r2, r1, 16
        dld   t0, S[0, 16], D[r2 + @w, $N], $K, 16
        dwait t0
        loop  r3, $M / 16
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


def test_gemm_256_is_fast_deterministic_and_correct(tile: Tile) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((256, 256)).astype(np.float32)
    w = rng.standard_normal((256, 256)).astype(np.float32)
    sizes = {"M": 256, "K": 256, "N": 256}
    start = time.perf_counter()
    first = tile(GEMM_TILES, inputs={"x": x, "w": w}, outputs={"y": (256, 256)}, sizes=sizes)
    seconds = time.perf_counter() - start
    again = tile(GEMM_TILES, inputs={"x": x, "w": w}, outputs={"y": (256, 256)}, sizes=sizes)
    assert seconds < 2.0  # ~0.25 s on a laptop; generous for a loaded CI machine
    assert first.stats == again.stats
    assert first.stats.instructions > 20_000
    assert first.stats.macs == 256**3
    expected = bf16_round(x).astype(np.float64) @ bf16_round(w).astype(np.float64)
    np.testing.assert_allclose(first["y"], expected, rtol=1e-5, atol=1e-4)
    counters = first.stats.to_dict()
    assert counters["cycles"] == first.stats.cycles
    assert set(counters["busy"]) == {"scalar", "dma", "matrix", "vector"}
    assert 0 < counters["utilization"]["matrix"] <= 1
