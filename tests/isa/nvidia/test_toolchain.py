"""The real toolchains: nvcc and Triton compile for sm_80 / sm_90 without a GPU, report
resources, keep the SASS, cache by content, and name the source line of an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from isa.base import CompileError, Target
from isa.nvidia.signature import entry_signatures
from isa.nvidia.toolchain import compile_cuda, nvcc_error, parse_ptxas_report
from isa.registry import backend_for
from tasks import load_task

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

REPORT = """\
ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function 'gemm_tiled' for 'sm_90'
ptxas info    : Function properties for gemm_tiled
    16 bytes stack frame, 8 bytes spill stores, 4 bytes spill loads
ptxas info    : Used 48 registers, used 1 barriers, 8192 bytes smem
"""


def test_the_ptxas_report_is_parsed() -> None:
    r = parse_ptxas_report(REPORT)["gemm_tiled"]
    assert (r.registers, r.shared, r.barriers) == (48, 8192, 1)
    assert (r.stack, r.spill_stores, r.spill_loads) == (16, 8, 4)


def test_nvcc_errors_keep_the_line() -> None:
    out = 'kernel.cu(10): error: identifier "undefined_name" is undefined\n  1 error detected'
    err = nvcc_error(out, "kernel.cu")
    assert err.line == 10 and "undefined_name" in err.message


@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
def test_nvcc_builds_ptx_cubin_report_and_sass(arch: str) -> None:
    source = load_task("gemm").folder.joinpath("cuda", "oracle.cu").read_text()
    compiled = compile_cuda(source, arch)
    assert f".target {arch}" in compiled.ptx
    assert ".loc" in compiled.ptx  # line info for the sanitizer's findings
    assert compiled.cubin[:4] == b"\x7fELF"
    r = compiled.resources["gemm_tiled"]
    assert r.registers > 0 and r.shared == 2 * 16 * 16 * 4
    assert r.sass_instructions > 0 and "FFMA" in compiled.sass
    assert [p.ptype for p in entry_signatures(compiled.ptx)["gemm_tiled"]] == [
        "u64",
        "u64",
        "u64",
        "u32",
        "u32",
        "u32",
    ]
    again = compile_cuda(source, arch)
    assert again.cached and again.ptx == compiled.ptx and again.cubin == compiled.cubin


def test_a_cuda_compile_error_names_the_line() -> None:
    source = (FIXTURES / "cuda" / "syntax_error.cu").read_text()
    with pytest.raises(CompileError) as err:
        compile_cuda(source, "sm_90")
    assert err.value.line == 10 and "undefined_name" in err.value.message
    with pytest.raises(CompileError) as again:  # cached errors come back the same
        compile_cuda(source, "sm_90")
    assert again.value.line == 10


def _iface(task_id: str) -> tuple[object, object]:
    task = load_task(task_id)
    return task, task.interface(task.visible_configs[0])


def test_triton_compiles_for_sm80_without_a_gpu() -> None:
    task = load_task("softmax")
    target = Target.parse("triton:sm_80")
    source = task.folder.joinpath("triton", "oracle.py").read_text()
    build = backend_for(target).build(target, source, task.interface(task.visible_configs[2]))
    (lb,) = build.artifact.launches
    assert ".target sm_80" in lb.compiled.ptx
    assert lb.launch.block == (128, 1, 1)
    assert lb.launch.constexprs == {"BLOCK": 128}
    assert lb.extra_params >= 0 and lb.resources.registers > 0
    assert build.diagnostics["kernels"]["softmax"]["registers"] > 0


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ((FIXTURES / "triton" / "name_error.py").read_text(), 17, "undefined_name"),
        ("import triton\n# @ [[launch]]\n# @ kernel = 'nope'\n# @ grid = [1]\n", None, "nope"),
        ("def broken(:\n# @ [[launch]]\n# @ kernel = 'k'\n# @ grid = [1]\n", 1, "syntax"),
        ("raise SystemExit(3)\n# @ [[launch]]\n# @ kernel = 'k'\n# @ grid = [1]\n", 1, "import"),
    ],
)
def test_triton_errors_name_the_line(source: str, line: int | None, words: str) -> None:
    task = load_task("silu")
    target = Target.parse("triton:sm_90")
    with pytest.raises(CompileError) as err:
        backend_for(target).build(target, source, task.interface(task.visible_configs[0]))
    assert words in err.value.message.lower()
    assert err.value.line == line


def test_cuda_plan_is_checked_against_the_kernel_signature() -> None:
    task = load_task("silu")
    target = Target.parse("cuda:sm_90")
    source = task.folder.joinpath("cuda", "naive.cu").read_text()
    backend = backend_for(target)
    iface = task.interface(task.visible_configs[0])
    for old, new, words in [
        ('kernel = "silu"', 'kernel = "silo"', "kernels are: silu"),
        ('args = ["x", "y", "M * N"]', 'args = ["x", "y"]', "takes 3"),
        ('args = ["x", "y", "M * N"]', 'args = ["x", "y", "x"]', "not a pointer"),
        ('args = ["x", "y", "M * N"]', 'args = ["x", "z", "M"]', "neither a tensor"),
    ]:
        with pytest.raises(CompileError) as err:
            backend.build(target, source.replace(old, new), iface)
        assert words in err.value.message
