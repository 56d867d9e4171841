"""Properties of the timing model over generated kernel variants (one real CUDA kernel whose
launch parameters decide which blocks and warps work and how much): idle blocks or warps
never lower the estimate, the same work concentrated in fewer blocks never costs less than
spread, more work of the same kind never costs less. Skipped without nvcc."""

from __future__ import annotations

import numpy as np
import pytest

from isa.nvidia.machines import A100_SXM, H100_SXM, GpuSpec
from isa.nvidia.ptx import DeviceMemory, Module, Resources, estimate_time, launch
from tests.isa.nvidia.ptx.conftest import nvcc_ptx

MACHINES = [A100_SXM, H100_SXM]
CASES = 6  # generated variants per property and machine


def _time(
    m: Module,
    g: GpuSpec,
    grid: tuple[int, int, int],
    threads: int,
    active_blocks: int,
    active_warps: int,
    iters: int,
) -> float:
    mem = DeviceMemory()
    x = mem.alloc_array(np.ones(4096, np.float32), "x")
    y = mem.alloc(4 * 4096, "y")
    r = launch(
        m, "work", grid, (threads, 1, 1), [x, y, active_blocks, active_warps, iters], mem, machine=g
    )
    return estimate_time(r.counters, Resources(32, 0, threads), grid, g).us


def _variants(seed: int) -> list[tuple[int, int, int]]:
    """(blocks, warps per block, iterations) drawn at random, small enough to emulate fast."""
    rng = np.random.default_rng(seed)
    return [
        (int(rng.integers(1, 9)), int(rng.integers(1, 5)), int(rng.integers(1, 24)))
        for _ in range(CASES)
    ]


@pytest.mark.parametrize("g", MACHINES, ids=lambda g: g.arch)
def test_idle_blocks_never_lower_the_estimate(g: GpuSpec) -> None:
    m = nvcc_ptx("variants.cu")
    for blocks, warps, iters in _variants(1):
        base = _time(m, g, (blocks, 1, 1), 32 * warps, blocks, warps, iters)
        for grid in [(blocks + 300, 1, 1), (blocks, 1, 64), (blocks, 40, 3)]:
            padded = _time(m, g, grid, 32 * warps, blocks, warps, iters)
            assert padded >= base, (blocks, warps, iters, grid, padded, base)


@pytest.mark.parametrize("g", MACHINES, ids=lambda g: g.arch)
def test_idle_warps_never_lower_the_estimate(g: GpuSpec) -> None:
    m = nvcc_ptx("variants.cu")
    for blocks, warps, iters in _variants(2):
        base = _time(m, g, (blocks, 1, 1), 32 * warps, blocks, warps, iters)
        wider = _time(m, g, (blocks, 1, 1), 32 * (warps + 8), blocks, warps, iters)
        assert wider >= base, (blocks, warps, iters, wider, base)


@pytest.mark.parametrize("g", MACHINES, ids=lambda g: g.arch)
def test_concentrated_work_never_costs_less_than_spread(g: GpuSpec) -> None:
    m = nvcc_ptx("variants.cu")
    for blocks, warps, iters in _variants(3):
        spread_blocks = blocks * 4
        spread = _time(m, g, (spread_blocks, 1, 1), 32 * warps, spread_blocks, warps, iters)
        # the same grid, a quarter of the blocks doing four times the steps each
        packed = _time(m, g, (spread_blocks, 1, 1), 32 * warps, blocks, warps, 4 * iters)
        one = _time(m, g, (spread_blocks, 1, 1), 32 * warps, 1, warps, spread_blocks * iters)
        assert packed >= spread and one >= packed, (blocks, warps, iters, spread, packed, one)


@pytest.mark.parametrize("g", MACHINES, ids=lambda g: g.arch)
def test_more_work_of_the_same_kind_never_costs_less(g: GpuSpec) -> None:
    m = nvcc_ptx("variants.cu")
    for blocks, warps, iters in _variants(4):
        base = _time(m, g, (blocks, 1, 1), 32 * warps, blocks, warps, iters)
        longer = _time(m, g, (blocks, 1, 1), 32 * warps, blocks, warps, iters + 8)
        more = _time(m, g, (blocks + 4, 1, 1), 32 * warps, blocks + 4, warps, iters)
        assert longer > base and more >= base, (blocks, warps, iters, base, longer, more)


def test_independent_loads_overlap_and_dependent_chains_do_not() -> None:
    """ILP / MLP: the scoreboard charges a chain of dependent loads every latency, and a row
    of independent loads about one."""
    from isa.nvidia.ptx import load_module
    from tests.isa.nvidia.ptx.conftest import ptx_kernel

    chain = "\n".join(
        ["    mov.u64 %rd5, %rd1;"]
        + ["    ld.global.u64 %rd5, [%rd5];" for _ in range(8)]
        + ["    st.global.u64 [%rd2], %rd5;", "    ret;"]
    )
    rows = "\n".join(
        [f"    ld.global.u64 %rd{5 + j}, [%rd1+{8 * j}];" for j in range(8)]
        + ["    add.u64 %rd5, %rd5, %rd12;", "    st.global.u64 [%rd2], %rd5;", "    ret;"]
    )
    times = {}
    for name, body in [("chain", chain), ("rows", rows)]:
        m = load_module(ptx_kernel(body))
        mem = DeviceMemory()
        a = mem.alloc_array(np.zeros(16, np.uint64), "a")
        mem.write(a, np.full(16, a, np.uint64).tobytes())  # each word points at the buffer
        b = mem.alloc(8, "b")
        r = launch(m, "k", (1, 1, 1), (32, 1, 1), [a, b], mem, machine=H100_SXM)
        assert r.counters.profile is not None
        times[name] = float(r.counters.profile.path_dram[0])
    assert times["chain"] > 6 * H100_SXM.dram_latency_cycles
    assert times["rows"] < 2 * H100_SXM.dram_latency_cycles
