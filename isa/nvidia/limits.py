"""What a launch plan may ask for, per architecture: checked when the plan is built, before
anything is compiled, allocated or launched, so a plan that asks for too much gets one
sentence naming the limit (not a worker that runs out of memory or time).

| limit | sm_80 (A100) | sm_90 (H100) |
| --- | --- | --- |
| threads per block | 1024 | 1024 |
| grid dimensions (x, y, z) | 2^31-1, 65535, 65535 | same |
| blocks per launch (x * y * z) | 2^24 | 2^24 |
| shared memory per block (static + dynamic) | 163 KiB | 227 KiB |
| scratch buffers, all together | 4 GiB | 4 GiB |
| an integer argument | fits its parameter's type (.s32 signed; .u32, .b32 either way) | same |

The emulator adds its own (`EMU_DEVICE_BYTES` of device memory; no more warps than its
instruction cap could ever run), checked by `isa.nvidia.emu` before it allocates.
"""

from __future__ import annotations

from dataclasses import dataclass

from isa.base import CompileError
from isa.nvidia.plan import Launch, Plan
from isa.nvidia.signature import EntryParam

FP32_BYTES = 4
EMU_DEVICE_BYTES = 1 << 30  # inputs, outputs and scratch of one emulated run


@dataclass(frozen=True)
class LaunchLimits:
    threads_per_block: int
    grid: tuple[int, int, int]
    blocks: int
    shared_per_block: int  # bytes, static + dynamic (the opt-in maximum)
    scratch_bytes: int  # all scratch buffers of a plan


LIMITS = {
    "sm_80": LaunchLimits(1024, (2**31 - 1, 65535, 65535), 1 << 24, 163 << 10, 4 << 30),
    "sm_90": LaunchLimits(1024, (2**31 - 1, 65535, 65535), 1 << 24, 227 << 10, 4 << 30),
}


def _size(nbytes: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if nbytes >= 1 << shift:
            return f"{nbytes / (1 << shift):.4g} {unit}"
    return f"{nbytes} bytes"


def check_plan(plan: Plan, arch: str) -> None:
    """The plan's scratch and every launch's shape against the architecture's limits."""
    limits = LIMITS[arch]
    scratch = sum(plan.scratch.values()) * FP32_BYTES
    if scratch > limits.scratch_bytes:
        raise CompileError(
            f"the plan's scratch buffers need {_size(scratch)}; at most "
            f"{_size(limits.scratch_bytes)} of scratch is allowed on {arch}"
        )
    for launch in plan.launches:
        check_shape(launch, arch)


def check_shape(launch: Launch, arch: str) -> None:
    limits = LIMITS[arch]
    where = f"launch of '{launch.kernel}'"
    threads = launch.block[0] * launch.block[1] * launch.block[2]
    if threads > limits.threads_per_block:
        raise CompileError(
            f"{where}: a block has at most {limits.threads_per_block} threads, got {threads}",
            launch.line,
        )
    for axis, (n, top) in enumerate(zip(launch.grid, limits.grid, strict=True)):
        if n > top:
            raise CompileError(
                f"{where}: grid dimension {'xyz'[axis]} is {n}; at most {top} on {arch}",
                launch.line,
            )
    blocks = launch.grid[0] * launch.grid[1] * launch.grid[2]
    if blocks > limits.blocks:
        raise CompileError(
            f"{where}: the grid has {blocks} blocks; at most {limits.blocks} (2^24) blocks "
            "per launch are allowed",
            launch.line,
        )
    check_shared(launch, 0, arch)


def check_shared(launch: Launch, static_bytes: int, arch: str) -> None:
    """Dynamic (the plan's) plus static (the compiler's) shared memory of one block."""
    top = LIMITS[arch].shared_per_block
    total = launch.shared + static_bytes
    if total > top:
        raise CompileError(
            f"launch of '{launch.kernel}': a block needs {_size(total)} of shared memory; "
            f"at most {_size(top)} on {arch}",
            launch.line,
        )


def param_range(param: EntryParam) -> tuple[int, int] | None:
    """The integers a parameter's type holds, or None for a non-integer type."""
    kind, bits = param.ptype[0], param.ptype[1:]
    if kind not in "usb" or not bits.isdigit() or param.size > 8:
        return None
    width = int(bits)
    if kind == "s":
        return -(1 << (width - 1)), (1 << (width - 1)) - 1
    # .u and .b: nvcc declares a C `int` as .u32, so either reading of the bits is allowed
    return -(1 << (width - 1)), (1 << width) - 1


def check_int_args(launch: Launch, params: list[EntryParam]) -> None:
    """Every integer argument fits its parameter's type (no silent wrap-around)."""
    for param, arg in zip(params, launch.args, strict=False):
        if isinstance(arg, str):
            continue
        bounds = param_range(param)
        if bounds is not None and not bounds[0] <= arg <= bounds[1]:
            raise CompileError(
                f"launch of '{launch.kernel}': argument {arg} for parameter {param.name} is "
                f"outside the range of its type .{param.ptype} ({bounds[0]} to {bounds[1]})",
                launch.line,
            )
