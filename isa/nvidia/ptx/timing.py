"""An analytical timing model of an NVIDIA GPU fed by the emulator's counters: blocks are
scheduled onto SMs from what each block was measured to do, and the busiest SM sets the
time. See TIMING.md for the model, its constants and their sources."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from isa.nvidia.machines import A100_SXM, GPUS, H100_SXM, GpuSpec
from isa.nvidia.ptx.results import CLASSES, BlockProfile, Counters
from isa.nvidia.ptx.sampling import expand

__all__ = ["A100_SXM", "GPUS", "H100_SXM", "GpuSpec", "Resources", "TimingEstimate"]

OVERLAP_P = 4.0  # limits combine as a p-norm: the largest dominates, the others still cost
COL = {k: i for i, k in enumerate(CLASSES)}
MEMORY = ("ld_global", "st_global", "ld_shared", "st_shared", "local", "atomic", "ld_param")


@dataclass(frozen=True)
class Resources:
    """What one block of the kernel uses (from the ptxas report)."""

    registers_per_thread: int
    shared_bytes_per_block: int
    threads_per_block: int


@dataclass
class TimingEstimate:
    us: float  # estimated kernel time
    limiter: str  # the largest limit: "dram", "l2", "fp32", "issue", "latency", ...
    breakdown: dict[str, float] = field(default_factory=dict)  # us per limit (busiest SM)
    occupancy: float = 0.0  # resident warps / max warps per SM
    roofline_pct: float = 0.0  # the roofline time (least DRAM or math time) over `us`, in %
    blocks_per_sm: int = 0
    waves: float = 0.0
    occupancy_limiter: str = ""  # "warps", "registers", "shared", "blocks"
    imbalance: float = 1.0  # the busiest SM's time over the mean SM's
    busiest_sm_blocks: int = 0
    blocks_emulated: int = 0  # blocks the counters come from (fewer than the grid: sampled)
    blocks: int = 0
    written_bytes: float = 0.0  # global bytes stored (and atomically updated), whole grid

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def occupancy(resources: Resources, gpu: GpuSpec) -> tuple[int, str]:
    """Resident blocks per SM and what limits it."""
    warps = -(-max(resources.threads_per_block, 1) // 32)
    regs = max(resources.registers_per_thread, 1)
    regs_per_warp = -(-regs * 32 // gpu.register_granule) * gpu.register_granule
    limits = {
        "blocks": gpu.max_blocks_per_sm,
        "warps": gpu.max_warps_per_sm // warps,
        "registers": gpu.registers_per_sm // (regs_per_warp * warps),
    }
    if resources.shared_bytes_per_block > 0:
        per_block = resources.shared_bytes_per_block + gpu.shared_reserved_per_block
        limits["shared"] = gpu.shared_bytes_per_sm // per_block
    which = min(limits, key=lambda k: limits[k])
    return max(limits[which], 0), which


def _spec(gpu: str | GpuSpec) -> GpuSpec:
    if isinstance(gpu, GpuSpec):
        return gpu
    if gpu not in GPUS:
        raise ValueError(f"unknown GPU '{gpu}'; known: {', '.join(sorted(GPUS))}")
    return GPUS[gpu]


def _uniform_profile(c: Counters, g: GpuSpec, nblocks: int) -> BlockProfile:
    """Counters without per-block figures (made by hand): every block does an equal share,
    each warp's instructions in sequence with its loads one after another."""
    blocks = max(c.blocks, 1)
    row = np.zeros(len(CLASSES))
    for k, v in c.warp_instructions.items():
        row[COL.get(k, COL["other"])] = v / blocks
    warps_per_block = max(c.warps, 1) / blocks
    per_warp = row.sum() / warps_per_block
    loads = (c.global_load_requests + c.atomics / 32) / max(c.warps, 1)
    dram = per_warp + loads * g.dram_latency_cycles
    hit = per_warp + loads * g.cache_hit_latency_cycles
    return BlockProfile(
        np.arange(nblocks, dtype=np.int64),
        np.tile(row, (nblocks, 1)),
        np.full(nblocks, dram),
        np.full(nblocks, hit),
        np.full(nblocks, -1.0),  # unknown: the launch's miss rate
        np.full(nblocks, -1.0),  # unknown: from the launch's sectors per request
        np.full(nblocks, -1.0),
    )


