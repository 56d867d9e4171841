"""The cycle model: interlocks and latencies, bank conflicts, branches, hardware loops, DMA,
and the counters a profile is made of."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from isa.accel.vlx.backend import profile_report
from isa.accel.vlx.machine import dma_cycles

Vlx = Callable[..., Any]


@pytest.mark.parametrize(
    ("code", "cycles", "stalls"),
    [
        ("nop\nnop\nnop", 3, {}),
        ("{ nop ; li r1, 1 ; li r2, 2 ; vmov v1, #1 ; vmul v2, v3, v4 }", 4, {}),  # ends when ready
        ("vld v1, L[0]\nvadd v2, v1, v1", 5, {"load": 2}),  # vld at 0, vadd at 3, ready at 5
        ("vld v1, L[0]\nvmul v2, v1, v1\nvst L[16], v2", 8, {"load": 2, "vmac": 3}),
        ("vexp v1, v2\nvexp v3, v1", 12, {"special": 5}),
        ("vredsum v1, v2\nvrelu v3, v1", 6, {"reduce": 3}),
        ("li r1, 3\nadd r2, r1, r1", 2, {}),  # scalar results are ready the next cycle
        ("vmov v1, #1\nvmov v1, #2", 4, {"valu": 1}),  # a write waits for the pending one
        ("{ vmov v1, #1 ; vld v2, L[r3] }\nvst L[0], v1", 3, {"valu": 1}),
    ],
)
def test_latencies_and_interlocks(vlx: Vlx, code: str, cycles: int, stalls: dict[str, int]) -> None:
    stats = vlx(code).stats
    assert stats.cycles == cycles
    assert stats.stalls == stalls


def test_several_accumulators_hide_the_mac_latency(vlx: Vlx) -> None:
    one = vlx("vclr a0\nloop r1, 8\nvmac a0, v1, v2\nendloop").stats
    four = vlx(
        "vclr a0\nloop r1, 2\nvmac a0, v1, v2\nvmac a1, v1, v2\nvmac a2, v1, v2\n"
        "vmac a3, v1, v2\nendloop"
    ).stats
    assert one.cycles == 2 + 7 * 4 + 4  # each vmac waits for the last: 3 stall cycles
    assert one.stalls == {"vmac": 7 * 3}
    assert four.cycles == 2 + 8 + 3  # back to back
    assert four.stalls == {}


@pytest.mark.parametrize(
    ("bundle", "extra"),
    [
        ("{ vld v1, L[0] ; vld v2, L[16] }", 0),  # lines 0 and 1: banks 0 and 1
        ("{ vld v1, L[0] ; vld v2, L[128] }", 1),  # lines 0 and 8: both bank 0
        ("{ vld v1, L[8] ; vld v2, L[16] }", 1),  # unaligned: lines 0 and 1, then line 1
        ("{ vld v1, L[0] ; vst L[1024], v3 }", 1),
        ("{ vld1 v1, L[3] ; vld1 v2, L[7] ; vst1 L[129], v3[0] }", 2),
        ("{ vld1 v1, L[3] ; vld1 v2, L[23] ; vst1 L[40], v3[0] }", 0),
    ],
)
def test_bank_conflicts_cost_a_cycle_per_extra_access(vlx: Vlx, bundle: str, extra: int) -> None:
    stats = vlx(bundle).stats
    assert stats.cycles == 1 + extra + 2  # results of a load are ready 3 cycles after issue
    assert stats.stalls == ({"bank": extra} if extra else {})


@pytest.mark.parametrize(
    ("code", "cycles"),
    [
        ("li r1, 0\nbeq r1, 0, x\nx: nop", 3 + 2),  # a taken branch costs 2 more
        ("li r1, 0\nbne r1, 0, x\nx: nop", 3),
        ("jmp x\nx: nop", 2 + 2),
        ("loop r1, 10\nnop\nendloop", 1 + 10),  # nothing per iteration
        ("loop r1, 0\nnop\nendloop\nnop", 1 + 1),
    ],
)
def test_control_costs(vlx: Vlx, code: str, cycles: int) -> None:
    assert vlx(code).stats.cycles == cycles


def test_dwait_stalls_until_the_transfer_finishes(vlx: Vlx) -> None:
    stats = vlx("dld t0, L[0], D[@x], 16, 16\ndwait t0", inputs={"x": np.zeros((16, 16))}).stats
    cost = dma_cycles(16, 16)
    assert cost == 32 + 16 + 32
    assert stats.cycles == cost + 1
    assert stats.stalls == {"dwait": cost - 1}
    assert stats.busy["dma_engine"] == cost
    assert stats.line_cycles[2] == cost  # the dwait line: 1 issue + its stall


def test_a_fifth_unfinished_transfer_waits_for_the_queue(vlx: Vlx) -> None:
    code = "".join(f"dld t0, L[{16 * i}], D[@x], 1, 8\n" for i in range(5)) + "dwait t0"
    stats = vlx(code, inputs={"x": np.zeros(8)}).stats
    cost = dma_cycles(1, 8)
    assert stats.stalls["dma_queue"] == cost - 4  # the fifth issues when the first finishes
    assert stats.cycles == 5 * cost + 1  # the engine runs them one after another


PREFETCH = """
        dld   t0, L[0], D[@x], 1, 512
        dwait t0
        {load}
        li    r1, 0
        loop  r2, 32
        vld   v1, L[r1] || add r1, r1, 16
        vexp  v2, v1
        vst   L[r1 + 1008], v2
        endloop
        dwait t1
"""


def test_double_buffering_overlaps_transfers_with_compute(vlx: Vlx) -> None:
    x = {"x": np.zeros(512)}
    other = vlx(PREFETCH.format(load="dld t1, L[4096], D[@x], 1, 512"), inputs=x).stats
    with pytest.raises(Exception, match="destination of the dld"):
        vlx(PREFETCH.format(load="dld t1, L[0], D[@x], 1, 512"), inputs=x)
    compute = 32 * (3 + 2 + 5)  # per iteration: 3 bundles, 2 cycles for vld, 5 for vexp
    transfer = dma_cycles(1, 512)
    # The first transfer, then the loop with the second transfer running alongside it.
    assert transfer + compute < other.cycles <= transfer + compute + 5
    assert other.stalls["dwait"] == transfer - 1 and other.busy["dma_engine"] == 2 * transfer


def test_counters_and_profile(vlx: Vlx) -> None:
    code = """
        dld   t0, L[0], D[@x], 1, 64
        dwait t0
        vclr  a0
        loop  r1, 4
        { vld v1, L[r2] ; vld v2, L[r2 + 128] ; add r2, r2, 16 }
        vmac  a0, v1, v2
        endloop
        vrd   v3, a0
        vst   L[256], v3
        dst   t1, D[@y], L[256], 1, 16
        dwait t1
    """
    stats = vlx(code, inputs={"x": np.ones(64)}, outputs={"y": (16,)}).stats
    assert stats.macs == 4 * 16
    assert stats.busy["load"] == 8 and stats.busy["vmac"] == 4 + 2  # vclr and vrd too
    assert stats.stalls["bank"] == 4  # rows 128 words apart share a bank
    assert stats.dma_bytes_loaded == 256 and stats.dma_bytes_stored == 64
    assert stats.bundles == 2 + 1 + 1 + 8 + 4
    report = profile_report(stats.to_dict(), stats.cycles, 20.0)
    for text in ("roofline bound 20", "vmac 6", "bank conflicts in local memory 4", "DMA: 256 B"):
        assert text in report
    assert len(report.splitlines()) <= 10
