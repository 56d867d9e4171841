"""The Triton targets `triton:sm_80` and `triton:sm_90`: a Python file of `@triton.jit`
kernels and a `#@` launch plan. Triton compiles each launch for the config's constexprs in a
child process (`isa.nvidia.triton_compile`, the only place candidate Python runs), which
returns PTX and metadata as data (`isa.nvidia.triton_products` validates them); ptxas then
gives the cubin and the resource report, in the worker that runs the build, where no
candidate code runs. Every product is cached."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path

from isa.base import CompileError, KernelInterface, Target
from isa.harness import CACHE_ENV, COMPILED_ONLY_ENV
from isa.nvidia.backend import ARCHS, LaunchBuild, NvidiaBackend, NvidiaBuild, check_buffers
from isa.nvidia.limits import check_int_args, check_plan, check_shared
from isa.nvidia.plan import Launch, parse_plan
from isa.nvidia.signature import entry_signatures
from isa.nvidia.static_check import check_compiled, triton_findings
from isa.nvidia.toolchain import (
    COMPILE_TIMEOUT_S,
    Compiled,
    arch_number,
    assemble,
    cache_key,
    is_cached,
    load_cached,
    store_cached,
    store_error,
)
from isa.nvidia.triton_products import (
    MAX_MESSAGE,
    load_products,
    read_result,
    store_products,
    triton_ptxas,
    validate_entry,
)

PLAN_PREFIX = "#@"
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # so the child can import isa


@cache
def triton_version() -> str:
    try:
        return metadata.version("triton")
    except metadata.PackageNotFoundError:
        raise CompileError(
            "Triton is not installed; run scripts/install.sh (it installs the triton package)"
        ) from None


def _kinds(launch: Launch) -> list[str]:
    return ["ptr" if isinstance(a, str) else "int" for a in launch.args]


def _launch_key(source: str, arch: str, launch: Launch) -> str:
    return cache_key(
        "triton-products-v2",
        arch,
        triton_version(),
        launch.kernel,
        json.dumps(_kinds(launch)),
        json.dumps(sorted(launch.constexprs.items())),
        str(launch.num_warps),
        str(launch.num_stages),
        source,
    )


def compile_launches(source: str, arch: str, launches: list[Launch]) -> list[Compiled]:
    """One Compiled per launch: assembled here from the PTX of Triton's compile step (the
    cache's, or a child process's), or taken from the cache when a worker without candidate
    code assembled it before."""
    keys = [_launch_key(source, arch, launch) for launch in launches]
    found: dict[str, Compiled] = {}
    for key in dict.fromkeys(keys):
        hit = load_cached(_assembled_key(key))
        if hit is not None:
            found[key] = hit
    products: dict[str, tuple[str, dict[str, int | str]]] = {}
    for key in dict.fromkeys(k for k in keys if k not in found):
        cached = load_products(key)
        if cached is not None:
            products[key] = cached
    missing = {
        k: launch
        for k, launch in zip(keys, launches, strict=True)
        if k not in found and k not in products
    }
    if missing and os.environ.get(COMPILED_ONLY_ENV):
        raise CompileError(
            "the kernel file's compile step left no kernel for this launch (it failed, or the "
            "file's own code interfered with it)"
        )
    if missing:
        products.update(_compile_in_child(source, arch, missing))
    by_key = dict(zip(keys, launches, strict=True))
    for key, (ptx, meta) in products.items():
        launch = by_key[key]
        if int(meta["global_scratch_size"]):
            raise CompileError(
                f"'{launch.kernel}' needs Triton's global scratch memory, which kernelwright "
                "does not provide; use a [scratch] buffer of the plan instead",
                launch.line,
            )
        result = assemble(ptx, arch, triton_ptxas())
        result.extra = {"name": str(meta["name"]), "shared": int(meta["shared"])}
        store_cached(_assembled_key(key), result)
        found[key] = result
    return [found[k] for k in keys]


def _assembled_key(key: str) -> str:
    return cache_key("triton-assembled", key)


def _compile_in_child(
    source: str, arch: str, missing: dict[str, Launch]
) -> dict[str, tuple[str, dict[str, int | str]]]:
    with tempfile.TemporaryDirectory(prefix="kw-triton-") as tmp:
        folder = Path(tmp)
        (folder / "kernel.py").write_text(source)
        stems = {key: f"k{i}" for i, key in enumerate(missing)}
        request = {
            "source": "kernel.py",
            "result": "result.json",
            "kernels": [
                {
                    "out": stems[key],
                    "kernel": launch.kernel,
                    "args": _kinds(launch),
                    "constexprs": launch.constexprs,
                    "num_warps": launch.num_warps,
                    "num_stages": launch.num_stages,
                    "arch": arch_number(arch),
                }
                for key, launch in missing.items()
            ],
        }
        (folder / "request.json").write_text(json.dumps(request))
        # Candidate code runs in this child: it is not told where the compile cache is.
        env = {k: v for k, v in os.environ.items() if k != CACHE_ENV}
        env["TRITON_CACHE_DIR"] = str(folder / "triton-cache")
        env["TRITON_DEFAULT_FP_FUSION"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])
        )
        log_path = folder / "compile.log"
        with open(log_path, "wb") as log:
            # A session of its own, and output to a file rather than a pipe: what the
            # candidate's code leaves running is killed with it and cannot hold us up.
            proc = subprocess.Popen(
                [sys.executable, "-m", "isa.nvidia.triton_compile", "request.json"],
                cwd=folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=COMPILE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                raise CompileError(
                    f"Triton took longer than {COMPILE_TIMEOUT_S} s to compile and was stopped"
                ) from None
            finally:
                _kill_group(proc)
        result_path = folder / "result.json"
        if not result_path.is_file():
            tail = log_path.read_text(errors="replace").strip().splitlines()
            raise CompileError(f"Triton failed: {tail[-1][:MAX_MESSAGE] if tail else 'no output'}")
        results = read_result(result_path)
    products: dict[str, tuple[str, dict[str, int | str]]] = {}
    for key in missing:
        try:
            products[key] = validate_entry(results.get(stems[key], {}))
        except CompileError as error:
            store_error(key, error)
            raise
        store_products(key, *products[key])
    return products


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


class TritonBackend(NvidiaBackend):
    family = "triton"
    language = "Triton (Python)"
    source_suffix = ".py"
    spec_file = "spec_triton.md"
    # Importing the file runs candidate code: the harness compiles in a sandbox of its own
    # and runs from the compiled products in another (see `isa.harness.run_candidate`).
    compile_runs_candidate_code = True

    def static_check(self, target: Target, source: str, forbidden: tuple[str, ...]) -> list[str]:
        """Streams and threads (always), and the precision downgrades the task forbids
        (`fp16`, `bf16`, `tf32`, including a `tl.dot` that is not `input_precision="ieee"`)."""
        return triton_findings(source, forbidden)

    def compiled_in(
        self, target: Target, source: str, ifaces: list[KernelInterface], cache: Path
    ) -> bool:
        """Every launch of every config already has its compile products (or its compile
        error) in `cache`: a run needs no compile step, so no candidate code runs at all.
        Reads the plan only (TOML), never imports the file."""
        arch = target.arch or ARCHS[0]
        try:
            for iface in ifaces:
                plan = parse_plan(source, PLAN_PREFIX, iface.sizes, triton=True)
                for launch in plan.launches:
                    if not is_cached(_launch_key(source, arch, launch), cache):
                        return False
        except CompileError:
            return False
        return True

    def compile_plan(self, target: Target, source: str, iface: KernelInterface) -> NvidiaBuild:
        plan = parse_plan(source, PLAN_PREFIX, iface.sizes, triton=True)
        check_buffers(plan, iface)
        arch = target.arch or ARCHS[0]
        check_plan(plan, arch)
        launches = []
        for launch, compiled in zip(
            plan.launches, compile_launches(source, arch, list(plan.launches)), strict=True
        ):
            check_compiled(compiled.ptx, compiled.sass, iface.forbid, launch.line)
            name = str(compiled.extra.get("name", launch.kernel))
            params = entry_signatures(compiled.ptx).get(name, [])
            extra = len(params) - len(launch.args)
            if extra < 0:
                raise CompileError(f"Triton's '{name}' takes fewer arguments than the plan passes")
            check_int_args(launch, params)
            # Triton's kernels take their shared memory as dynamic shared memory.
            shared = int(str(compiled.extra.get("shared", 0))) + launch.shared
            lb = LaunchBuild(dataclasses.replace(launch, shared=shared), name, compiled, extra)
            check_shared(lb.launch, lb.resources.shared, arch)
            launches.append(lb)
        return NvidiaBuild(plan, launches)
