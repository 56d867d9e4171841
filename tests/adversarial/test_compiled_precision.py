"""Precision downgrades spelled so that the source check cannot see them: split string
literals in inline PTX, operand substitution, token pasting and computed includes, bit
masks and shift pairs, Python string arithmetic and `getattr` in Triton. The judge scans
what was compiled (the PTX, and the SASS where there is one) and refuses them all, on CUDA
and Triton alike; the source check alone passes every one of them."""

from __future__ import annotations

import dataclasses

import pytest

from isa.nvidia.static_check import compiled_findings, cuda_findings, triton_findings
from tests.adversarial import test_cuda_exploits as cuda
from tests.adversarial import test_triton_exploits as triton
from tests.adversarial.exploits import Exploit, exploit_test

KIND = "precision downgrades the source check misses"
REFUSED = r"does not compile: .*the compiled kernel is refused: .*downgrades precision to"
FORBID = ("fp16", "bf16", "tf32")

PASTE_HEAD = """#define CAT(a, b) a##b
#define STR(x) #x
#define XSTR(x) STR(x)
#include XSTR(CAT(cuda_bf, 16).h)"""

CUDA_CASES = [
    Exploit(
        "CUDA: string literal split in inline PTX",
        "silu",
        cuda.silu(
            load='float v = x[i]; unsigned short h; asm("cvt.rn.f" "16.f32 %0, %1;" : "=h"(h) '
            ': "f"(v)); asm("cvt.f32.f" "16 %0, %1;" : "=f"(v) : "h"(h));'
        ),
        REFUSED,
    ),
    Exploit(
        "CUDA: operand substitution (.f%2 with n(16))",
        "silu",
        cuda.silu(
            load='float v = x[i]; unsigned short h; asm("cvt.rn.f%2.f32 %0, %1;" : "=h"(h) '
            ': "f"(v), "n"(16)); asm("cvt.f32.f%2 %0, %1;" : "=f"(v) : "h"(h), "n"(16));'
        ),
        REFUSED,
    ),
    Exploit(
        "CUDA: token pasting and a computed include",
        "silu",
        cuda.silu(
            head=PASTE_HEAD,
            load="float v = CAT(__bfloat,162float)(CAT(__float2bfloat,16)(x[i]));",
        ),
        REFUSED,
    ),
    Exploit(
        "CUDA: bf16 rounding with a bit mask",
        "silu",
        cuda.silu(load="float v = __uint_as_float(__float_as_uint(x[i]) & 0xffff0000u);"),
        REFUSED,
    ),
    Exploit(
        "CUDA: tf32 rounding with a shift pair",
        "silu",
        cuda.silu(load="float v = __uint_as_float((__float_as_uint(x[i]) >> 13) << 13);"),
        REFUSED,
    ),
]

TRITON_CASES = [
    Exploit(
        "Triton: inline PTX assembled from string pieces",
        "silu",
        triton.silu(
            load="tl.inline_asm_elementwise('{ .reg .b16 h; cvt.rn.f' + '16.f32 h, $1; "
            "cvt.f32.f' + '16 $0, h; }', '=r,r', [tl.load(x_ptr + offs, mask=mask)], "
            "dtype=tl.float32, is_pure=True, pack=1)"
        ),
        REFUSED,
    ),
    Exploit(
        "Triton: a dtype looked up by a computed name",
        "silu",
        triton.silu(
            head="LOW = tl.constexpr(getattr(tl, 'fl' + 'oat' + str(8 * 2)))",
            load="tl.load(x_ptr + offs, mask=mask).to(LOW).to(tl.float32)",
        ),
        REFUSED,
    ),
]
# The refusal comes at build time, the same on every config: one is enough.
CUDA_CASES = [dataclasses.replace(e, configs=("C1",)) for e in CUDA_CASES]
TRITON_CASES = [dataclasses.replace(e, configs=("C1",)) for e in TRITON_CASES]
EXPLOITS = [("cuda:sm_90", e) for e in CUDA_CASES] + [("triton:sm_80", e) for e in TRITON_CASES]

test_cuda_case = exploit_test(CUDA_CASES, "cuda:sm_90", executor="emu")
test_triton_case = exploit_test(TRITON_CASES, "triton:sm_80", executor="emu")


@pytest.mark.parametrize("exploit", CUDA_CASES, ids=[e.name for e in CUDA_CASES])
def test_the_source_check_alone_misses_the_cuda_spellings(exploit: Exploit) -> None:
    assert cuda_findings(exploit.text(), FORBID) == []


@pytest.mark.parametrize("exploit", TRITON_CASES, ids=[e.name for e in TRITON_CASES])
def test_the_source_check_alone_misses_the_triton_spellings(exploit: Exploit) -> None:
    assert triton_findings(exploit.text(), FORBID) == []


def test_the_ptx_scan_reads_types_masks_and_sass() -> None:
    assert compiled_findings("cvt.rn.bf16x2.f32 %r1, %f1, %f2;", "", FORBID)
    assert compiled_findings("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 ...;", "", FORBID)
    masked = "mov.b32 %r1, %f1;\nand.b32 %r2, %r1, -8192;\nmov.b32 %f2, %r2;"
    assert "bit mask" in compiled_findings(masked, "", FORBID)[0]
    index = "and.b32 %r2, %r1, -65536;\nadd.s32 %r3, %r2, 4;\nmul.wide.s32 %rd1, %r3, 4;"
    assert compiled_findings(index, "", FORBID) == []  # an index mask is no float
    assert compiled_findings("", "  HFMA2 R0, R1, R2, R3 ;", FORBID)
    constant = "  HFMA2.MMA R9, -RZ, RZ, 0, 2.384185791015625e-07 ;"
    assert compiled_findings("", constant, FORBID) == []  # how ptxas loads a constant
    assert compiled_findings("cvt.rn.f16.f32 %rs1, %f1;", "", ("vcvt",)) == []  # not forbidden
