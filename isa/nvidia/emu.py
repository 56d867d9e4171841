"""The `emu` executor: runs a build's plan in the PTX emulator and estimates its time on the
modelled GPU of the target's architecture. Inputs are copied in, outputs and scratch start
poisoned (NaN bytes), every launch runs under the always-on sanitizer (inputs are
read-only: the first store to one is a fault naming the thread, instruction and line), and
the estimate is the sum over launches.

`estimate_sampled` is the realistic-size estimate: at a task's GPU sizes, each launch runs
only a sample of its blocks (`isa.nvidia.ptx.sampling`) on arbitrary inputs, and the timing
model charges the rest like the sampled blocks of their kind; it checks nothing."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from isa.base import ExecutionError, KernelInterface, RunResult
from isa.nvidia.backend import LaunchBuild, NvidiaBuild
from isa.nvidia.limits import EMU_DEVICE_BYTES
from isa.nvidia.machines import GpuSpec
from isa.nvidia.ptx import (
    DeviceMemory,
    EmuLimits,
    Finding,
    Module,
    PtxError,
    PtxFault,
    Resources,
    estimate_time,
    launch,
    load_module,
)
from isa.nvidia.ptx.sampling import sample_blocks
from isa.nvidia.ptx.timing import TimingEstimate

SAMPLE_SEED = 0  # which random blocks a sampled estimate adds (the same for every kernel)
# a sample is a few blocks: a kernel whose sampled blocks need more than this (all the work in
# one block of a large grid) gets no estimate rather than minutes of emulation
SAMPLED_LIMITS = EmuLimits(max_warp_instructions=20_000_000, max_steps_per_chunk=500_000)

FP32 = np.dtype(np.float32)
MAX_PRINTED = 2000  # characters of the kernels' printf output a run reports


def _source_line(findings: list[Finding]) -> int | None:
    for finding in reversed(findings):
        if finding.source_line is not None:
            return finding.source_line
    return None


def _without_source(finding: Finding) -> str:
    """The finding's text without its `file:line: ` head (the error carries the line)."""
    text = str(finding)
    head = f"{finding.source}: " if finding.source else ""
    return text[len(head) :] if head and text.startswith(head) else text


@lru_cache(maxsize=16)
def _loaded(ptx: str) -> Module:
    """A module parsed and decoded once per worker, not once per config (a module holds no
    launch state: each launch makes its own)."""
    return load_module(ptx)


def _printed(parts: list[str], dropped: int) -> str:
    text = "".join(parts)
    if len(text) > MAX_PRINTED:
        text = text[:MAX_PRINTED] + f"\n[... {len(text) - MAX_PRINTED} more characters]"
    elif dropped:
        text += f"[... {dropped} more printf calls not kept]"
    return text


def _load(lb: LaunchBuild, modules: dict[int, Module]) -> Module:
    module = modules.get(id(lb.compiled))
    if module is None:
        try:
            module = modules[id(lb.compiled)] = _loaded(lb.compiled.ptx)
        except PtxError as exc:  # its line is the PTX's, not the candidate's
            raise ExecutionError(
                f"the emulator cannot run the PTX of '{lb.kernel}' (PTX line {exc.line}): "
                f"{exc.message}"
            ) from None
    return module


def _entry(lb: LaunchBuild, estimate: TimingEstimate, counters: dict[str, Any]) -> dict[str, Any]:
    return {
        "kernel": lb.kernel,
        "grid": list(lb.launch.grid),
        "block": list(lb.launch.block),
        "us": estimate.us,
        "limiter": estimate.limiter,
        "breakdown_us": estimate.breakdown,
        "occupancy": estimate.occupancy,
        "blocks_per_sm": estimate.blocks_per_sm,
        "waves": estimate.waves,
        "imbalance": estimate.imbalance,
        "busiest_sm_blocks": estimate.busiest_sm_blocks,
        "blocks": estimate.blocks,
        "blocks_emulated": estimate.blocks_emulated,
        "roofline_pct": estimate.roofline_pct,
        "registers": lb.resources.registers,
        "counters": counters,
    }


