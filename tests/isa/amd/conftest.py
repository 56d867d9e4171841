"""Helpers for the AMDGCN emulator tests: compile HIP with the real clang-19 (skipped cleanly
when it is missing), lay out buffers and arguments, run one launch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from isa.amd.asm import KernelCode, parse_module
from isa.amd.emu import kernarg_bytes
from isa.amd.executor import LaunchResult, launch
from isa.amd.memory import DeviceMemory
from isa.amd.toolchain import compile_hip, find_clang

needs_clang = pytest.mark.skipif(find_clang() is None, reason="clang-19 is not installed")


def compile_kernel(source: str, name: str) -> KernelCode:
    if find_clang() is None:
        pytest.skip("clang-19 is not installed")
    text = source if "hip_runtime.h" in source else "#include <hip/hip_runtime.h>\n" + source
    return compile_hip(text, "gfx942").module.kernels[name]


def asm_of(source: str) -> str:
    if find_clang() is None:
        pytest.skip("clang-19 is not installed")
    text = source if "hip_runtime.h" in source else "#include <hip/hip_runtime.h>\n" + source
    return compile_hip(text, "gfx942").asm


def code_from_asm(asm: str, name: str) -> KernelCode:
    return parse_module(asm).kernels[name]


@dataclass
class Run:
    outputs: dict[str, np.ndarray]
    result: LaunchResult


def run(
    code: KernelCode,
    args: list[np.ndarray | int],
    grid: tuple[int, int, int] = (1, 1, 1),
    block: tuple[int, int, int] = (64, 1, 1),
    shared: int = 0,
) -> Run:
    """Arrays become buffers (copied back after the launch), ints are passed by value."""
    memory = DeviceMemory()
    values: list[int] = []
    buffers: list[tuple[int, int, np.ndarray]] = []
    for i, arg in enumerate(args):
        if isinstance(arg, np.ndarray):
            addr = memory.alloc_bytes(np.ascontiguousarray(arg), f"arg{i}")
            buffers.append((i, addr, arg))
            values.append(addr)
        else:
            values.append(int(arg))
    kernarg = memory.alloc_bytes(kernarg_bytes(code, values, grid, block), "kernarg")
    result = launch(code, grid, block, kernarg, memory, shared)
    outputs = {
        f"arg{i}": memory.read(addr, arr.dtype, arr.shape).copy() for i, addr, arr in buffers
    }
    return Run(outputs, result)
