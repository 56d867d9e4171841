"""An analytical timing model of an NVIDIA GPU fed by the emulator's counters; see TIMING.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from isa.nvidia.ptx.results import Counters


@dataclass(frozen=True)
class GpuSpec:
    name: str
    sms: int
    clock_ghz: float  # sustained boost clock
    dram_gbps: float  # achievable DRAM bandwidth, GB/s
    l2_bytes: int
    fp32_lanes_per_sm: int  # FP32 FMA lanes per SM per cycle
    fp64_lanes_per_sm: int
    tensor_flops_per_sm_cycle: int  # dense f16/bf16 mma.sync flops per SM per cycle
    sfu_lanes_per_sm: int
    issue_per_sm: int  # warp instructions issued per SM per cycle (schedulers)
    lsu_lanes_per_sm: int  # load/store thread-ops per SM per cycle
    shared_bytes_per_sm: int  # usable by blocks
    max_shared_per_block: int
    registers_per_sm: int
    max_threads_per_sm: int
    max_blocks_per_sm: int
    max_warps_per_sm: int
    dram_latency_cycles: int
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
    limiter: str  # "dram", "fp32", "tensor", "issue", "latency", "shared", ...
    breakdown: dict[str, float] = field(default_factory=dict)  # us per limit
    occupancy: float = 0.0  # active warps / max warps per SM
    roofline_pct: float = 0.0  # the largest throughput limit over the estimate, in %
    blocks_per_sm: int = 0
    waves: float = 0.0


GPUS: dict[str, GpuSpec] = {}


def estimate_time(
    counters: Counters,
    resources: Resources,
    grid: tuple[int, int, int],
    gpu: str = "H100-SXM",
) -> TimingEstimate:
    """Estimated time of one launch on `gpu` from the emulator's counters."""
    raise NotImplementedError
