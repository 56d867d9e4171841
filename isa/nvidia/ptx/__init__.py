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
- Faults abort the launch with `PtxFault` (an `ExecutionError`): an out-of-bounds or
  misaligned global, shared or local access, `trap`, a barrier reached by part of a block,
  an instruction cap. The fault is also the last entry of `PtxFault.findings`.
- Findings that do not stop the kernel are returned in `LaunchResult.findings`: shared
  memory races between barriers (between different warps), reads of uninitialised shared
  memory, reads of shared memory whose `cp.async` was not yet waited for.
- Each finding names the block, the thread, the PTX instruction and, when the PTX carries
  `.loc` line info (nvcc -lineinfo, Triton always), the CUDA / Python source line.
- The timing model is documented in TIMING.md.
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
