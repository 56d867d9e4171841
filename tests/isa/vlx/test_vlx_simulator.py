"""What every VLX operation computes, checked against NumPy, and the run-time errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from isa.base import ExecutionError

Vlx = Callable[..., Any]
RNG = np.random.default_rng(11)
X = RNG.standard_normal(64).astype(np.float32)
Z = RNG.standard_normal(64).astype(np.float32)

# Loads x[0:16] to v1, x[16:32] to v2 and z[0:16] to v3; `code` then leaves its result in
# v9, which is stored to y.
FRAME = """
        dld   t0, L[0], D[@x], 1, 64
        dld   t1, L[64], D[@z], 1, 64
        dwait t0
        dwait t1
        { vld v1, L[0] ; vld v2, L[16] }
        vld   v3, L[64]
{code}
        vst   L[512], v9
        dst   t2, D[@y], L[512], 1, 16
        dwait t2
"""


def vector(vlx: Vlx, code: str) -> np.ndarray:
    out = vlx(FRAME.replace("{code}", code), inputs={"x": X, "z": Z}, outputs={"y": (16,)})
    return np.asarray(out["y"])


A, B, C = X[:16], X[16:32], Z[:16]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("vadd v9, v1, v2", A + B),
        ("vsub v9, v1, v2", A - B),
        ("vmax v9, v1, v2", np.maximum(A, B)),
        ("vmin v9, v1, #0.25", np.minimum(A, np.float32(0.25))),
        ("vadd v9, v1, v2[3]", A + B[3]),
        ("vmov v9, #-2.5", np.full(16, -2.5, np.float32)),
        ("vmov v9, v2[15]", np.full(16, B[15], np.float32)),
        ("vrelu v9, v1", np.maximum(A, 0)),
        ("vexp v9, v1", np.exp(A)),
        ("vtanh v9, v1", np.tanh(A)),
        ("vrcp v9, v1", np.float32(1) / A),
        ("vredsum v9, v1", np.full(16, np.float32(A.astype(np.float64).sum()))),
        ("vredmax v9, v1", np.full(16, A.max())),
        ("vmul v9, v1, v2", A * B),
        ("vmul v9, v1, #(1.0 / 3)", A * np.float32(1 / 3)),
        ("vfma v9, v1, v2, v3", (A.astype(np.float64) * B + C).astype(np.float32)),
        ("vfma v9, v1, v2[0], v3", (A.astype(np.float64) * B[0] + C).astype(np.float32)),
    ],
)
def test_vector_operations(vlx: Vlx, code: str, expected: np.ndarray) -> None:
    np.testing.assert_array_equal(vector(vlx, code), expected)


def test_vrsqrt_of_positive_values(vlx: Vlx) -> None:
    got = vector(vlx, "vmul v4, v1, v1\nvrsqrt v9, v4")
    np.testing.assert_allclose(got, 1 / np.sqrt(A.astype(np.float64) ** 2), rtol=3e-7)


def test_accumulators_are_wide_and_exact(vlx: Vlx) -> None:
    got = vector(vlx, "vmpy a1, v1, v2\nvmac a1, v3, v2[2]\nvmac a1, v1, #3\nvrd v9, a1")
    exact = A.astype(np.float64) * B + C.astype(np.float64) * B[2] + A.astype(np.float64) * 3
    np.testing.assert_array_equal(got, exact.astype(np.float32))
    np.testing.assert_array_equal(vector(vlx, "vclr a0\nvrd v9, a0"), np.zeros(16))


def test_a_bundle_reads_before_it_writes(vlx: Vlx) -> None:
    got = vector(vlx, "{ vmul v4, v1, #1 ; vmov v1, v2 }\nvsub v9, v1, v4")
    np.testing.assert_array_equal(got, B - A)  # vmul read v1 before vmov overwrote it


def test_unaligned_and_single_word_memory_operations(vlx: Vlx) -> None:
    code = """
        vld   v4, L[5]
        vst1  L[200], v4[0]
        vld1  v5, L[200]
        vsub  v9, v4, v5
    """
    np.testing.assert_array_equal(vector(vlx, code), X[5:21] - X[5])


MARK = """
        vmov  v9, #1
        vst   L[0], v9
        dst   t0, D[r1 + @y + 1000], L[0], 1, 1
        dwait t0
