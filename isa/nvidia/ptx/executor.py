"""Running a kernel of a loaded module."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from isa.nvidia.ptx.memory import DeviceMemory
from isa.nvidia.ptx.module import Module
from isa.nvidia.ptx.results import EmuLimits, LaunchResult


def launch(
    module: Module,
    kernel_name: str,
    grid: tuple[int, int, int],
    block: tuple[int, int, int],
    args: Sequence[int | float | np.generic | bytes],
    memory: DeviceMemory,
    *,
    dynamic_shared_bytes: int = 0,
    limits: EmuLimits | None = None,
) -> LaunchResult:
    """Run `kernel_name` over `grid` x `block` threads. `args` follow the kernel's .param
    list in order: pointers are device addresses from `memory`, scalars are Python or NumPy
    numbers (converted to the parameter's PTX type), a by-value struct is `bytes`.

    Returns the counters and the non-fatal findings; raises PtxFault on a hard fault and
    ValueError (one sentence) on a bad launch (unknown kernel, wrong argument count, block
    larger than 1024 threads, shared memory over 227 KiB)."""
    raise NotImplementedError
