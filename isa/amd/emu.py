"""The `emu` executor for HIP builds: inputs copied into device memory, outputs and scratch
poisoned (NaN bytes), kernel arguments laid out from the code object metadata (explicit and
hidden), every launch emulated with the sanitizer on, and the time estimated per launch."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

from isa.amd.asm import KernelCode
from isa.amd.executor import KernelFault, launch
from isa.amd.memory import DeviceMemory
from isa.amd.state import Fault
from isa.amd.timing import MI300X, estimate, occupancy
from isa.base import ExecutionError, KernelInterface, RunResult

FP32 = np.dtype(np.float32)
POISON = 0xFF


def kernarg_bytes(
    code: KernelCode, values: list[int], grid: tuple[int, int, int], block: tuple[int, int, int]
) -> bytes:
    # the runtime's kernarg buffer is padded: scalar loads may read whole dwordx4 / x8 beyond
    size = -(-max(code.kernarg_size, 8) // 64) * 64 + 64
    buf = bytearray(size)
    explicit = [a for a in code.args if not a.kind.startswith("hidden_")]
    for arg, value in zip(explicit, values, strict=True):
        fmt = {1: "<b", 2: "<h", 4: "<i", 8: "<q"}.get(arg.size)
        if fmt is None:
            raise ExecutionError(
                f"kernel '{code.name}' has an argument of {arg.size} bytes; "
                "only pointers and 1-8 byte scalars are supported"
            )
        if arg.kind == "global_buffer" or value >= 1 << (8 * arg.size - 1):
            fmt = fmt.upper()
        struct.pack_into(
            fmt, buf, arg.offset, value & ((1 << (8 * arg.size)) - 1) if fmt.isupper() else value
        )
    hidden = {
        "hidden_block_count_x": grid[0],
        "hidden_block_count_y": grid[1],
        "hidden_block_count_z": grid[2],
        "hidden_group_size_x": block[0],
        "hidden_group_size_y": block[1],
        "hidden_group_size_z": block[2],
        "hidden_grid_dims": 3 if grid[2] > 1 else (2 if grid[1] > 1 else 1),
    }
    for arg in code.args:
        if arg.kind in hidden:
            fmt = {2: "<H", 4: "<I", 8: "<Q"}[arg.size]
            struct.pack_into(fmt, buf, arg.offset, hidden[arg.kind])
    return bytes(buf)


def explicit_args(code: KernelCode) -> list[str]:
    return [a.kind for a in code.args if not a.kind.startswith("hidden_")]


def run_emulated(build: Any, iface: KernelInterface, inputs: dict[str, np.ndarray]) -> RunResult:
    memory = DeviceMemory()
    addresses: dict[str, int] = {}
    originals: dict[str, np.ndarray] = {}
    for tensor in iface.tensors:
        if tensor.role == "input":
            data = np.ascontiguousarray(np.asarray(inputs[tensor.name], FP32).reshape(tensor.shape))
            originals[tensor.name] = data
            addresses[tensor.name] = memory.alloc_bytes(data, tensor.name)
        else:
            addresses[tensor.name] = memory.alloc(tensor.size * 4, tensor.name)
            memory.data[addresses[tensor.name] - 0x7F0000000000 :][: tensor.size * 4] = POISON
    for name, count in build.plan.scratch.items():
        addresses[name] = memory.alloc(count * 4, name)
        memory.data[addresses[name] - 0x7F0000000000 :][: count * 4] = POISON
    findings: list[str] = []
    launches: list[dict[str, Any]] = []
    total = 0.0
    symbols: dict[str, int] = {}  # the module's __device__ / __constant__ objects, per run
    for name, blob in build.data.items():
        symbols[name] = memory.alloc_bytes(blob, f"the kernel's object '{name}'")
        got = np.array([symbols[name]], np.uint64)
        symbols[f"{name}@got"] = memory.alloc_bytes(got, f"GOT entry of '{name}'")
    for lb in build.launches:
        code: KernelCode = lb.code
        values = [addresses[a] if isinstance(a, str) else int(a) for a in lb.launch.args]
        kernarg = memory.alloc_bytes(
            kernarg_bytes(code, values, lb.launch.grid, lb.launch.block),
            f"kernel arguments of {lb.kernel}",
        )
        lds = code.lds_bytes + lb.launch.shared
        if lds > 65536:
            raise ExecutionError(
                f"{lb.kernel} needs {lds} bytes of LDS; a workgroup has at most 65536",
                lb.launch.line,
            )
        try:
            result = launch(
                code, lb.launch.grid, lb.launch.block, kernarg, memory, lb.launch.shared, symbols
            )
        except KernelFault as fault:
            f = fault.finding
            raise ExecutionError(f"{lb.kernel}: {_without_line(str(f))}", f.source_line) from None
        except Fault as fault:
            raise ExecutionError(f"{lb.kernel}: {fault.message}", lb.launch.line) from None
        findings += [f"{lb.kernel}: {f}" for f in result.findings]
        block = lb.launch.block
        wpg = -(-(block[0] * block[1] * block[2]) // 64)
        occ = occupancy(
            lb.resources["vgprs"], lb.resources["agprs"], lb.resources["sgprs"], lds, wpg
        )
        unique = int(result.counters.get("lines_touched", 0)) * 128
        est = estimate(result.per_group, unique, occ)
        total += est.us
        launches.append(
            {
                "kernel": lb.kernel,
                "grid": list(lb.launch.grid),
                "block": list(block),
                "us": est.us,
                "limiter": est.limiter,
                "breakdown_us": est.breakdown,
                "occupancy": occ,
                "counters": result.counters,
                "emulation_s": round(result.wall_s, 3),
            }
        )
    outputs = {t.name: memory.read(addresses[t.name], FP32, t.shape).copy() for t in iface.outputs}
    for name, before in originals.items():
        after = memory.read(addresses[name], FP32, before.shape)
        if not np.array_equal(after.view(np.uint32), before.view(np.uint32)):
            findings.append(f"the kernel modified its input '{name}'")
    return RunResult(
        outputs=outputs,
        measure=total,
        unit="us",
        counters={"executor": "emu", "gpu_model": MI300X.name, "launches": launches},
        findings=findings,
    )


def _without_line(text: str) -> str:
    if text.startswith("line "):
        _head, _, rest = text.partition(": ")
        return rest
    return text