"""


def reg_value(vlx: Vlx, code: str) -> int:
    """r1 after `code`: the marker lands at y[r1 + 1000]."""
    y = vlx(code + MARK, outputs={"y": (3000,)})["y"]
    hits = np.flatnonzero(y == 1)
    assert hits.size == 1
    return int(hits[0]) - 1000


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("li r1, 42", 42),
        ("li r2, 7\nsub r1, 10, r2", 3),
        ("li r2, -7\ndiv r1, r2, 2", -4),
        ("li r2, -7\nrem r1, r2, 2", 1),
        ("li r2, 3\nshl r1, r2, 4", 48),
        ("li r2, -8\nshr r1, r2, 1", -4),
        ("li r2, 2147483647\nadd r2, r2, 1\nshr r1, r2, 22", -512),
        ("{ li r1, 5 ; li r2, 9 }\n{ mov r1, r2 ; add r3, r1, 0 }\nsub r1, r1, r3", 4),
        ("loop r2, 5\nadd r1, r1, r2\nendloop", 10),
        ("loop r2, 3\nloop r3, 4\nadd r1, r1, 1\nendloop\nendloop", 12),
        ("loop r2, 0\nli r1, 99\nendloop", 0),
        # a skipped inner loop whose body ends the outer one too (one bundle closes both)
        ("loop r2, 3\nadd r1, r1, 1\nloop r3, 0\nnop\nendloop\nendloop", 3),
        ("loop r2, 3\nadd r1, r1, 1\nendloop\nadd r1, r1, 100", 103),
        ("top: add r1, r1, 1\nblt r1, 7, top", 7),
        ("li r2, 3\nbeq r2, 3, yes\nli r1, 1\njmp end\nyes: li r1, 2\nend: nop", 2),
        ("li r2, 3\nbge r2, 4, yes\nli r1, 1\njmp end\nyes: li r1, 2\nend: nop", 1),
        ("li r1, 4\nhalt\nli r1, 5", 4),
    ],
)
def test_scalar_and_control(vlx: Vlx, code: str, value: int) -> None:
    if "halt" in code:  # halt stops before the marker: check that nothing after it ran
        with pytest.raises(AssertionError):
            reg_value(vlx, code)
        return
    assert reg_value(vlx, code) == value


def test_dma_moves_strided_blocks(vlx: Vlx) -> None:
    x = np.arange(12 * 10, dtype=np.float32).reshape(12, 10)
    code = """
        dld   t0, L[0, 16], D[@x + 2, 10], 12, 5
        dwait t0
        dst   t1, D[@y, 5], L[0, 16], 12, 5
        dwait t1
    """
    y = vlx(code, inputs={"x": x}, outputs={"y": (12, 5)})["y"]
    np.testing.assert_array_equal(y, x[:, 2:7])


def failure(vlx: Vlx, code: str, **kwargs: Any) -> ExecutionError:
    with pytest.raises(ExecutionError) as info:
        vlx(code, **kwargs)
    return info.value


@pytest.mark.parametrize(
    ("code", "line", "message"),
    [
        ("li r1, 65530\nvld v1, L[r1]", 2, "vld reads L[65530..65545], outside local memory"),
        ("li r1, -1\nvst1 L[r1], v0[0]", 2, "outside local memory"),
        ("li r2, 0\ndiv r1, 5, r2", 2, "div by zero"),
        ("shl r1, 1, 40", 1, "shift amounts are 0..31"),
        ("dld t0, L[0], D[@x + 60], 1, 8", 1, "outside every tensor"),
        ("dst t0, D[@x], L[0], 1, 8\ndwait t0", 1, "inside the input tensor 'x'"),
        ("dld t0, L[0], D[@x], 2, 8\n", 1, "was never waited on; add 'dwait t0'"),
        ("dld t0, L[0], D[@x], 1, 8\nvld v1, L[0]\ndwait t0", 2, "destination of the dld"),
        ("dld t0, L[0], D[@x], 1, 0\ndwait t0", 1, "needs rows and cols >= 1"),
        ("dld t0, L[0, 4], D[@x], 2, 8\ndwait t0", 1, "so they overlap"),
        ("x: jmp x", 1, "ran past 1,000 cycles"),
    ],
)
def test_runtime_errors_name_the_line(vlx: Vlx, code: str, line: int, message: str) -> None:
    error = failure(vlx, code, inputs={"x": X}, outputs={"y": (64,)}, max_cycles=1000)
    assert error.line == line
    assert message in error.message


def test_a_store_may_not_overwrite_the_source_of_a_pending_dst(vlx: Vlx) -> None:
    code = """
        vmov  v1, #1
        vst   L[0], v1
        dst   t0, D[@y], L[0], 1, 16
        vst   L[8], v1
        dwait t0
    """
    error = failure(vlx, code, outputs={"y": (16,)})
    assert error.line == 5 and "source of the dst at line 4" in error.message


def test_nan_and_inf_are_values_not_errors(vlx: Vlx) -> None:
    got = vector(vlx, "vmov v4, #0\nvrcp v5, v4\nvsub v9, v5, v5")
    assert np.isnan(got).all()
