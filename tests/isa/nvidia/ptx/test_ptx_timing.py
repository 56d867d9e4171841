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


def test_each_architecture_has_its_own_machine() -> None:
    from isa.nvidia.machines import machine_for

    a100, h100 = machine_for("sm_80"), machine_for("sm_90")
    assert (a100.sms, a100.max_shared_per_block, a100.fp32_lanes_per_sm) == (108, 166_912, 64)
    assert (h100.sms, h100.fp32_lanes_per_sm) == (132, 128)
    with pytest.raises(ValueError, match="no machine model"):
        machine_for("sm_75")


def _profile(work: list[float]) -> Counters:
    """Counters of blocks doing `work[i]` fp32 warp instructions each (block i)."""
    import numpy as np

    from isa.nvidia.ptx.results import CLASSES, BlockProfile

    n = len(work)
    by_class = np.zeros((n, len(CLASSES)))
    by_class[:, CLASSES.index("fp32")] = work
    path = np.asarray(work, dtype=float) * 4
    zeros = np.zeros(n)
    c = Counters(warp_instructions={"fp32": int(sum(work))}, blocks=n, warps=n)
    c.profile = BlockProfile(np.arange(n), by_class, path, path, zeros, zeros.copy(), zeros.copy())
    return c


def test_the_busiest_sm_sets_the_time_and_imbalance_shows() -> None:
    r = Resources(32, 0, 32)
    spread = estimate_time(_profile([1000.0] * 264), r, (264, 1, 1))
    gathered = estimate_time(_profile([264_000.0] + [0.0] * 263), r, (264, 1, 1))
    assert gathered.us > 50 * spread.us
    assert gathered.imbalance > 50 and spread.imbalance == pytest.approx(1.0)


def test_a_sample_covers_every_kind_of_block_and_the_heaviest_stands_for_its_kind() -> None:
    import numpy as np

    from isa.nvidia.ptx.sampling import expand, sample_blocks, signatures

    grid = (10, 7, 3)
    ids = np.asarray(sample_blocks(grid, np.random.default_rng(0)))
    every = np.arange(10 * 7 * 3)
    assert set(signatures(ids, grid)) == set(signatures(every, grid))
    counters = _profile([float(i % 2) * 100 for i in range(len(ids))])
    assert counters.profile is not None
    counters.profile.ids[:] = ids
    full = expand(counters.profile, grid)
    interior = signatures(every, grid) == signatures(np.asarray([5 + 10 * (3 + 7)]), grid)[0]
    assert full.by_class.shape[0] == every.size
    # every interior block is charged like the heaviest sampled interior block
    sampled_interior = interior[ids]
    heaviest = counters.profile.by_class[sampled_interior].sum(axis=1).max()
    assert set(full.by_class[interior].sum(axis=1)) == {heaviest}
