"""What a launch reports: sanitizer findings, counters, and the limits it ran under."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class EmuLimits:
    """Bounds on one launch, so a bad kernel ends with a clear error instead of a hang."""

    max_warp_instructions: int = 100_000_000  # over the whole launch (~1-2 minutes of emulation)
    max_steps_per_chunk: int = 2_000_000  # instructions issued for one chunk of blocks
    max_threads_per_chunk: int = 16_384  # threads emulated side by side
    max_chunk_bytes: int = 512 << 20  # host memory for one chunk's registers, local and shared
    max_findings: int = 50  # findings kept; later ones are only counted
    max_printf_bytes: int = 4096  # printf output kept; later lines are only counted


@dataclass(frozen=True)
class Finding:
    """One sanitizer finding. `kind` is one of "oob-global", "oob-shared", "oob-local",
    "misaligned", "race-raw", "race-war", "race-waw", "uninit-shared", "barrier-divergence",
    "pending-cp-async", "assert"."""

    kind: str
    message: str
    block: tuple[int, int, int]
    thread: tuple[int, int, int]
    ptx_line: int  # line of the instruction in the .ptx text
    instruction: str  # the instruction as written
    source: str | None = None  # "file.cu:LINE" from .loc, when the PTX has line info
    source_line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}" if self.source else f"ptx line {self.ptx_line}"
        return (
            f"{where}: {self.message} (block {self.block}, thread {self.thread}, "
            f"`{self.instruction}`)"
        )


CLASSES = (
    "int", "fp32", "fp64", "fp16", "sfu", "tensor", "ld_global", "st_global", "ld_shared",
    "st_shared", "local", "atomic", "control", "barrier", "warp", "convert", "move", "other",
    "ld_param",
)  # fmt: skip


@dataclass
class BlockProfile:
    """What each emulated block did, for the timing model's SM scheduler (kept in the worker,
    never serialised): its linear id, its warp instructions by class (columns in `CLASSES`
    order), and the dependent path of its slowest warp in cycles, with global loads at the
    DRAM latency (`path_dram`) and at the cache-hit latency (`path_hit`)."""

    ids: np.ndarray  # int64, linear block ids
    by_class: np.ndarray  # int64, blocks x len(CLASSES)
    path_dram: np.ndarray  # float64 per block
    path_hit: np.ndarray  # float64 per block
    first_touch: np.ndarray  # float64 per block: global sectors it was the first to touch
    sectors: np.ndarray  # float64 per block: global sectors it requested (loads and stores)
    store_sectors: np.ndarray  # float64 per block: the stores' part of `sectors`

    @staticmethod
    def empty() -> BlockProfile:
        return BlockProfile(
            np.zeros(0, np.int64),
            np.zeros((0, len(CLASSES)), np.int64),
            np.zeros(0),
            np.zeros(0),
            np.zeros(0),
            np.zeros(0),
            np.zeros(0),
        )

    def extend(self, other: BlockProfile) -> BlockProfile:
        return BlockProfile(
            np.concatenate([self.ids, other.ids]),
            np.concatenate([self.by_class, other.by_class]),
            np.concatenate([self.path_dram, other.path_dram]),
            np.concatenate([self.path_hit, other.path_hit]),
            np.concatenate([self.first_touch, other.first_touch]),
            np.concatenate([self.sectors, other.sectors]),
            np.concatenate([self.store_sectors, other.store_sectors]),
        )


@dataclass
class Counters:
    """Per-launch counts, summed over all blocks.

    `warp_instructions` counts an instruction once per warp with at least one active
    thread; `thread_instructions` once per active thread. Classes: "int", "fp32", "fp64",
    "fp16", "sfu", "tensor", "ld_global", "st_global", "ld_shared", "st_shared", "local",
    "atomic", "control", "barrier", "warp", "convert", "move", "other"."""

    warp_instructions: dict[str, int] = field(default_factory=dict)
    thread_instructions: int = 0
    global_load_requests: int = 0  # warp-level load instructions that touched global memory
    global_load_sectors: int = 0  # distinct 32-byte sectors per request, summed
    global_load_bytes: int = 0  # bytes the threads asked for
    global_store_requests: int = 0
    global_store_sectors: int = 0
    global_store_bytes: int = 0
    global_footprint_bytes: int = 0  # distinct 32-byte sectors touched, x 32 (DRAM traffic floor)
    shared_load_requests: int = 0
    shared_store_requests: int = 0
    shared_wavefronts: int = 0  # shared accesses after bank-conflict replays
    shared_bank_conflicts: int = 0  # extra wavefronts caused by bank conflicts
    barriers: int = 0  # bar.sync executed, per block
    atomics: int = 0  # thread-level atomic / reduction operations
    tensor_flops: int = 0  # 2 * m * n * k per mma.sync per warp (and per wgmma per warpgroup)
    wgmma_flops: int = 0  # the part of tensor_flops done by sm_90 wgmma
    flops: int = 0  # thread-level f32/f64/f16 arithmetic, fma = 2
    blocks: int = 0
    warps: int = 0  # warps launched
    by_source: dict[str, int] = field(default_factory=dict)  # warp instructions per source line
    grid_blocks: int = 0  # blocks in the grid; more than `blocks` when only a sample ran
    profile: BlockProfile | None = None  # per emulated block (not serialised)

    def add_warp(self, klass: str, n: int) -> None:
        self.warp_instructions[klass] = self.warp_instructions.get(klass, 0) + n

    @property
    def total_warp_instructions(self) -> int:
        return sum(self.warp_instructions.values())

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data.pop("profile", None)
        data["warp_instructions"] = dict(sorted(self.warp_instructions.items()))
        data["total_warp_instructions"] = self.total_warp_instructions
        data["by_source"] = dict(self.hot_lines())
        return data

    def hot_lines(self, top: int = 10) -> list[tuple[str, int]]:
        """The source lines ("file:line") that issued the most warp instructions."""
        return sorted(self.by_source.items(), key=lambda kv: -kv[1])[:top]


@dataclass
class LaunchResult:
    """The outcome of `launch`: outputs are in the `DeviceMemory` that was passed in."""

    counters: Counters
    findings: list[Finding]
    findings_dropped: int = 0  # findings beyond `EmuLimits.max_findings`
    wall_s: float = 0.0  # host time the emulation took
    notes: list[str] = field(default_factory=list)  # allowed but notable (early exits)
    printed: str = ""  # what the kernel's printf calls wrote, in thread order, capped
    printed_dropped: int = 0  # printf calls beyond `EmuLimits.max_printf_bytes`
