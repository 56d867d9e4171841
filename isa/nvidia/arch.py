"""What one launch may use on each NVIDIA architecture: threads, shared memory, registers.
One record per sm, for the GPU kernelwright models it as (sm_80: A100, sm_90: H100). The
build refuses a launch over them (as the driver would refuse it on that GPU) and the PTX
emulator applies them to each module by its `.target`. Clocks, bandwidths and the other
numbers of the timing model live with it (`isa.nvidia.ptx.timing`).

Sources: CUDA C++ Programming Guide, "Compute Capabilities" (technical specifications per
compute capability 8.0 and 9.0); NVIDIA A100 and H100 tuning guides (shared memory
carve-out: 164 KiB per SM on A100, of which 163 KiB for one block with the opt-in; 228 KiB
per SM on H100, 227 KiB for one block)."""

from __future__ import annotations

import re
from dataclasses import dataclass

KIB = 1024


@dataclass(frozen=True)
class ArchLimits:
    arch: str  # "sm_80"
    gpu: str  # the part this architecture is modelled as
    max_threads_per_block: int
    max_block_dims: tuple[int, int, int]
    max_grid_dims: tuple[int, int, int]
    max_shared_per_block: int  # bytes, static + dynamic, with the opt-in attribute
    default_shared_per_block: int  # bytes without the opt-in (48 KiB)
    shared_per_sm: int  # bytes of shared memory an SM gives its blocks
    max_registers_per_thread: int
    registers_per_block: int  # 32-bit registers one block may hold
    registers_per_sm: int
    register_granule: int  # registers are allocated per warp in units of this many
    max_threads_per_sm: int
    max_blocks_per_sm: int
    max_local_per_thread: int  # bytes of local memory (stack) per thread
    warp_size: int = 32

    def block_registers(self, registers_per_thread: int, threads: int) -> int:
        """Registers a block of `threads` holds (allocated per warp, rounded to the granule)."""
        per_warp = -(-max(registers_per_thread, 1) * self.warp_size // self.register_granule)
        return per_warp * self.register_granule * -(-threads // self.warp_size)


SM_80 = ArchLimits(
    arch="sm_80",
    gpu="A100-SXM4",
    max_threads_per_block=1024,
    max_block_dims=(1024, 1024, 64),
    max_grid_dims=(2**31 - 1, 65535, 65535),
    max_shared_per_block=163 * KIB,  # 166,912
    default_shared_per_block=48 * KIB,
    shared_per_sm=164 * KIB,
    max_registers_per_thread=255,
    registers_per_block=65536,
    registers_per_sm=65536,
    register_granule=256,
    max_threads_per_sm=2048,
    max_blocks_per_sm=32,
    max_local_per_thread=512 * KIB,
)

SM_90 = ArchLimits(
    arch="sm_90",
    gpu="H100-SXM",
    max_threads_per_block=1024,
    max_block_dims=(1024, 1024, 64),
    max_grid_dims=(2**31 - 1, 65535, 65535),
    max_shared_per_block=227 * KIB,  # 232,448
    default_shared_per_block=48 * KIB,
    shared_per_sm=228 * KIB,
    max_registers_per_thread=255,
    registers_per_block=65536,
    registers_per_sm=65536,
    register_granule=256,
    max_threads_per_sm=2048,
    max_blocks_per_sm=32,
    max_local_per_thread=512 * KIB,
)

ARCH_LIMITS: dict[str, ArchLimits] = {a.arch: a for a in (SM_80, SM_90)}


def limits_for(target: str) -> ArchLimits:
    """The limits of `target` ("sm_90", or a PTX `.target` such as "sm_90a" or
    "sm_80, debug"): its own record, else the nearest older one, else the oldest."""
    m = re.search(r"sm_(\d+)", target)
    if m is None:
        return SM_90
    number = int(m.group(1))
    known = sorted(ARCH_LIMITS.values(), key=lambda a: int(a.arch[3:]))
    older = [a for a in known if int(a.arch[3:]) <= number]
    return older[-1] if older else known[0]


def launch_problem(
    limits: ArchLimits,
    kernel: str,
    block: tuple[int, int, int],
    shared_bytes: int,
    registers_per_thread: int = 0,
) -> str | None:
    """Why this launch of `kernel` (block size, shared memory per block, registers per
    thread from ptxas) cannot run on `limits.arch`, in one sentence; None when it can."""
    threads = block[0] * block[1] * block[2]
    gpu = f"an {limits.gpu} ({limits.arch})"
    if threads > limits.max_threads_per_block or any(
        b > m for b, m in zip(block, limits.max_block_dims, strict=True)
    ):
        return (
            f"a block of {list(block)} ({threads} threads) for '{kernel}' is more than "
            f"{gpu} allows: {limits.max_threads_per_block} threads, at most "
            f"{list(limits.max_block_dims)} per dimension"
        )
    if shared_bytes > limits.max_shared_per_block:
        return (
            f"'{kernel}' needs {shared_bytes} bytes of shared memory per block; {gpu} allows "
            f"at most {limits.max_shared_per_block} ({limits.max_shared_per_block // KIB} KiB)"
        )
    if registers_per_thread:
        used = limits.block_registers(registers_per_thread, threads)
        if used > limits.registers_per_block:
            return (
                f"'{kernel}' uses {registers_per_thread} registers per thread: a block of "
                f"{threads} threads needs {used}, more than the {limits.registers_per_block} "
                f"{gpu} gives a block (use smaller blocks or __launch_bounds__)"
            )
    return None