def estimate_sampled(build: NvidiaBuild, iface: KernelInterface, gpu: GpuSpec) -> RunResult:
    """The realistic-size estimate of `build` at `iface`'s sizes (see the module text)."""
    rng = np.random.default_rng(SAMPLE_SEED)
    memory = DeviceMemory()
    addresses: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for tensor in iface.tensors:
        nbytes = tensor.size * FP32.itemsize
        if tensor.role == "input":
            data = rng.random(tensor.size, dtype=np.float32)
            addresses[tensor.name] = memory.alloc_array(data, tensor.name)
        else:
            addresses[tensor.name] = memory.alloc(nbytes, tensor.name)
        sizes[tensor.name] = nbytes
    for name, count in build.plan.scratch.items():
        addresses[name] = memory.alloc(count * FP32.itemsize, name)
        sizes[name] = count * FP32.itemsize
    modules: dict[int, Module] = {}
    launches: list[dict[str, Any]] = []
    total_us = 0.0
    emulation_s = 0.0
    written = 0.0
    for lb in build.launches:
        module = _load(lb, modules)
        args: list[int] = [
            addresses[a] if isinstance(a, str) else int(a) for a in lb.launch.args
        ] + [0] * lb.extra_params
        grid = tuple(lb.launch.grid) + (1,) * (3 - len(lb.launch.grid))
        blocks = sample_blocks((int(grid[0]), int(grid[1]), int(grid[2])), rng)
        try:
            result = launch(
                module,
                lb.kernel,
                lb.launch.grid,
                lb.launch.block,
                args,
                memory,
                dynamic_shared_bytes=lb.launch.shared,
                blocks=blocks,
                machine=gpu,
                limits=SAMPLED_LIMITS,
            )
        except PtxFault as fault:
            detail = _without_source(fault.findings[-1]) if fault.findings else fault.message
            raise ExecutionError(f"{lb.kernel} (sampled blocks): {detail}") from None
        except ValueError as exc:
            raise ExecutionError(f"cannot launch '{lb.kernel}': {exc}", lb.launch.line) from None
        c = result.counters
        # the footprint at the real size: the sample's, scaled to the grid, at most what the
        # launch's buffers hold
        buffers = sum(sizes[a] for a in set(lb.launch.args) if isinstance(a, str) and a in sizes)
        scaled = c.global_footprint_bytes * c.grid_blocks / max(c.blocks, 1)
        footprint = int(min(scaled, buffers)) if buffers else int(scaled)
        estimate = estimate_time(
            c, _resources(lb), lb.launch.grid, gpu=gpu, footprint_bytes=footprint
        )
        total_us += estimate.us
        written += estimate.written_bytes
        emulation_s += result.wall_s
        entry = _entry(lb, estimate, c.to_json())
        entry["footprint_bytes"] = footprint
        entry["emulation_s"] = round(result.wall_s, 3)
        launches.append(entry)
    needed = sum(sizes[t.name] for t in iface.outputs)
    if needed and written < 0.9 * needed:
        raise ExecutionError(
            f"the sampled blocks, scaled to the grid, write only {100 * written / needed:.0f}% "
            "of the outputs at this size: the work is not where the sample looked (blocks "
            "that skip their work, or work gathered in a few blocks), so there is no "
            "realistic-size estimate"
        )
    return RunResult(
        outputs={},
        measure=total_us,
        unit="us",
        counters={
            "executor": "emu",
            "gpu_model": gpu.name,
            "sampled": True,
            "launches": launches,
            "emulation_s": round(emulation_s, 3),
        },
    )


