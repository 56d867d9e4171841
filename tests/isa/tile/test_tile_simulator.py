"""What every TILE instruction computes, checked against NumPy, and the run-time errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import isa.accel.tile
from isa.accel.common.numerics import bf16_round
from isa.accel.tile.assembler import assemble
from isa.accel.tile.simulator import run
from isa.base import ExecutionError

Tile = Callable[..., Any]
RNG = np.random.default_rng(7)


def failure(tile: Tile, source: str, **kwargs: Any) -> ExecutionError:
    with pytest.raises(ExecutionError) as info:
        tile(source, **kwargs)
    return info.value


# --- scalar unit ---

MARK = """
        vshape 1, 1
        vfill S[0], #1
        dst   t0, D[r1 + @y + 1000], S[0], 1, 1
        dwait t0
"""


def reg_value(tile: Tile, code: str) -> int:
    """r1 after `code`: the marker lands at y[r1 + 1000]."""
    y = tile(code + MARK, outputs={"y": (3000,)})["y"]
    hits = np.flatnonzero(y == 1)
    assert hits.size == 1
    return int(hits[0]) - 1000


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("li r1, 42", 42),
        ("mov r1, -5", -5),
        ("li r2, 7\nadd r1, r2, 5", 12),
        ("li r2, 7\nsub r1, r2, 10", -3),
        ("li r2, 7\nmul r1, r2, r2 + 1", 56),
        ("li r2, -7\ndiv r1, r2, 2", -4),  # rounds down
        ("li r2, -7\nrem r1, r2, 2", 1),
        ("li r2, 3\nmin r1, r2, -2", -2),
        ("li r2, 3\nmax r1, r2, 9", 9),
        ("li r2, 3\nshl r1, r2, 4", 48),
        ("li r2, -8\nshr r1, r2, 1", -4),  # arithmetic
        ("li r2, 2147483647\nadd r2, r2, 1\nshr r1, r2, 22", -512),  # int32 wraps
        ("loop r2, 5\nadd r1, r1, r2\nendloop", 10),
        ("loop r2, 3\nloop r3, 4\nadd r1, r1, 1\nendloop\nendloop", 12),
        ("loop r2, 0\nli r1, 99\nendloop", 0),
        ("loop r2, -3\nli r1, 99\nendloop", 0),
        ("loop r2, 3\nadd r1, r1, 1\nli r2, 100\nendloop", 3),  # the count is the hardware's
        ("li r2, 4\nloop r3, r2\nadd r1, r1, r3\nendloop", 6),
        ("loop r2, 5\nbeq r2, 2, skip\nadd r1, r1, 1\nskip: endloop", 4),
        ("li r2, 3\nbeq r2, 3, yes\nli r1, 1\njmp end\nyes: li r1, 2\nend:", 2),
        ("li r2, 3\nbne r2, 3, yes\nli r1, 1\njmp end\nyes: li r1, 2\nend:", 1),
        ("li r2, 3\nblt r2, 4, yes\nli r1, 1\njmp end\nyes: li r1, 2\nend:", 2),
        ("li r2, 3\nbge r2, 4, yes\nli r1, 1\njmp end\nyes: li r1, 2\nend:", 1),
        ("top: add r1, r1, 1\nblt r1, 7, top", 7),
        ("nop\nli r1, r0 + 3", 3),
        ("li r2, 3\nsub r1, 10, r2 + 1", 6),  # both sources are values
        ("li r2, 3\nblt 2, r2, yes\nli r1, 1\njmp end\nyes: li r1, 2\nend:", 2),
    ],
)
def test_scalar_instructions(tile: Tile, code: str, value: int) -> None:
    assert reg_value(tile, code) == value


def test_halt_stops_the_program(tile: Tile) -> None:
    out = tile("halt" + MARK, outputs={"y": (3000,)})
    assert np.isnan(out["y"]).all()
    assert out.stats.instructions == 1


@pytest.mark.parametrize(
    ("code", "line", "message"),
    [
        ("li r2, 0\ndiv r1, r1, r2", 2, "div by zero: 'r2' is 0"),
        ("rem r1, r1, 0", 1, "rem by zero: '0' is 0"),
        ("shl r1, r1, 32", 1, "shl by 32; shift amounts are 0..31"),
        ("nop\nvshape 0, 4", 2, "vshape needs rows and cols >= 1, got 0 x 4"),
        (
            "vadd S[0], S[0], S[0]",
            1,
            "vadd before any vshape; set the shape with 'vshape rows, cols'",
        ),
        ("mm A[0], S[0], 16", 1, "mm before any mw; load the weights with 'mw' first"),
        ("mw S[0], 17, 16", 1, "mw needs 1 <= K, N <= 16, got K=17, N=16"),
        ("mw S[0], 4, 4\nmma A[0], S[0], 0", 2, "mma needs M >= 1, got 0"),
    ],
)
def test_scalar_and_shape_errors(tile: Tile, code: str, line: int, message: str) -> None:
    error = failure(tile, code)
    assert (error.line, error.message) == (line, message)


# --- DMA ---


def test_dma_copies_strided_blocks(tile: Tile) -> None:
    x = RNG.standard_normal((8, 10)).astype(np.float32)
    out = tile(
        """
        dld   t0, S[100, 8], D[@x + 2 * 10 + 3, 10], 4, 6
        dld   t1, A[50], D[@x], 3, 4          ; strides default to cols
        dwait t0
        dwait t1
        dst   t2, D[@y, 6], S[100, 8], 4, 6
        dst   t2, D[@z], A[50], 3, 4
        dwait t2
        """,
        inputs={"x": x},
        outputs={"y": (4, 6), "z": (3, 4)},
    )
    np.testing.assert_array_equal(out["y"], x[2:6, 3:9])
    np.testing.assert_array_equal(out["z"], x.ravel()[:12].reshape(3, 4))
    assert (out.stats.dma_bytes_loaded, out.stats.dma_bytes_stored) == (4 * 36, 4 * 36)


def test_memories_start_as_nan(tile: Tile) -> None:
    out = tile(
        "dst t0, D[@y], S[7], 1, 4\ndst t0, D[@y + 4], A[9], 1, 4\ndwait t0", outputs={"y": (8,)}
    )
    assert np.isnan(out["y"]).all()


# --- matrix engine ---


def test_mm_rounds_operands_to_bf16(tile: Tile) -> None:
    x = RNG.standard_normal((20, 5)).astype(np.float32)
    w = RNG.standard_normal((5, 7)).astype(np.float32)
    out = tile(
        """
        dld   t0, S[0, 8], D[@w], 5, 7
        dld   t0, S[1000, 6], D[@x], 20, 5
        dwait t0
        mw    S[0, 8], 5, 7
        mm    A[0, 9], S[1000, 6], 20
        dst   t1, D[@y], A[0, 9], 20, 7
        dwait t1
        """,
        inputs={"x": x, "w": w},
        outputs={"y": (20, 7)},
    )
    expected = (bf16_round(x).astype(np.float64) @ bf16_round(w).astype(np.float64)).astype(
        np.float32
    )
    np.testing.assert_array_equal(out["y"], expected)
    assert out.stats.macs == 20 * 5 * 7


def test_mma_accumulates(tile: Tile) -> None:
    x = RNG.standard_normal((16, 32)).astype(np.float32)
    w = RNG.standard_normal((32, 16)).astype(np.float32)
    out = tile(
        """
        dld   t0, S[0], D[@w], 32, 16
        dld   t0, S[1024], D[@x], 16, 32
        dwait t0
        mw    S[0], 16, 16
        mm    A[0], S[1024, 32], 16
        mw    S[256], 16, 16
        mma   A[0], S[1040, 32], 16
        dst   t1, D[@y], A[0], 16, 16
        dwait t1
        """,
        inputs={"x": x, "w": w},
        outputs={"y": (16, 16)},
    )
    xb, wb = bf16_round(x).astype(np.float64), bf16_round(w).astype(np.float64)
    first = (xb[:, :16] @ wb[:16]).astype(np.float32)
    expected = (first + xb[:, 16:] @ wb[16:]).astype(np.float32)
    np.testing.assert_array_equal(out["y"], expected)


# --- vector engine ---

X = RNG.standard_normal((3, 5)).astype(np.float32)
Z = RNG.standard_normal((3, 5)).astype(np.float32)
ROW = RNG.standard_normal(5).astype(np.float32)
COL = RNG.standard_normal(3).astype(np.float32)
LOAD_VECTORS = """
        dld   t0, S[0], D[@x], 3, 5
        dld   t0, S[100], D[@z], 3, 5
        dld   t0, S[200], D[@row], 1, 5
        dld   t0, S[300, 2], D[@col, 1], 3, 1   ; a column, 2 words apart
        dwait t0
        vshape 3, 5
