"""The machine model of each NVIDIA architecture the targets name: one table of the facts
the timing model, the roofline and the launch limits read (sm_80 is an A100 SXM4 80GB,
sm_90 an H100 SXM5). Sources are in isa/nvidia/ptx/TIMING.md; add an architecture here
and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GpuSpec:
    name: str
    arch: str
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
    l1_sectors_per_sm: float  # 32-byte global sectors the L1 moves per SM per cycle
    shared_wavefronts_per_sm: float  # shared-memory wavefronts per SM per cycle
    shared_bytes_per_sm: int  # usable by blocks
    shared_reserved_per_block: int
    max_shared_per_block: int  # opt-in maximum
    registers_per_sm: int
    register_granule: int  # registers are allocated per warp in units of this many
    max_registers_per_thread: int
    max_threads_per_sm: int
    max_threads_per_block: int
    max_blocks_per_sm: int
    max_warps_per_sm: int
    dram_latency_cycles: int
    cache_hit_latency_cycles: int  # a load served by L1 or L2
    alu_latency_cycles: int
    fp64_latency_cycles: int
    sfu_latency_cycles: int
    tensor_latency_cycles: int
    shared_latency_cycles: int
    barrier_cycles: int
    atomic_cycles: int
    block_launch_cycles: int  # an SM's cost to start (and retire) one block, idle or not
    loads_in_flight_per_warp: int  # outstanding global loads one warp can have
    launch_overhead_us: float


H100_SXM = GpuSpec(
    name="H100-SXM",
    arch="sm_90",
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
    l1_sectors_per_sm=4.0,
    shared_wavefronts_per_sm=1.0,
    shared_bytes_per_sm=228 * 1024,
    shared_reserved_per_block=1024,
    max_shared_per_block=227 * 1024,
    registers_per_sm=65536,
    register_granule=256,
    max_registers_per_thread=255,
    max_threads_per_sm=2048,
    max_threads_per_block=1024,
    max_blocks_per_sm=32,
    max_warps_per_sm=64,
    dram_latency_cycles=600,
    cache_hit_latency_cycles=150,
    alu_latency_cycles=4,
    fp64_latency_cycles=8,
    sfu_latency_cycles=18,
    tensor_latency_cycles=32,
    shared_latency_cycles=30,
    barrier_cycles=24,
    atomic_cycles=400,
    block_launch_cycles=300,
    loads_in_flight_per_warp=8,
    launch_overhead_us=2.5,
)

A100_SXM = GpuSpec(
    name="A100-SXM",
    arch="sm_80",
    sms=108,
    clock_ghz=1.41,
    dram_gbps=1800.0,
    dram_peak_gbps=2039.0,
    l2_gbps=4000.0,
    l2_bytes=40 * 1024 * 1024,
    fp32_lanes_per_sm=64,
    fp64_lanes_per_sm=32,
    fp16_lanes_per_sm=256,
    int_lanes_per_sm=64,
    tensor_flops_per_sm_cycle=2048,
    wgmma_flops_per_sm_cycle=2048,  # no wgmma on sm_80; only so the formula stays defined
    sfu_lanes_per_sm=16,
    issue_per_sm=4,
    lsu_warps_per_sm=1.0,
    l1_sectors_per_sm=4.0,
    shared_wavefronts_per_sm=1.0,
    shared_bytes_per_sm=164 * 1024,
    shared_reserved_per_block=1024,
    max_shared_per_block=166_912,
    registers_per_sm=65536,
    register_granule=256,
    max_registers_per_thread=255,
    max_threads_per_sm=2048,
    max_threads_per_block=1024,
    max_blocks_per_sm=32,
    max_warps_per_sm=64,
    dram_latency_cycles=480,
    cache_hit_latency_cycles=130,
    alu_latency_cycles=4,
    fp64_latency_cycles=8,
    sfu_latency_cycles=18,
    tensor_latency_cycles=32,
    shared_latency_cycles=29,
    barrier_cycles=24,
    atomic_cycles=400,
    block_launch_cycles=300,
    loads_in_flight_per_warp=8,
    launch_overhead_us=2.5,
)

GPUS: dict[str, GpuSpec] = {g.name: g for g in (A100_SXM, H100_SXM)}
MACHINE_FOR_ARCH: dict[str, GpuSpec] = {g.arch: g for g in (A100_SXM, H100_SXM)}


def machine_for(arch: str) -> GpuSpec:
    """The modelled GPU of an architecture ("sm_80" -> A100, "sm_90" -> H100)."""
    if arch not in MACHINE_FOR_ARCH:
        known = ", ".join(sorted(MACHINE_FOR_ARCH))
        raise ValueError(f"no machine model for '{arch}'; known: {known}")
    return MACHINE_FOR_ARCH[arch]
