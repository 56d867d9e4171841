"""The HIP target `hip:gfx942` (MI300X): one `.hip` file of `extern "C" __global__` kernels and
a `//@` launch plan (the same plan as CUDA's), compiled by clang-19 to AMDGCN assembly and run
by the AMDGCN emulator (`emu`). `hip:gfx950` is listed but unavailable: clang-19 cannot
compile for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from isa.amd.asm import KernelCode
from isa.amd.static_check import hip_findings
from isa.amd.timing import MI300X, occupancy
from isa.amd.toolchain import compile_hip, listing
from isa.base import Build, CompileError, ExecutionError, KernelInterface, RunResult, Target, Work
from isa.nvidia.backend import check_buffers
from isa.nvidia.plan import Launch, Plan, parse_plan

ARCHS = ("gfx942",)
UNAVAILABLE = {
    "gfx950": "hip:gfx950 (MI355X, CDNA4) is not available: Debian's clang-19 "
    "cannot compile for gfx950 (it needs clang 20 or later)"
}
PLAN_PREFIX = "//@"
SPEC = Path(__file__).resolve().parent / "spec_hip.md"


@dataclass
class HipLaunch:
    launch: Launch
    kernel: str
    code: KernelCode
    resources: dict[str, int]


@dataclass
class HipBuild:
    plan: Plan
    launches: list[HipLaunch]
    asm: str
    compile_s: float
    data: dict[str, bytes] = field(default_factory=dict)


def resources(code: KernelCode) -> dict[str, int]:
    vgprs = code.meta.get("vgpr_count", code.hsa.get("next_free_vgpr", 0))
    agprs = code.meta.get("agpr_count", 0)
    return {
        "vgprs": vgprs,
        "agprs": agprs,
        "sgprs": code.meta.get("sgpr_count", code.hsa.get("next_free_sgpr", 0)),
        "lds_bytes": code.lds_bytes,
        "scratch_bytes": code.scratch_bytes,
        "vgpr_spills": code.meta.get("vgpr_spill_count", 0),
        "sgpr_spills": code.meta.get("sgpr_spill_count", 0),
        "wavefront_size": code.meta.get("wavefront_size", 64),
        "instructions": len(code.instrs),
    }


class HipBackend:
    family = "hip"
    language = "HIP C++"
    source_suffix = ".hip"
    archs = ARCHS + tuple(UNAVAILABLE)
    precision = "fp32"
    unit = "us"

    def check_target(self, target: Target) -> None:
        if target.arch in UNAVAILABLE:
            raise ValueError(UNAVAILABLE[target.arch])
        if target.arch not in ARCHS:
            raise ValueError(f"target '{target.name}' is not supported; use hip:gfx942")

    def executors(self, target: Target) -> tuple[str, ...]:
        return ("emu",)

    def spec(self, target: Target) -> str:
        return _read(SPEC)

    def static_check(self, target: Target, source: str, forbidden: tuple[str, ...]) -> list[str]:
        """Host-side code (always) and the precision downgrades the task forbids."""
        return hip_findings(source, forbidden)

    def build(self, target: Target, source: str, iface: KernelInterface) -> Build:
        arch = target.arch or ARCHS[0]
        plan = parse_plan(source, PLAN_PREFIX, iface.sizes)
        check_buffers(plan, iface)
        compiled = compile_hip(source, arch)
        module = compiled.module
        launches = []
        for launch in plan.launches:
            code = module.kernels.get(launch.kernel)
            if code is None:
                defined = ", ".join(sorted(module.kernels)) or "none"
                raise CompileError(
                    f"the plan launches '{launch.kernel}', but the file's extern \"C\" "
                    f"__global__ kernels are: {defined}",
                    launch.line,
                )
            explicit = [a for a in code.args if not a.kind.startswith("hidden_")]
            if len(explicit) != len(launch.args):
                raise CompileError(
                    f"the plan passes {len(launch.args)} arguments to '{launch.kernel}', which "
                    f"takes {len(explicit)}",
                    launch.line,
                )
            for i, (param, arg) in enumerate(zip(explicit, launch.args, strict=True)):
                if isinstance(arg, str) and param.kind != "global_buffer":
                    raise CompileError(
                        f"'{arg}' is a buffer, but parameter {i + 1} of '{launch.kernel}' is "
                        "not a pointer",
                        launch.line,
                    )
                if not isinstance(arg, str) and param.kind == "global_buffer":
                    raise CompileError(
                        f"parameter {i + 1} of '{launch.kernel}' is a pointer, but the plan "
                        f"passes the integer {arg}",
                        launch.line,
                    )
            threads = launch.block[0] * launch.block[1] * launch.block[2]
            limit = code.meta.get("max_flat_workgroup_size", 1024)
            if threads > limit:
                raise CompileError(
                    f"'{launch.kernel}' allows at most {limit} threads per block, "
                    f"the plan asks for {threads}",
                    launch.line,
                )
            launches.append(HipLaunch(launch, launch.kernel, code, resources(code)))
        build = HipBuild(plan, launches, compiled.asm, compiled.compile_s, dict(module.data))
        return Build(artifact=build, diagnostics=_diagnostics(build, arch))

    def execute(
        self,
        target: Target,
        build: Build,
        iface: KernelInterface,
        inputs: dict[str, np.ndarray],
        executor: str = "emu",
    ) -> RunResult:
        if executor != "emu":
            raise ExecutionError(f"unknown executor '{executor}' for {target.name}; use emu")
        from isa.amd.emu import run_emulated

        return run_emulated(build.artifact, iface, inputs)

    def roofline(self, target: Target, work: Work, executor: str = "emu") -> float:
        """Microseconds on MI300X: multiply-adds at the fp32 peak (packed FMA or fp32 MFMA,
        128 per CU per clock: 163.4 TFLOP/s), other flops at that rate too, and HBM bandwidth
        for the words that must move. A floor: no fp32 kernel can go faster."""
        gpu = MI300X
        fma_per_us = gpu.cus * 2 * gpu.fp32_lanes_per_cu * gpu.clock_ghz * 1e3
        bytes_per_us = gpu.hbm_gbps * 1e3
        compute = max(work.macs / fma_per_us, work.flops / (2 * fma_per_us))
        return float(max(compute, 4 * work.words / bytes_per_us))

    def profile_report(
        self, counters: dict[str, Any], measure: float, roofline: float | None
    ) -> str:
        from isa.amd.profile import profile_report

        return profile_report(counters, measure, roofline)


def _diagnostics(build: HipBuild, arch: str) -> dict[str, Any]:
    kernels: dict[str, Any] = {}
    for lb in build.launches:
        block = lb.launch.block
        wpg = -(-(block[0] * block[1] * block[2]) // 64)
        r = lb.resources
        occ = occupancy(r["vgprs"], r["agprs"], r["sgprs"], r["lds_bytes"] + lb.launch.shared, wpg)
        kernels[lb.kernel] = {
            **r,
            "dynamic_lds": lb.launch.shared,
            "grid": list(lb.launch.grid),
            "block": list(block),
            "waves_per_simd": occ["waves_per_simd"],
            "occupancy_limited_by": occ["limited_by"],
        }
    first = build.launches[0].kernel if build.launches else ""
    return {
        "arch": arch,
        "launches": len(build.launches),
        "kernels": kernels,
        "compile_s": round(build.compile_s, 3),
        "assembly": "\n\n".join(
            f"{k}:\n{listing(build.asm, k)}"
            for k in dict.fromkeys(lb.kernel for lb in build.launches)
        )
        if first
        else "",
    }


@cache
def _read(path: Path) -> str:
    return path.read_text()
