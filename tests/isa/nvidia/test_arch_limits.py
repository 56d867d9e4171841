"""Per-architecture launch limits (issue 12): an A100 (sm_80) allows 163 KiB of shared
memory per block, an H100 (sm_90) 227 KiB; the build refuses a launch over its target's
limits (CUDA and Triton alike) and the emulator applies the module's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.tools import Toolbox
from isa.base import Target
from isa.nvidia.arch import ARCH_LIMITS, SM_80, SM_90, launch_problem, limits_for
from isa.nvidia.ptx import DeviceMemory, launch, load_module
from tasks import load_task
from tests.isa.nvidia.ptx.conftest import ptx_kernel

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_one_record_per_architecture_with_its_gpu_limits() -> None:
    assert set(ARCH_LIMITS) == {"sm_80", "sm_90"}
    assert (SM_80.gpu, SM_80.max_shared_per_block, SM_80.shared_per_sm) == (
        "A100-SXM4",
        166_912,
        167_936,
    )
    assert (SM_90.gpu, SM_90.max_shared_per_block, SM_90.shared_per_sm) == (
        "H100-SXM",
        232_448,
        233_472,
    )
    assert limits_for("sm_90a") is SM_90 and limits_for("sm_86") is SM_80
    assert limits_for("sm_100") is SM_90 and limits_for("sm_75") is SM_80


def test_launch_problems_name_the_limit() -> None:
    assert launch_problem(SM_90, "k", (256, 1, 1), 196_608) is None
    problem = launch_problem(SM_80, "k", (256, 1, 1), 196_608)
    assert problem and "196608 bytes of shared memory" in problem and "166912" in problem
    assert "A100" in problem
    regs = launch_problem(SM_90, "k", (1024, 1, 1), 0, registers_per_thread=72)
    assert regs and "72 registers per thread" in regs and "65536" in regs
    assert launch_problem(SM_90, "k", (1024, 1, 1), 0, registers_per_thread=64) is None
    assert "1024 threads" in (launch_problem(SM_80, "k", (32, 32, 2), 0) or "")


@pytest.mark.parametrize(("target", "fits"), [("sm_80", False), ("sm_90", True)])
def test_the_emulator_applies_the_modules_target(target: str, fits: bool) -> None:
    text = ptx_kernel(
        "    st.shared.u32 [dyn], %r1;", params=1, shared=".extern .shared .b8 dyn[];"
    )
    module = load_module(text.replace(".target sm_80", f".target {target}"))
    mem = DeviceMemory()
    out = mem.alloc(4)

    def run() -> object:
        return launch(module, "k", (1, 1, 1), (32, 1, 1), [out], mem, dynamic_shared_bytes=196_608)

    if fits:
        assert run() is not None
    else:
        with pytest.raises(ValueError, match="limit on an A100-SXM4 \\(sm_80\\) is 166912"):
            run()


@pytest.mark.parametrize(("target", "fits"), [("cuda:sm_80", False), ("cuda:sm_90", True)])
def test_cuda_build_refuses_more_shared_memory_than_the_gpu_has(target: str, fits: bool) -> None:
    task = load_task("silu").restricted(["C1"])
    source = (FIXTURES / "cuda" / "silu_big_shared.cu").read_text()
    result = Toolbox(task, Target.parse(target), source=source).run()
    if fits:
        assert result.ok, result.text
    else:
        assert not result.ok
        assert "a block needs 192 KiB of shared memory; at most 163 KiB on sm_80" in result.text
        assert "at most 163 KiB on sm_80" in result.text and "line 3:" in result.text


def test_triton_sm80_build_refuses_196608_bytes_of_shared_memory() -> None:
    pytest.importorskip("triton")
    task = load_task("gemm").restricted(["C1"])
    source = (FIXTURES / "triton" / "gemm_big_shared.py").read_text()
    result = Toolbox(task, Target.parse("triton:sm_80"), source=source).compile()
    assert not result.ok
    assert "'gemm': a block needs 192 KiB of shared memory; at most 163 KiB on sm_80" in result.text
    assert "at most 163 KiB on sm_80" in result.text
