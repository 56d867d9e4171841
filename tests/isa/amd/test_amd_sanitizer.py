"""The AMDGCN emulator's sanitizer on planted bugs (tests/fixtures/hip/), each caught with its
source line through the real judge; the s_waitcnt hazard, unknown instructions and the
instruction cap on hand-edited assembly."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from eval.validate import verify
from isa.amd import executor
from isa.amd.executor import KernelFault
from isa.base import Target
from tasks import load_task
from tests.isa.amd.conftest import asm_of, code_from_asm, compile_kernel, needs_clang, run

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hip"
HIP = Target.parse("hip:gfx942")


def _bug_line(name: str) -> int:
    for number, line in enumerate((FIXTURES / name).read_text().splitlines(), start=1):
        if "BUG" in line:
            return number
    raise AssertionError(f"{name} has no BUG line")


def _judge(name: str) -> str:
    task = load_task("silu")
    verdict = verify(task, HIP, (FIXTURES / name).read_text(), configs=[task.config("C3")])
    assert not verdict.valid
    return verdict.reason


@needs_clang
def test_out_of_bounds_store_names_its_line() -> None:
    reason = _judge("oob_store.hip")
    line = _bug_line("oob_store.hip")
    assert re.search(rf"line {line}: .*out-of-bounds global store .*past the end of 'y'", reason)
    assert "workgroup (29, 0, 0), wave 0, lane 12" in reason  # i = 7436, the first i >= n - 64


@needs_clang
def test_missing_syncthreads_is_an_lds_race_on_its_line() -> None:
    reason = _judge("lds_race.hip")
    # the read after the missing barrier (the line below the BUG comment)
    line = _bug_line("lds_race.hip") + 1
    assert f"line {line}: LDS race: read of byte" in reason, reason
    assert "missing __syncthreads" in reason


@needs_clang
def test_uninitialised_lds_read_names_its_line() -> None:
    reason = _judge("lds_uninit.hip")
    line = _bug_line("lds_uninit.hip")
    assert f"line {line}: read of uninitialised LDS" in reason, reason


COPY = """extern "C" __global__ void k(const float* a, float* o) {
  int i = threadIdx.x;
  o[i] = a[i] * 2.0f;
}"""


def test_reading_a_load_before_s_waitcnt_is_a_finding() -> None:
    asm = asm_of(COPY)
    assert "s_waitcnt vmcnt(0)" in asm
    broken = re.sub(r"^\s*s_waitcnt vmcnt\(0\)\s*$", "", asm, flags=re.M)
    code = code_from_asm(broken, "k")
    with pytest.raises(
        KernelFault,
        match=r"reads v\d+ before its load completed \(missing "
        r"s_waitcnt vmcnt\)",
    ):
        run(code, [np.ones(64, np.float32), np.zeros(64, np.float32)])
    # and with the wait in place the same kernel runs
    ok = run(code_from_asm(asm, "k"), [np.ones(64, np.float32), np.zeros(64, np.float32)])
    assert (ok.outputs["arg1"] == 2.0).all()


def test_scalar_load_used_before_lgkmcnt_wait() -> None:
    asm = asm_of(COPY)
    broken = re.sub(r"^\s*s_waitcnt lgkmcnt\(0\)\s*$", "", asm, flags=re.M)
    with pytest.raises(KernelFault, match="missing s_waitcnt lgkmcnt"):
        run(code_from_asm(broken, "k"), [np.ones(64, np.float32), np.zeros(64, np.float32)])


def test_unknown_instruction_is_named() -> None:
    asm = asm_of(COPY)
    broken = re.sub(r"\bv_(mul|add)_f32(_e32)?\b", "v_frobnicate_f32", asm, count=1)
    with pytest.raises(KernelFault, match="does not implement the instruction 'v_frobnicate_f32"):
        run(code_from_asm(broken, "k"), [np.ones(64, np.float32), np.zeros(64, np.float32)])


def test_endless_loop_hits_the_instruction_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    code = compile_kernel(
        """extern "C" __global__ void k(volatile int* stop, float* o) {
  while (!stop[0]) {}
  o[threadIdx.x] = 1.0f;
}""",
        "k",
    )
    monkeypatch.setattr(executor, "MAX_STEPS", 2000)
    with pytest.raises(KernelFault, match="cap of 2000 instruction steps"):
        run(code, [np.zeros(1, np.int32), np.zeros(64, np.float32)])


def test_out_of_bounds_lds_write_is_stopped() -> None:
    code = compile_kernel(
        """extern "C" __global__ void k(const float* a, float* o) {
  __shared__ float s[64];
  volatile float* vs = s;
  vs[threadIdx.x + 40] = a[threadIdx.x];
  o[threadIdx.x] = vs[threadIdx.x];
}""",
        "k",
    )
    with pytest.raises(KernelFault, match=r"out-of-bounds LDS write .* 256 bytes of LDS"):
        run(code, [np.ones(64, np.float32), np.zeros(64, np.float32)])


def test_an_unhandled_operand_form_is_named_not_a_traceback() -> None:
    asm = asm_of(COPY)
    # a VALU op with too few operands: the emulator must say which instruction it cannot run
    broken = re.sub(r"(\bv_(mul|add)_f32(_e32)?) (v\d+), [^\n]*", r"\1 \4", asm, count=1)
    with pytest.raises(KernelFault, match=r"(cannot execute this instruction form|needs more)"):
        run(code_from_asm(broken, "k"), [np.ones(64, np.float32), np.zeros(64, np.float32)])