"""
with np.errstate(invalid="ignore"):
    RSQRT_Z = 1 / np.sqrt(Z)  # NaN for the negative values, as on the machine
STORE_Y = "\n        dst t1, D[@y], S[400], 3, 5\n        dwait t1\n"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("vadd S[400], S[0], S[100]", X + Z),
        ("vsub S[400], S[0], S.row[200]", X - ROW),
        ("vmul S[400], S.col[300, 2], S[0]", COL[:, None] * X),
        ("vmax S[400], S[0], #0.5", np.maximum(X, np.float32(0.5))),
        ("vmin S[400], S[0], S[100]", np.minimum(X, Z)),
        ("vfma S[400], S[0], S[100], S.row[200]", (X.astype(np.float64) * Z + ROW)),
        ("vfma S[400], S[0], #2, #-1", X * 2 - 1),
        ("vmov S[400], S.row[200]", np.broadcast_to(ROW, (3, 5))),
        ("vrelu S[400], S[0]", np.maximum(X, 0)),
        ("vfill S[400], #2.5", np.full((3, 5), 2.5)),
        ("vcvt S[400], S[0]", bf16_round(X)),
        ("vexp S[400], S[0]", np.exp(X)),
        ("vrcp S[400], S[0]", 1 / X),
        ("vrsqrt S[400], S[100]", RSQRT_Z),
        ("vtanh S[400], S[0]", np.tanh(X)),
        ("vadd A[0], S[0], S[100]\nvmov S[400], A[0]", X + Z),
        ("vmul S[400, 6], S[0], #3\nvmov S[400], S[400, 6]", X * 3),  # strided tiles
    ],
)
def test_vector_elementwise(tile: Tile, code: str, expected: np.ndarray) -> None:
    out = tile(
        LOAD_VECTORS + code + STORE_Y,
        inputs={"x": X, "z": Z, "row": ROW, "col": COL},
        outputs={"y": (3, 5)},
    )
    np.testing.assert_allclose(out["y"], expected.astype(np.float32), rtol=1e-6, equal_nan=True)
    assert out.stats.vector_ops >= 15


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("vrsum S.col[500, 3], S[0]", X.astype(np.float64).sum(axis=1)),
        ("vrmax S.col[500, 3], S[0]", X.max(axis=1)),
        ("vrsum S.col[500, 3], S.row[200]", np.full(3, ROW.astype(np.float64).sum())),
        ("vrmax S.col[500, 3], S.col[300, 2]", COL),
    ],
)
def test_vector_reductions(tile: Tile, code: str, expected: np.ndarray) -> None:
    out = tile(
        LOAD_VECTORS + code + "\ndst t1, D[@y, 1], S[500, 3], 3, 1\ndwait t1",
        inputs={"x": X, "z": Z, "row": ROW, "col": COL},
        outputs={"y": (3,)},
    )
    np.testing.assert_allclose(out["y"], expected.astype(np.float32), rtol=1e-6)


# --- bounds ---


@pytest.mark.parametrize(
    ("code", "line", "message"),
    [
        (
            "vshape 16, 16\nvrelu S[65530, 16], S[0, 16]",
            2,
            "vrelu writes S[65530..65785], beyond the scratchpad's 65536 words",
        ),
        (
            "vshape 1, 16\nvadd S[0], S[65530], S[0]",
            2,
            "vadd reads S[65530..65545], beyond the scratchpad's 65536 words",
        ),
        (
            "vshape 1, 4\nvfill S[-4], #1",
            2,
            "vfill writes S[-4..-1], below word 0 of the scratchpad",
        ),
        (
            "vshape 1, 8\nvfill A[16380], #1",
            2,
            "vfill writes A[16380..16387], beyond the accumulator's 16384 words",
        ),
        (
            "dld t0, S[0], D[@x + 8, 8], 4, 8",
            1,
            "dld reads D[8..39], outside every tensor (x at D[0..31], y at D[32..63])",
        ),
        (
            "dst t0, D[@x], S[0], 1, 8",
            1,
            "dst writes D[0..7], inside the input tensor 'x'; inputs are read-only",
        ),
        (
            "vshape 2, 4\nvfill S[0, 2], #1",
            2,
            "vfill writes 2 rows of 4 words only 2 apart to S[0, 2], so they overlap; use a stride "
            "of at least 4",
        ),
        (
            "vshape 2, 4\nvadd S[0], S[8, -4], S[0]",
            2,
            "vadd reads S[8, -4] with stride -4; strides must be >= 0",
        ),
        ("dld t0, S[0], D[@x], 0, 8", 1, "dld needs rows and cols >= 1, got 0 x 8"),
        (
            "mw S[0], 4, 4\nmm A[16376], S[0], 4",
            2,
            "mm writes A[16376..16391], beyond the accumulator's 16384 words",
        ),
    ],
)
def test_bounds_errors(tile: Tile, code: str, line: int, message: str) -> None:
    error = failure(tile, code, inputs={"x": np.zeros((4, 8))}, outputs={"y": (4, 8)})
    assert (error.line, error.message) == (line, message)


def test_dram_bounds_without_regions() -> None:
    program = assemble("dld t0, S[0], D[60], 1, 8\ndwait t0", {})
    with pytest.raises(ExecutionError) as info:
        run(program, np.zeros(64, np.float32))
    assert info.value.message == "dld reads D[60..67], outside DRAM's 64 words"
    with pytest.raises(ValueError, match="1-D float32"):
        run(program, np.zeros(64, np.float64))


# --- DMA rules ---

HAZARDS = [
    (
        "dld t0, S[0], D[@x], 1, 8\nvshape 1, 8\nvrelu S[0], S[0]\ndwait t0",
        3,
        "vrelu reads S[0..7], the destination of the dld at line 1 (tag t0), before that "
        "transfer was waited on; add 'dwait t0' before it",
    ),
    (
        "dld t1, S[4], D[@x], 1, 8\nvshape 1, 2\nvfill S[10], #0\ndwait t1",
        3,
        "vfill writes S[10..11], the destination of the dld at line 1 (tag t1), before that "
        "transfer was waited on; add 'dwait t1' before it",
    ),
    (
        "dld t1, S[0], D[@x], 1, 8\ndld t2, S[4], D[@x], 1, 8\ndwait t1\ndwait t2",
        2,
        "dld writes S[4..11], the destination of the dld at line 1 (tag t1), before that "
        "transfer was waited on; add 'dwait t1' before it",
    ),
    (
        "vshape 1, 8\nvfill S[0], #1\ndst t1, D[@y], S[0], 1, 8\nvfill S[4], #2\ndwait t1",
        4,
        "vfill writes S[4..11], the source of the dst at line 3 (tag t1), before that transfer "
        "was waited on; add 'dwait t1' before it",
    ),
    (
        "vshape 1, 8\nvfill S[0], #1\ndst t1, D[@y], S[0], 1, 8\ndld t2, S[0], D[@x], 1, 8",
        4,
        "dld writes S[0..7], the source of the dst at line 3 (tag t1), before that transfer was "
        "waited on; add 'dwait t1' before it",
    ),
    (
        "vshape 1, 8\nvfill S[0], #1\ndst t1, D[@y], S[0], 1, 8\ndld t2, S[64], D[@y + 4], 1, 4",
        4,
        "dld reads D[36..39], which the dst at line 3 (tag t1) writes, before that transfer was "
        "waited on; add 'dwait t1' before it",
    ),
    (
        "dld t0, S[0], D[@x], 4, 4\nmw S[0], 4, 4\ndwait t0",
        2,
        "mw reads S[0..15], the destination of the dld at line 1 (tag t0), before that transfer "
        "was waited on; add 'dwait t0' before it",
    ),
    (
        "dld t0, S[0], D[@x], 1, 8\ndld t1, S[8], D[@x], 1, 8\ndwait t1\nvshape 1, 8\n"
        "vmov S[16], S[0]",
        5,
        "vmov reads S[0..7], the destination of the dld at line 1 (tag t0), before that "
        "transfer was waited on; add 'dwait t0' before it",
    ),
]


@pytest.mark.parametrize(("code", "line", "message"), HAZARDS)
def test_dma_rule_breaks_name_both_lines(tile: Tile, code: str, line: int, message: str) -> None:
    error = failure(tile, code, inputs={"x": np.zeros((4, 8))}, outputs={"y": (4, 8)})
    assert (error.line, error.message) == (line, message)


def test_dma_rules_allow_what_they_should(tile: Tile) -> None:
    x = RNG.standard_normal((4, 8)).astype(np.float32)
    out = tile(
        """
        dld   t0, S[0, 16], D[@x], 4, 8       ; rows at S[0], S[16], S[32], S[48]
        vshape 4, 8
        vfill S[8, 16], #1                    ; the words in between are not being loaded
        dwait t0
        vadd  S[100], S[0, 16], S[8, 16]
        dst   t1, D[@y], S[100], 4, 8
        vmul  S[200], S[100], #2              ; reading a pending store's source is fine
        dwait t1
        dld   t2, S[300], D[@y], 4, 8         ; after the wait, DRAM written by dst is readable
        dwait t2
        dst   t3, D[@z], S[300], 4, 8
        dwait t3
        """,
        inputs={"x": x},
        outputs={"y": (4, 8), "z": (4, 8)},
    )
    np.testing.assert_array_equal(out["y"], x + 1)
    np.testing.assert_array_equal(out["z"], x + 1)


@pytest.mark.parametrize("ending", ["", "\nhalt", "\ndwait t0"])
def test_transfers_must_be_waited_on(tile: Tile, ending: str) -> None:
    error = failure(tile, "nop\ndld t3, S[0], D[@x], 1, 8" + ending, inputs={"x": np.zeros(8)})
    assert error.line == 2
    assert error.message == (
        "the transfer issued at line 2 (tag t3) was never waited on; add 'dwait t3' before the "
        "program ends"
    )


# --- caps ---


def test_cycle_cap_stops_an_endless_loop(tile: Tile) -> None:
    error = failure(tile, "nop\ntop: jmp top", max_cycles=1000)
    assert error.message == "the kernel ran past 1,000 cycles (an endless loop?)"
    assert error.line == 2


def test_default_cycle_cap(tile: Tile) -> None:
    # Each transfer is ~70,000 cycles, so the 20,000,000-cycle cap comes after ~290 of them.
    error = failure(
        tile,
        "top: dld t0, S[0, 1], D[@x, 0], 65536, 1\ndwait t0\njmp top",
        inputs={"x": np.zeros(1)},
    )
    assert error.message == "the kernel ran past 20,000,000 cycles (an endless loop?)"


def test_instruction_cap(tile: Tile) -> None:
    error = failure(tile, "loop r1, 1000000\nendloop", max_instructions=500)
    assert error.message == "the kernel executed more than 500 instructions (an endless loop?)"


def test_the_spec_example_runs(tile: Tile) -> None:
    spec = (Path(isa.accel.tile.__file__).parent / "spec.md").read_text()
    example = spec.split("## 7.")[1].split("```")[1]
    x = RNG.standard_normal((37, 20)).astype(np.float32)
    out = tile(example, inputs={"x": x}, outputs={"y": (37, 20)}, sizes={"M": 37, "N": 20})
    np.testing.assert_array_equal(out["y"], np.maximum(x, 0))
