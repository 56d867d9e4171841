"""A PTX emulator: executes the PTX that nvcc -O3 and Triton emit, on the CPU, with NumPy.

    module = load_module(ptx_text)                       # PtxError if it does not load
    mem = DeviceMemory()
    x = mem.alloc_array(np.arange(1024, dtype=np.float32), "x")
    y = mem.alloc(4096, "y")                              # poisoned (0xFF bytes: NaN)
    result = launch(module, "kernel", grid=(4, 1, 1), block=(256, 1, 1),
                    args=[x, y, 1024], memory=mem)        # PtxFault on a hard fault
    out = mem.read(y, np.float32, (1024,))
    result.findings                                       # races, uninitialised reads, ...
    est = estimate_time(result.counters, Resources(32, 0, 256), grid=(4, 1, 1))

Semantics in brief (details in the modules):
- Threads of a chunk of blocks run side by side as NumPy arrays, one instruction at a time
  for every thread whose program counter is the lowest among the live threads (min-PC
  scheduling: structured branches and the loops nvcc and Triton emit reconverge where the
  paths meet). Warps are 32 consecutive linear thread ids of a block.
  Fair: a group that runs a quantum (512 steps) while other threads wait has its warps
  held until the others can go no further, so a spin-lock holder in another warp or block
  progresses. A bar.sync parks the threads that reach it until every live thread of the
  block is there; threads that exited no longer take part (sm_70+, noted in
  `LaunchResult.notes`).
- Faults abort the launch with `PtxFault` (an `ExecutionError`): an out-of-bounds or
  misaligned global, shared or local access, `trap`, a failed device `assert`, live threads
  of a block at different barriers, an instruction cap. The fault is also the last entry
  of `PtxFault.findings`.
- Findings that do not stop the kernel are returned in `LaunchResult.findings`: shared
  memory races between barriers (between different warps), reads of uninitialised shared
  memory, reads of shared memory whose `cp.async` was not yet waited for.
- Each finding names the block, the thread, the PTX instruction and, when the PTX carries
  `.loc` line info (nvcc -lineinfo, Triton always), the CUDA / Python source line (for
  inlined code, the outermost `inlined_at` line: the user's line, not the header's).
- Races are tracked per byte of shared memory between barriers of a block: a read of bytes
  another warp wrote (RAW), a write of bytes another warp read (WAR) or wrote (WAW; in one
  instruction only when the values differ). Accesses within one warp are not reported (the
  emulator runs a warp in lockstep). Reads of 4 bytes or more are checked on the first byte
  of each word; writes mark every byte.
- Numerics: integer ops wrap as on the GPU; f32 add, sub, mul, fma are correctly rounded in
  every PTX rounding mode, div and sqrt in .rn (directed modes via f64); f64 arithmetic is
  round-to-nearest (f64 fma goes through 80-bit extended precision and can differ in the
  last bit); f16 / bf16 / tf32 conversions honour .rn/.rz/.rm/.rp/.rna
  and the integer modes .rni/.rzi/.rmi/.rpi with saturation; `.approx` functions (ex2, lg2,
  sin, cos, rsqrt, rcp, tanh, div.full) are evaluated accurately and rounded once (hardware
  differs by a few ulp); mma.sync sums exact products in f64 and rounds once.
- Counters (`Counters`, with per-block figures in `Counters.profile`) feed `estimate_time`,
  an analytical model of the target's GPU (`isa/nvidia/machines.py`) documented in
  TIMING.md; `Counters.hot_lines()` lists the source lines that issued the most instructions.
- sm_90 `wgmma.mma_async` (f16 / bf16 / tf32 -> f32, operands from shared-memory
  descriptors with 32 / 64 / 128-byte swizzles or A from registers) runs synchronously; its
  fence / commit / wait are no-ops.
- `call`: `__assertfail` (assert) and `vprintf` (printf: `LaunchResult.printed`, capped by
  `EmuLimits.max_printf_bytes`); any other callee is a `PtxError` naming it.
- Launch limits (shared memory, threads, local memory) are those of the module's `.target`
  architecture (`isa.nvidia.arch`).
- Not supported (a `PtxError` naming the instruction): TMA and mbarrier (cp.async.bulk,
  mbarrier.*), brx.idx.
- cp.async groups are tracked per chunk of blocks, which is exact when every block issues
  the same sequence of cp.async (as Triton's pipelined loops do).
"""

from __future__ import annotations

from isa.nvidia.ptx.errors import PtxError, PtxFault
from isa.nvidia.ptx.executor import launch
from isa.nvidia.ptx.memory import DeviceMemory
from isa.nvidia.ptx.module import Kernel, Module, Param, load_module
from isa.nvidia.ptx.results import Counters, EmuLimits, Finding, LaunchResult
from isa.nvidia.ptx.timing import GPUS, GpuSpec, Resources, TimingEstimate, estimate_time

__all__ = [
    "GPUS",
    "Counters",
    "DeviceMemory",
    "EmuLimits",
    "Finding",
    "GpuSpec",
    "Kernel",
    "LaunchResult",
    "Module",
    "Param",
    "PtxError",
    "PtxFault",
    "Resources",
    "TimingEstimate",
    "estimate_time",
    "launch",
    "load_module",
]
