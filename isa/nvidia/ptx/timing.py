"""An analytical timing model of an NVIDIA GPU fed by the emulator's counters; see TIMING.md
for the model, its constants and their sources."""

from __future__ import annotations

from dataclasses import dataclass, field

from isa.nvidia.ptx.results import Counters


@dataclass(frozen=True)
class GpuSpec:
    name: str
    sms: int
    clock_ghz: float  # sustained clock under load
    dram_gbps: float  # achievable DRAM bandwidth, GB/s
    dram_peak_gbps: float  # datasheet DRAM bandwidth, GB/s (for % of roofline)
    l2_gbps: float  # achievable L2 bandwidth, GB/s
    l2_bytes: int
    fp32_lanes_per_sm: int  # FP32 FMA lanes per SM per cycle
    fp64_lanes_per_sm: int
    fp16_lanes_per_sm: int  # non-tensor f16 / bf16 (x2 forms count twice)
    int_lanes_per_sm: int
    tensor_flops_per_sm_cycle: int  # dense f16 / bf16 mma.sync flops per SM per cycle
    wgmma_flops_per_sm_cycle: int  # dense f16 / bf16 wgmma flops per SM per cycle (sm_90)
    sfu_lanes_per_sm: int
    issue_per_sm: int  # warp instructions issued per SM per cycle (one per scheduler)
    lsu_warps_per_sm: float  # warp-level load/store instructions per SM per cycle
    shared_wavefronts_per_sm: float  # shared-memory wavefronts per SM per cycle
    shared_bytes_per_sm: int  # usable by blocks
    shared_reserved_per_block: int
    max_shared_per_block: int
    registers_per_sm: int
    register_granule: int  # registers are allocated per warp in units of this many
    max_threads_per_sm: int
    max_blocks_per_sm: int
    max_warps_per_sm: int
    dram_latency_cycles: int
    cache_hit_latency_cycles: int  # a load served by L1 or L2
    alu_latency_cycles: int
    shared_latency_cycles: int
    barrier_cycles: int
    atomic_cycles: int
    launch_overhead_us: float


@dataclass(frozen=True)
class Resources:
    """What one block of the kernel uses (from the ptxas report)."""

    registers_per_thread: int
    shared_bytes_per_block: int
    threads_per_block: int


@dataclass
class TimingEstimate:
    us: float  # estimated kernel time
    limiter: str  # the largest limit: "dram", "l2", "fp32", "tensor", "issue", "latency", ...
    breakdown: dict[str, float] = field(default_factory=dict)  # us per limit
    occupancy: float = 0.0  # resident warps / max warps per SM
    roofline_pct: float = 0.0  # the roofline time (least DRAM or math time) over `us`, in %
    blocks_per_sm: int = 0
    waves: float = 0.0
    occupancy_limiter: str = ""  # "warps", "registers", "shared", "blocks"

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


H100_SXM = GpuSpec(
    name="H100-SXM",
    sms=132,
    clock_ghz=1.755,
    dram_gbps=3000.0,
    dram_peak_gbps=3350.0,
    l2_gbps=5500.0,
    l2_bytes=50 * 1024 * 1024,
    fp32_lanes_per_sm=128,
    fp64_lanes_per_sm=64,
    fp16_lanes_per_sm=256,
    int_lanes_per_sm=64,
    tensor_flops_per_sm_cycle=2048,
    wgmma_flops_per_sm_cycle=4096,
    sfu_lanes_per_sm=16,
    issue_per_sm=4,
    lsu_warps_per_sm=1.0,
    shared_wavefronts_per_sm=1.0,
    shared_bytes_per_sm=228 * 1024,
    shared_reserved_per_block=1024,
    max_shared_per_block=227 * 1024,
    registers_per_sm=65536,
    register_granule=256,
    max_threads_per_sm=2048,
    max_blocks_per_sm=32,
    max_warps_per_sm=64,
    dram_latency_cycles=600,
    cache_hit_latency_cycles=150,
    alu_latency_cycles=4,
    shared_latency_cycles=30,
    barrier_cycles=24,
    atomic_cycles=400,
    launch_overhead_us=2.5,
)

GPUS: dict[str, GpuSpec] = {H100_SXM.name: H100_SXM}


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