def _schedule(latency: np.ndarray, sms: int, slots: int) -> tuple[np.ndarray, np.ndarray]:
    """The block scheduler: blocks in launch order, each to the resident slot that frees
    first (the first wave goes round the SMs). Returns each block's SM and each SM's end."""
    n = latency.size
    sm_of = np.empty(n, dtype=np.int64)
    first = min(n, sms * slots)
    # the first wave: block i on SM i % sms, slot i // sms
    sm_of[:first] = np.arange(first) % sms
    ends = np.zeros(sms)
    heap: list[tuple[float, int, int]] = []
    for i in range(first):
        heap.append((float(latency[i]), i // sms, i % sms))
    heapq.heapify(heap)
    for i in range(first, n):
        free, slot, sm = heapq.heappop(heap)
        sm_of[i] = sm
        heapq.heappush(heap, (free + float(latency[i]), slot, sm))
    for free, _, sm in heap:
        ends[sm] = max(ends[sm], free)
    return sm_of, ends


def _pnorm(values: list[float]) -> float:
    top = max(values) if values else 0.0
    if top <= 0:
        return 0.0
    return float(top * sum((v / top) ** OVERLAP_P for v in values) ** (1 / OVERLAP_P))


def estimate_time(
    counters: Counters,
    resources: Resources,
    grid: tuple[int, ...],
    gpu: str | GpuSpec = "H100-SXM",
    *,
    footprint_bytes: int | None = None,
) -> TimingEstimate:
    """Estimated time of one launch on `gpu` from the emulator's counters (see TIMING.md).

    When the counters come from a sample of the grid's blocks (`Counters.profile` covers
    fewer blocks than the grid), the others are charged like the sampled blocks of their
    kind, and `footprint_bytes` gives the launch's DRAM footprint at its real size."""
    g = _spec(gpu)
    if resources.shared_bytes_per_block > g.max_shared_per_block:
        raise ValueError(
            f"{resources.shared_bytes_per_block} bytes of shared memory per block exceed the "
            f"{g.max_shared_per_block} a {g.name} block can have"
        )
    dims = tuple(max(int(d), 1) for d in grid) + (1,) * (3 - len(grid))
    g3 = (dims[0], dims[1], dims[2])
    nblocks = g3[0] * g3[1] * g3[2]
    bps, occ_limiter = occupancy(resources, g)
    if bps == 0:
        raise ValueError(f"one block does not fit on a {g.name} SM (limited by {occ_limiter})")
    warps_per_block = -(-resources.threads_per_block // 32)
    measured = counters.profile
    if measured is None or measured.ids.size == 0:
        profile = _uniform_profile(counters, g, nblocks)
        emulated = nblocks
    else:
        profile = expand(measured, g3)
        emulated = int(measured.ids.size)
    bc = profile.by_class.astype(np.float64)
    sampled = bc.sum(axis=0) if measured is None else measured.by_class.sum(axis=0)

    def per(total: float, klass: str) -> float:
        """`total` (a counter summed over the emulated blocks) per warp instruction of
        `klass` there."""
        n = (
            float(sampled[COL[klass]])
            if measured is not None
            else float(counters.warp_instructions.get(klass, 0))
        )
        return total / n if n > 0 else 0.0

    def col(*ks: str) -> np.ndarray:
        return np.asarray(bc[:, [COL[k] for k in ks]].sum(axis=1))

    load_spr = per(counters.global_load_sectors, "ld_global")
    store_spr = per(counters.global_store_sectors, "st_global")
    shared_requests = col("ld_shared", "st_shared")
    shared_per_req = counters.shared_wavefronts / max(
        counters.shared_load_requests + counters.shared_store_requests, 1
    )
    tensor_per = per(counters.tensor_flops - counters.wgmma_flops, "tensor")
    wgmma_per = per(counters.wgmma_flops, "tensor")
    load_sectors = col("ld_global") * load_spr
    store_sectors = col("st_global") * store_spr
    sectors = load_sectors + store_sectors + col("atomic")
    if measured is not None:  # measured per block (loads and stores), atomics as before
        sectors = profile.sectors + col("atomic")
        store_sectors = profile.store_sectors
    # per block, cycles of each SM resource it needs
    work = {
        "issue": bc.sum(axis=1) / g.issue_per_sm,
        "fp32": col("fp32") * 32 / g.fp32_lanes_per_sm,
        "fp64": col("fp64") * 32 / g.fp64_lanes_per_sm,
        "fp16": col("fp16") * 32 / g.fp16_lanes_per_sm,
        "int": col("int", "convert") * 32 / g.int_lanes_per_sm,
        "sfu": col("sfu") * 32 / g.sfu_lanes_per_sm,
        "tensor": col("tensor")
        * (tensor_per / g.tensor_flops_per_sm_cycle + wgmma_per / g.wgmma_flops_per_sm_cycle),
        "lsu": col(*MEMORY) / g.lsu_warps_per_sm,
        "l1": sectors / g.l1_sectors_per_sm,
        "shared": shared_requests * shared_per_req / g.shared_wavefronts_per_sm,
    }
    total_sectors = float(sectors.sum())
    l2_bytes = 32.0 * total_sectors
    if footprint_bytes is not None:
        footprint = float(footprint_bytes)
    else:
        footprint = float(counters.global_footprint_bytes or l2_bytes)
    miss = min(1.0, footprint / 32 / total_sectors) if total_sectors > 0 else 1.0
    # per block, the share of its sectors it was the first to touch (blocks running side by
    # side all miss on shared data; later ones hit what earlier ones brought in)
    own = np.where(sectors > 0, profile.first_touch / np.maximum(sectors, 1e-9), 1.0)
    # (a sample's first touches depend on which blocks were sampled: it uses the launch's)
    unknown = footprint_bytes is not None or measured is None
    block_miss = miss if unknown else np.clip(own, 0.0, 1.0)
    path = block_miss * profile.path_dram + (1 - block_miss) * profile.path_hit
    latency = g.block_launch_cycles + path
    sm_of, ends = _schedule(latency, g.sms, bps)
    per_sm: dict[str, np.ndarray] = {"latency": ends}
    for name, cycles in work.items():
        sums = np.zeros(g.sms)
        np.add.at(sums, sm_of, cycles)
        per_sm[name] = sums
    names = list(per_sm)
    matrix = np.stack([per_sm[k] for k in names], axis=1)  # sms x limits, cycles
    top = np.maximum(matrix.max(axis=1, keepdims=True), 1e-30)
    sm_time = top[:, 0] * ((matrix / top) ** OVERLAP_P).sum(axis=1) ** (1 / OVERLAP_P)
    busiest = int(np.argmax(sm_time))
    cyc_us = 1.0 / (g.clock_ghz * 1e3)
    breakdown = {k: float(per_sm[k][busiest]) * cyc_us for k in names}
    breakdown["l2"] = l2_bytes / (g.l2_gbps * 1e3)
    dram_bytes = footprint
    if footprint > g.l2_bytes and l2_bytes > footprint:
        dram_bytes += (l2_bytes - footprint) * (1 - g.l2_bytes / footprint)
    breakdown["dram"] = dram_bytes / (g.dram_gbps * 1e3)
    sm_us = float(sm_time[busiest]) * cyc_us
    us = _pnorm([sm_us, breakdown["l2"], breakdown["dram"]]) + g.launch_overhead_us
    limiter = max(breakdown, key=lambda k: breakdown[k])
    flops = counters.flops * (float(bc.sum()) / max(float(sampled.sum()), 1.0))
    tensor = float((col("tensor") * (tensor_per + wgmma_per)).sum())
    math_us = (
        flops / (2 * g.fp32_lanes_per_sm * g.sms) + tensor / (g.wgmma_flops_per_sm_cycle * g.sms)
    ) * cyc_us
    ideal_us = max(footprint / (g.dram_peak_gbps * 1e3), math_us)
    mean = float(sm_time.mean())
    return TimingEstimate(
        us=us,
        limiter=limiter,
        breakdown=breakdown,
        occupancy=bps * warps_per_block / g.max_warps_per_sm,
        roofline_pct=100.0 * ideal_us / us if us > 0 else 0.0,
        blocks_per_sm=bps,
        waves=nblocks / (bps * g.sms),
        occupancy_limiter=occ_limiter,
        imbalance=float(sm_time[busiest]) / mean if mean > 0 else 1.0,
        busiest_sm_blocks=int((sm_of == busiest).sum()),
        blocks_emulated=emulated,
        blocks=nblocks,
        written_bytes=32.0 * float(store_sectors.sum()) + 128.0 * float(col("atomic").sum()),
    )
