"""The hip:gfx942 target: clang-19 compiles with our device header and no device library,
code object metadata becomes compile feedback, errors carry the line, gfx950 and a missing
clang say what to do."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from isa.amd import backend as amd_backend
from isa.amd import toolchain
from isa.base import CompileError, KernelInterface, Target, TensorSpec
from isa.registry import UnknownTarget, backend_for, target_names
from tests.isa.amd.conftest import asm_of, needs_clang

HIP = Target.parse("hip:gfx942")
IFACE = KernelInterface(
    (TensorSpec("x", (4, 8), "fp32", "input"), TensorSpec("y", (4, 8), "fp32", "output")),
    {"M": 4, "N": 8},
)
PLAN = """//@ [[launch]]
//@ kernel = "k"
//@ grid = ["M"]
//@ block = [64]
//@ args = ["x", "y", "N"]
#include <hip/hip_runtime.h>
"""


def test_gfx950_is_listed_but_says_why_it_is_unavailable() -> None:
    assert target_names("hip") == ["hip:gfx942", "hip:gfx950"]
    with pytest.raises(UnknownTarget, match="clang-19 cannot compile for gfx950"):
        backend_for("hip:gfx950")
    with pytest.raises(UnknownTarget, match="use hip:gfx942"):
        backend_for("hip:gfx90a")


def test_missing_clang_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(toolchain, "find_clang", lambda: None)
    with pytest.raises(CompileError, match=r"clang-19 is not installed: run scripts/install.sh"):
        toolchain.compile_hip("int x;", "gfx942")


@needs_clang
def test_the_math_library_lowers_to_instructions_without_calls() -> None:
    asm = asm_of(
        """extern "C" __global__ void k(const float* x, float* y) {
  float v = x[threadIdx.x];
  y[threadIdx.x] = expf(v) + logf(v) + sqrtf(v) + rsqrtf(v) + tanhf(v) + erff(v) + powf(v, 1.5f)
      + __expf(v) + __logf(v) + __fdividef(v, 3.0f) + __shfl_xor(v, 1) + __shfl_down(v, 2);
  atomicAdd(y, v);
  __syncthreads();
}"""
    )
    assert not re.search(r"s_(swappc|setpc)_b64|\bcall\b", asm)
    assert "v_exp_f32" in asm and "v_log_f32" in asm and "ds_bpermute_b32" in asm


@needs_clang
def test_compile_feedback_from_the_code_object() -> None:
    source = (
        PLAN
        + """extern "C" __global__ void k(const float* x, float* y, int n) {
  __shared__ float s[64];
  s[threadIdx.x] = x[blockIdx.x * n + threadIdx.x % n];
  __syncthreads();
  y[blockIdx.x * n + threadIdx.x % n] = s[63 - threadIdx.x];
}"""
    )
    build = backend_for(HIP).build(HIP, source, IFACE)
    k = build.diagnostics["kernels"]["k"]
    assert k["lds_bytes"] == 256 and k["wavefront_size"] == 64
    assert k["vgprs"] > 0 and k["sgprs"] > 0 and k["scratch_bytes"] == 0
    assert 1 <= k["waves_per_simd"] <= 8
    assert "s_barrier" in build.diagnostics["assembly"]


@needs_clang
def test_compiler_errors_carry_the_line() -> None:
    kernel = 'extern "C" __global__ void k(const float* x, float* y, int n) {\n  y[0] = z;\n}'
    source = PLAN + kernel
    with pytest.raises(CompileError) as info:
        backend_for(HIP).build(HIP, source, IFACE)
    assert info.value.line == 8 and "undeclared identifier 'z'" in info.value.message


@needs_clang
def test_the_plan_is_checked_against_the_kernel_signature() -> None:
    source = PLAN + 'extern "C" __global__ void k(const float* x, float* y) {}'
    with pytest.raises(CompileError, match="passes 3 arguments to 'k', which takes 2"):
        backend_for(HIP).build(HIP, source, IFACE)
    source = PLAN.replace('"x", "y", "N"', '"x", "N", "y"') + (
        'extern "C" __global__ void k(const float* x, float* y, int n) {}'
    )
    with pytest.raises(CompileError, match="parameter 2 of 'k' is a pointer"):
        backend_for(HIP).build(HIP, source, IFACE)


def test_static_check_refuses_host_code_and_forbidden_precision() -> None:
    hip = amd_backend.HipBackend()
    source = (
        "void host() { hipLaunchKernelGGL(k, 1, 1, 0, 0); }\n__half h;\n// __half in a comment\n"
    )
    findings = hip.static_check(HIP, source, ("fp16",))
    assert findings[0].startswith("line 1: 'hipLaunchKernelGGL' is not allowed; no host code")
    assert findings[1].startswith("line 2: '__half' downgrades precision to fp16")
    assert len(findings) == 2
    assert hip.static_check(HIP, "__builtin_amdgcn_mfma_f32_32x32x2f32", ("fp16", "bf16")) == []


def test_targets_command_lists_gfx950_with_its_reason(tmp_path: Path) -> None:
    env = dict(os.environ, KERNELWRIGHT_DB=str(tmp_path / "kw.db"), COLUMNS="250", NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "eval.cli", "targets"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert proc.returncode == 0, proc.stderr
    assert "hip:gfx942" in proc.stdout
    assert "hip:gfx950" in proc.stdout and "clang-19 cannot compile for gfx950" in proc.stdout