def estimate_time(
    counters: Counters,
    resources: Resources,
    grid: tuple[int, ...],
    gpu: str = "H100-SXM",
) -> TimingEstimate:
    """Estimated time of one launch on `gpu` from the emulator's counters (see TIMING.md)."""
    if gpu not in GPUS:
        raise ValueError(f"unknown GPU '{gpu}'; known: {', '.join(sorted(GPUS))}")
    g = GPUS[gpu]
    if resources.shared_bytes_per_block > g.max_shared_per_block:
        raise ValueError(
            f"{resources.shared_bytes_per_block} bytes of shared memory per block exceed the "
            f"{g.max_shared_per_block} a {g.name} block can have"
        )
    nblocks = 1
    for d in grid:
        nblocks *= max(int(d), 1)
    bps, occ_limiter = occupancy(resources, g)
    if bps == 0:
        raise ValueError(f"one block does not fit on a {g.name} SM (limited by {occ_limiter})")
    warps_per_block = -(-resources.threads_per_block // 32)
    slots = bps * g.sms
    waves = nblocks / slots
    # the busiest SM runs ceil(nblocks / sms) blocks: the tail effect of a partial last wave
    busiest = -(-nblocks // g.sms)
    share = busiest / nblocks  # fraction of all work on the busiest SM
    cyc_us = 1.0 / (g.clock_ghz * 1e3)  # microseconds per cycle
    wi = counters.warp_instructions
    w = lambda *keys: sum(wi.get(k, 0) for k in keys)  # noqa: E731
    total_wi = counters.total_warp_instructions
    breakdown: dict[str, float] = {}
    breakdown["issue"] = total_wi * share / g.issue_per_sm * cyc_us
    breakdown["fp32"] = w("fp32") * 32 * share / g.fp32_lanes_per_sm * cyc_us
    breakdown["fp64"] = w("fp64") * 32 * share / g.fp64_lanes_per_sm * cyc_us
    breakdown["fp16"] = w("fp16") * 32 * share / g.fp16_lanes_per_sm * cyc_us
    breakdown["int"] = w("int", "convert") * 32 * share / g.int_lanes_per_sm * cyc_us
    breakdown["sfu"] = w("sfu") * 32 * share / g.sfu_lanes_per_sm * cyc_us
    mma_flops = counters.tensor_flops - counters.wgmma_flops
    tensor_cycles = (
        mma_flops / g.tensor_flops_per_sm_cycle + counters.wgmma_flops / g.wgmma_flops_per_sm_cycle
    )
    breakdown["tensor"] = tensor_cycles * share * cyc_us
    lsu = w("ld_global", "st_global", "ld_shared", "st_shared", "local", "atomic")
    breakdown["lsu"] = lsu * share / g.lsu_warps_per_sm * cyc_us
    breakdown["shared"] = counters.shared_wavefronts * share / g.shared_wavefronts_per_sm * cyc_us
    l2_bytes = 32 * (counters.global_load_sectors + counters.global_store_sectors)
    breakdown["l2"] = l2_bytes / (g.l2_gbps * 1e3)
    footprint = counters.global_footprint_bytes or l2_bytes
    dram_bytes = float(footprint)
    if footprint > g.l2_bytes and l2_bytes > footprint:
        dram_bytes += (l2_bytes - footprint) * (1 - g.l2_bytes / footprint)
    breakdown["dram"] = dram_bytes / (g.dram_gbps * 1e3)
    # latency: one warp's dependent path, once per wave of resident blocks
    warps = max(counters.warps, 1)
    per_warp = total_wi / warps
    loads_per_warp = (counters.global_load_requests + counters.atomics / 32) / warps
    shared_per_warp = (counters.shared_load_requests + counters.shared_store_requests) / warps
    barriers_per_block = counters.barriers / max(counters.blocks, 1)
    # loads beyond the first touch of each sector are served by the caches
    requested = max(counters.global_load_sectors + counters.global_store_sectors, 1)
    miss = min(1.0, footprint / 32 / requested)
    load_cycles = miss * g.dram_latency_cycles + (1 - miss) * g.cache_hit_latency_cycles
    warp_cycles = (
        per_warp * g.alu_latency_cycles / 2  # about two independent instructions in flight
        + loads_per_warp * load_cycles / 2
        + shared_per_warp * g.shared_latency_cycles / 2
        + barriers_per_block * g.barrier_cycles * warps_per_block
    )
    breakdown["latency"] = -(-nblocks // slots) * warp_cycles * cyc_us
    limiter = max(breakdown, key=lambda k: breakdown[k])
    us = breakdown[limiter] + g.launch_overhead_us
    math_us = (
        counters.flops / (2 * g.fp32_lanes_per_sm * g.sms)
        + counters.tensor_flops / (g.wgmma_flops_per_sm_cycle * g.sms)
    ) * cyc_us
    ideal_us = max(footprint / (g.dram_peak_gbps * 1e3), math_us)
    return TimingEstimate(
        us=us,
        limiter=limiter,
        breakdown=breakdown,
        occupancy=bps * warps_per_block / g.max_warps_per_sm,
        roofline_pct=100.0 * ideal_us / us if us > 0 else 0.0,
        blocks_per_sm=bps,
        waves=waves,
        occupancy_limiter=occ_limiter,
    )
