"""The timing model responds to what it should: occupancy, waves and tails, coalescing."""

from __future__ import annotations

import pytest

from isa.nvidia.ptx import Counters, Resources, estimate_time
from isa.nvidia.ptx.timing import H100_SXM, occupancy


def _streaming(blocks: int, sectors_per_request: int = 4) -> Counters:
    warps = blocks * 8
    c = Counters(
        warp_instructions={
            "int": 10 * warps,
            "fp32": warps,
            "ld_global": 2 * warps,
            "st_global": warps,
        }
    )
    c.global_load_requests = 2 * warps
    c.global_load_sectors = 2 * warps * sectors_per_request
    c.global_store_requests = warps
    c.global_store_sectors = warps * sectors_per_request
    c.global_footprint_bytes = 32 * (c.global_load_sectors + c.global_store_sectors)
    c.blocks, c.warps = blocks, warps
    return c


def test_occupancy_limits() -> None:
    assert occupancy(Resources(32, 0, 256), H100_SXM) == (8, "warps")
    assert occupancy(Resources(128, 0, 256), H100_SXM) == (2, "registers")
    assert occupancy(Resources(32, 100 * 1024, 128), H100_SXM) == (2, "shared")
    assert occupancy(Resources(16, 0, 32), H100_SXM) == (32, "blocks")


def test_large_streaming_kernel_is_dram_bound_near_roofline() -> None:
    est = estimate_time(_streaming(65536), Resources(16, 0, 256), (65536, 1, 1))
    assert est.limiter == "dram"
    assert 70 < est.roofline_pct <= 100


def test_uncoalesced_access_costs_more() -> None:
    good = estimate_time(_streaming(8192, 4), Resources(16, 0, 256), (8192, 1, 1))
    bad = estimate_time(_streaming(8192, 32), Resources(16, 0, 256), (8192, 1, 1))
    assert bad.us > 2 * good.us


def test_tail_effect_of_a_partial_wave() -> None:
    per_block = 2000
    one = Counters(warp_instructions={"fp32": 132 * per_block}, blocks=132, warps=132 * 8)
    more = Counters(warp_instructions={"fp32": 133 * per_block}, blocks=133, warps=133 * 8)
    r = Resources(32, 0, 256)
    t1 = estimate_time(one, r, (132, 1, 1))
    t2 = estimate_time(more, r, (133, 1, 1))
    assert t2.breakdown["fp32"] == pytest.approx(2 * t1.breakdown["fp32"])


def test_unknown_gpu_and_oversized_blocks_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown GPU"):
        estimate_time(Counters(), Resources(1, 0, 32), (1, 1, 1), gpu="B200")
    with pytest.raises(ValueError, match="exceed"):
        estimate_time(Counters(), Resources(1, 300 * 1024, 32), (1, 1, 1))
