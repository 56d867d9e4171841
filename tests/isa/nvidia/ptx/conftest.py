"""Helpers for the PTX emulator tests: wrap a kernel body in a module, run it, compile real
CUDA / Triton kernels (skipped cleanly when nvcc or Triton is missing)."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import numpy as np
import pytest

from isa.nvidia.ptx import DeviceMemory, LaunchResult, Module, launch, load_module
from isa.nvidia.toolchain import find_tool

KERNELS = Path(__file__).parent / "kernels"

HEADER = """
.version 8.0
.target sm_80
.address_size 64
"""

REGS = """
    .reg .pred %p<8>;
    .reg .b16 %rs<8>;
    .reg .b32 %r<32>;
    .reg .f32 %f<16>;
    .reg .b64 %rd<16>;
    .reg .f64 %fd<8>;
"""


def ptx_kernel(body: str, params: int = 2, shared: str = "") -> str:
    """A module with one kernel `k(u64 p0, u64 p1, ...)` around `body`; the body starts with
    %rd1 = p0, %rd2 = p1, %r1 = %tid.x and %rd3 = 4 * tid."""
    plist = ",\n".join(f"    .param .u64 k_param_{i}" for i in range(params))
    loads = "\n".join(f"    ld.param.u64 %rd{i + 1}, [k_param_{i}];" for i in range(params))
    return f"""{HEADER}
{shared}
.visible .entry k(
{plist}
)
{{
{REGS}
{loads}
    mov.u32 %r1, %tid.x;
    mul.wide.u32 %rd3, %r1, 4;
{body}
    ret;
}}
"""


def run_ptx(
    ptx: str,
    inputs: list[np.ndarray],
    out: tuple[np.dtype | type, int],
    threads: int = 32,
    blocks: int = 1,
    shared: int = 0,
) -> tuple[np.ndarray, LaunchResult]:
    """Run kernel `k` with pointers to `out` then `inputs`; return the output and the result."""
    module = load_module(ptx)
    mem = DeviceMemory()
    dt, count = out
    o = mem.alloc(np.dtype(dt).itemsize * count, "out")
    ptrs = [mem.alloc_array(np.ascontiguousarray(a), f"in{i}") for i, a in enumerate(inputs)]
    result = launch(
        module, "k", (blocks, 1, 1), (threads, 1, 1), [o, *ptrs], mem, dynamic_shared_bytes=shared
    )
    return mem.read(o, dt, (count,)), result


def nvcc_ptx(name: str, arch: str = "sm_90") -> Module:
    return load_module(_nvcc_text(name, arch))


@functools.cache
def _nvcc_text(name: str, arch: str) -> str:
    nvcc = find_tool("nvcc")
    if nvcc is None:
        pytest.skip("nvcc is not installed")
    src = KERNELS / name
    proc = subprocess.run(
        [nvcc, f"-arch={arch}", "-O3", "-lineinfo", "-ptx", str(src), "-o", "-"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        if "cannot open source file" in proc.stderr:  # e.g. an nvcc wheel without cuda_fp16.h
            pytest.skip(f"this nvcc lacks a header: {proc.stderr.strip().splitlines()[0]}")
        pytest.fail(f"nvcc failed: {proc.stderr}")
    return proc.stdout