def run_emulated(
    build: NvidiaBuild, iface: KernelInterface, inputs: dict[str, np.ndarray], gpu: GpuSpec
) -> RunResult:
    check_emulable(build, iface)
    memory = DeviceMemory()
    addresses: dict[str, int] = {}
    originals: dict[str, np.ndarray] = {}
    for tensor in iface.tensors:
        if tensor.role == "input":
            data = np.ascontiguousarray(np.asarray(inputs[tensor.name], FP32).reshape(tensor.shape))
            originals[tensor.name] = data
            addresses[tensor.name] = memory.alloc_array(data, tensor.name, read_only=True)
        else:
            addresses[tensor.name] = memory.alloc(tensor.size * FP32.itemsize, tensor.name)
    for name, count in build.plan.scratch.items():
        addresses[name] = memory.alloc(count * FP32.itemsize, name)

    modules: dict[int, Module] = {}
    findings: list[str] = []
    notes: list[str] = []
    printed: list[str] = []
    printed_dropped = 0
    launches: list[dict[str, Any]] = []
    total_us = 0.0
    for lb in build.launches:
        module = _load(lb, modules)
        args: list[int] = [
            addresses[a] if isinstance(a, str) else int(a) for a in lb.launch.args
        ] + [0] * lb.extra_params
        try:
            result = launch(
                module,
                lb.kernel,
                lb.launch.grid,
                lb.launch.block,
                args,
                memory,
                dynamic_shared_bytes=lb.launch.shared,
                machine=gpu,
            )
        except PtxFault as fault:
            where = _source_line(fault.findings)
            detail = _without_source(fault.findings[-1]) if fault.findings else fault.message
            output = _printed([*printed, fault.printed], printed_dropped)
            if output:
                detail += f"; the kernels printed:\n{output}"
            raise ExecutionError(f"{lb.kernel}: {detail}", where) from None
        except ValueError as exc:
            raise ExecutionError(f"cannot launch '{lb.kernel}': {exc}", lb.launch.line) from None
        findings += [f"{lb.kernel}: {f}" for f in result.findings]
        if result.findings_dropped:
            findings.append(f"{lb.kernel}: {result.findings_dropped} more findings not shown")
        notes += [f"{lb.kernel}: {n}" for n in result.notes]
        printed.append(result.printed)
        printed_dropped += result.printed_dropped
        estimate = estimate_time(result.counters, _resources(lb), lb.launch.grid, gpu=gpu)
        total_us += estimate.us
        entry = _entry(lb, estimate, result.counters.to_json())
        entry["emulation_s"] = round(result.wall_s, 3)
        launches.append(entry)

    outputs = {t.name: memory.read(addresses[t.name], FP32, t.shape).copy() for t in iface.outputs}
    for name, before in originals.items():
        after = memory.read(addresses[name], FP32, before.shape)
        if not np.array_equal(after.view(np.uint32), before.view(np.uint32)):
            findings.append(f"the kernel modified its input '{name}'")
    counters: dict[str, Any] = {"executor": "emu", "gpu_model": gpu.name, "launches": launches}
    if notes:
        counters["notes"] = notes
    output = _printed(printed, printed_dropped)
    if output:
        counters["printf"] = output
    return RunResult(
        outputs=outputs, measure=total_us, unit="us", counters=counters, findings=findings
    )


def check_emulable(build: NvidiaBuild, iface: KernelInterface) -> None:
    """What the emulator can run, checked before anything is allocated: its device memory,
    and no more warps per launch than its instruction cap could ever execute."""
    words = sum(t.size for t in iface.tensors) + sum(build.plan.scratch.values())
    if words * FP32.itemsize > EMU_DEVICE_BYTES:
        raise ExecutionError(
            f"the tensors and scratch buffers need {words * FP32.itemsize} bytes; the emulator "
            f"provides at most {EMU_DEVICE_BYTES >> 20} MiB of device memory"
        )
    cap = EmuLimits().max_warp_instructions
    for lb in build.launches:
        g, b = lb.launch.grid, lb.launch.block
        warps = g[0] * g[1] * g[2] * -(-(b[0] * b[1] * b[2]) // 32)
        if warps > cap:
            raise ExecutionError(
                f"launch of '{lb.kernel}' starts {warps} warps; the emulator runs at most "
                f"{cap} warp instructions per launch, so it could not finish",
                lb.launch.line,
            )


def _resources(lb: LaunchBuild) -> Resources:
    r = lb.resources
    block = lb.launch.block
    return Resources(
        registers_per_thread=max(r.registers, 1),
        shared_bytes_per_block=r.shared + lb.launch.shared,
        threads_per_block=block[0] * block[1] * block[2],
    )
