"""What the CUDA and Triton backends share: targets, the build artifact (PTX and cubin per
launch of the plan), the executors and the roofline.

A build is one config's plan, evaluated, with the compiled kernel of every launch. The `emu`
executor runs the PTX in `isa.nvidia.ptx`; the `gpu` executor runs the cubin on a device.
Both read the same `NvidiaBuild`.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from isa.base import Build, CompileError, ExecutionError, KernelInterface, RunResult, Target, Work
from isa.nvidia.arch import launch_problem, limits_for
from isa.nvidia.machines import machine_for
from isa.nvidia.plan import Launch, Plan
from isa.nvidia.toolchain import Compiled, KernelResources, sass_excerpt

ARCHS = ("sm_80", "sm_90")
SPEC_DIR = Path(__file__).resolve().parent
# Peak (SMs, FP32 lanes per SM, boost GHz, DRAM GB/s) of the fastest part of each
# architecture: A100 80GB SXM and H200 SXM.
FASTEST_PART = {"sm_80": (108, 64, 1.41, 2039.0), "sm_90": (132, 128, 1.98, 4800.0)}


@dataclass
class LaunchBuild:
    """One launch of the plan with the module that holds its kernel."""

    launch: Launch
    kernel: str  # entry name in the PTX
    compiled: Compiled
    extra_params: int = 0  # trailing parameters the compiler added (Triton's scratch pointers)

    @property
    def resources(self) -> KernelResources:
        return self.compiled.resources.get(self.kernel, KernelResources())


@dataclass
class NvidiaBuild:
    plan: Plan
    launches: list[LaunchBuild]


def check_arch(target: Target) -> None:
    if target.arch not in ARCHS:
        raise ValueError(
            f"target '{target.name}' is not supported; use {target.family}:sm_80 or "
            f"{target.family}:sm_90"
        )


def check_buffers(plan: Plan, iface: KernelInterface) -> None:
    """Every buffer argument names a tensor or a scratch buffer, and they do not clash."""
    tensors = {t.name for t in iface.tensors}
    clash = tensors & set(plan.scratch)
    if clash:
        raise CompileError(f"scratch buffer(s) {', '.join(sorted(clash))} clash with tensor names")
    known = tensors | set(plan.scratch)
    for launch in plan.launches:
        for arg in launch.args:
            if isinstance(arg, str) and arg not in known:
                raise CompileError(
                    f"launch of '{launch.kernel}' passes '{arg}', which is neither a tensor "
                    f"({', '.join(sorted(tensors))}), a scratch buffer nor a size "
                    f"({', '.join(sorted(iface.sizes))})",
                    launch.line,
                )


def check_limits(build: NvidiaBuild, arch: str) -> None:
    """Every launch fits the architecture's limits (threads, shared memory per block,
    registers per block), as the driver checks them on that GPU; else a CompileError."""
    limits = limits_for(arch)
    for lb in build.launches:
        problem = launch_problem(
            limits,
            lb.kernel,
            lb.launch.block,
            lb.resources.shared + lb.launch.shared,
            lb.resources.registers,
        )
        if problem:
            raise CompileError(problem, lb.launch.line)


def diagnostics(build: NvidiaBuild, arch: str) -> dict[str, Any]:
    kernels: dict[str, Any] = {}
    sass: list[str] = []
    compile_s = 0.0
    seen: set[int] = set()
    for lb in build.launches:
        r = lb.resources
        kernels[lb.kernel] = {
            "registers": r.registers,
            "spill_bytes": r.spill_stores + r.spill_loads,
            "stack": r.stack,
            "static_shared": r.shared,
            "dynamic_shared": lb.launch.shared,
            "sass_instructions": r.sass_instructions,
            "grid": list(lb.launch.grid),
            "block": list(lb.launch.block),
        }
        if id(lb.compiled) not in seen:
            seen.add(id(lb.compiled))
            compile_s += lb.compiled.compile_s
            if lb.compiled.sass:
                sass.append(lb.compiled.sass)
    return {
        "arch": arch,
        "launches": len(build.launches),
        "kernels": kernels,
        "compile_s": round(compile_s, 3),
        "sass": sass_excerpt("\n".join(sass)),
    }


@cache
def gpu_available() -> bool:
    """A CUDA device and CuPy are both present (checked without initialising CUDA)."""
    if not Path("/dev/nvidiactl").exists() and not list(Path("/dev").glob("nvidia[0-9]*")):
        return False
    return importlib.util.find_spec("cupy") is not None


class NvidiaBackend:
    """The parts of the CUDA and Triton backends that do not depend on the language."""

    family = ""
    language = ""
    source_suffix = ""
    spec_file = ""
    archs = ARCHS
    precision = "fp32"
    unit = "us"

    def check_target(self, target: Target) -> None:
        check_arch(target)

    def executors(self, target: Target) -> tuple[str, ...]:
        return ("gpu", "emu") if gpu_available() else ("emu",)

    def spec(self, target: Target) -> str:
        return _read(SPEC_DIR / self.spec_file)

    def compile_plan(self, target: Target, source: str, iface: KernelInterface) -> NvidiaBuild:
        raise NotImplementedError

    def build(self, target: Target, source: str, iface: KernelInterface) -> Build:
        arch = target.arch or ARCHS[0]
        nb = self.compile_plan(target, source, iface)
        check_limits(nb, arch)
        return Build(artifact=nb, diagnostics=diagnostics(nb, arch))

    def execute(
        self,
        target: Target,
        build: Build,
        iface: KernelInterface,
        inputs: dict[str, np.ndarray],
        executor: str = "emu",
    ) -> RunResult:
        nb: NvidiaBuild = build.artifact
        if executor == "emu":
            from isa.nvidia.emu import run_emulated

            return run_emulated(nb, iface, inputs, machine_for(target.arch or ARCHS[0]))
        if executor == "gpu":
            from isa.nvidia.gpu import run_on_gpu

            return run_on_gpu(nb, iface, inputs)
        raise ExecutionError(f"unknown executor '{executor}' for {target.name}; use emu or gpu")

    def estimate(self, target: Target, build: Build, iface: KernelInterface) -> RunResult:
        """The realistic-size time estimate on `emu` (sampled blocks; no outputs checked)."""
        from isa.nvidia.emu import estimate_sampled

        return estimate_sampled(build.artifact, iface, machine_for(target.arch or ARCHS[0]))

    def roofline(self, target: Target, work: Work, executor: str = "emu") -> float:
        """Microseconds: FP32 FMA throughput and DRAM bandwidth of the modelled GPU on `emu`;
        on `gpu`, the peaks of the fastest part of the architecture (a physical floor on
        whichever device runs it)."""
        if executor == "gpu":
            sms, lanes, ghz, gbps = FASTEST_PART[target.arch or ARCHS[0]]
        else:
            gpu = machine_for(target.arch or ARCHS[0])
            sms, lanes, ghz, gbps = gpu.sms, gpu.fp32_lanes_per_sm, gpu.clock_ghz, gpu.dram_gbps
        fma_per_us = sms * lanes * ghz * 1e3
        bytes_per_us = gbps * 1e3
        flops_per_us = 2 * fma_per_us
        return float(
            max(work.macs / fma_per_us, work.flops / flops_per_us, 4 * work.words / bytes_per_us)
        )

    def profile_report(
        self, counters: dict[str, Any], measure: float, roofline: float | None
    ) -> str:
        from isa.nvidia.profile import profile_report

        return profile_report(counters, measure, roofline)


@cache
def _read(path: Path) -> str:
    return path.read_text()
