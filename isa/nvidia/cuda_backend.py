"""The CUDA C++ targets `cuda:sm_80` and `cuda:sm_90`: one `.cu` file of `extern "C"
__global__` kernels and a `//@` launch plan, compiled once by nvcc (cached) for every config."""

from __future__ import annotations

from isa.base import CompileError, KernelInterface, Target
from isa.nvidia.backend import ARCHS, LaunchBuild, NvidiaBackend, NvidiaBuild, check_buffers
from isa.nvidia.limits import check_int_args, check_plan, check_shared
from isa.nvidia.plan import parse_plan
from isa.nvidia.signature import entry_signatures
from isa.nvidia.static_check import check_compiled, cuda_findings
from isa.nvidia.toolchain import compile_cuda

PLAN_PREFIX = "//@"


class CudaBackend(NvidiaBackend):
    family = "cuda"
    language = "CUDA C++"
    source_suffix = ".cu"
    spec_file = "spec_cuda.md"

    def static_check(self, target: Target, source: str, forbidden: tuple[str, ...]) -> list[str]:
        """Host-side launches, streams and threads (always), and the precision downgrades
        the task forbids (`fp16`, `bf16`, `tf32`)."""
        return cuda_findings(source, forbidden)

    def compile_plan(self, target: Target, source: str, iface: KernelInterface) -> NvidiaBuild:
        arch = target.arch or ARCHS[0]
        plan = parse_plan(source, PLAN_PREFIX, iface.sizes)
        check_buffers(plan, iface)
        check_plan(plan, arch)
        compiled = compile_cuda(source, arch)
        check_compiled(compiled.ptx, compiled.sass, iface.forbid)
        signatures = entry_signatures(compiled.ptx)
        launches = []
        for launch in plan.launches:
            params = signatures.get(launch.kernel)
            if params is None:
                defined = ", ".join(sorted(signatures)) or "none"
                raise CompileError(
                    f"the plan launches '{launch.kernel}', but the file's extern \"C\" "
                    f"__global__ kernels are: {defined}",
                    launch.line,
                )
            if len(params) != len(launch.args):
                raise CompileError(
                    f"the plan passes {len(launch.args)} arguments to '{launch.kernel}', "
                    f"which takes {len(params)}",
                    launch.line,
                )
            for param, arg in zip(params, launch.args, strict=True):
                if isinstance(arg, str) and not param.is_pointer_sized:
                    raise CompileError(
                        f"'{arg}' is a buffer, but parameter {param.name} of "
                        f"'{launch.kernel}' is a {param.ptype}, not a pointer",
                        launch.line,
                    )
            check_int_args(launch, params)
            lb = LaunchBuild(launch, launch.kernel, compiled)
            check_shared(launch, lb.resources.shared, arch)
            launches.append(lb)
        return NvidiaBuild(plan, launches)
