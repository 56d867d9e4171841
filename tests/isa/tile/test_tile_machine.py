"""Constants, cost formulas, bf16 rounding and constant expressions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from isa.accel.common.expr import ExprError, evaluate_float, evaluate_int
from isa.accel.common.numerics import bf16_round
from isa.accel.tile import machine


def test_constants_match_the_spec() -> None:
    assert machine.SCRATCHPAD_WORDS == 65_536
    assert machine.ACCUMULATOR_WORDS == 16_384
    assert (machine.NUM_REGS, machine.NUM_TAGS, machine.QUEUE_DEPTH) == (16, 8, 8)
    assert machine.MAX_PROGRAM == 4_096
    assert (machine.MAX_CYCLES, machine.MAX_INSTRUCTIONS) == (20_000_000, 2_000_000)
    assert machine.DMA_BASE == 64


def test_cost_formulas() -> None:
    assert machine.dma_cycles(16, 16) == 64 + 16 + 16
    assert machine.dma_cycles(1, 17) == 64 + 1 + 2
    assert machine.mw_cycles() == 16
    assert machine.mm_cycles(100) == 116
    assert machine.vector_cycles("vadd", 3, 7) == 8 + 2
    assert machine.vector_cycles("vexp", 16, 16) == 8 + 32
    assert (machine.branch_cycles(False), machine.branch_cycles(True)) == (1, 3)
    assert machine.roofline_cycles(256 * 100, 16 * 50) == 100
    assert machine.roofline_cycles(256, 16 * 50) == 50


def _bf16_reference(x: float) -> float:
    """Nearest bf16 by brute force: compare the two neighbours in float64."""
    bits = int(np.float32(x).view(np.uint32))
    low = np.uint32(bits & 0xFFFF0000).view(np.float32)
    high = np.uint32((bits & 0xFFFF0000) + 0x10000).view(np.float32)
    d_low, d_high = abs(float(x) - float(low)), abs(float(high) - float(x))
    if d_low != d_high:
        return float(low if d_low < d_high else high)
    return float(low if (bits >> 16) % 2 == 0 else high)  # ties to even


def test_bf16_rounds_to_nearest_even() -> None:
    one = 1.0
    ulp = 2.0**-7  # bf16 keeps 7 fraction bits
    cases = {
        one: one,
        one + ulp / 2: one,  # tie, 1.0 is even
        one + 3 * ulp / 2: one + 2 * ulp,  # tie, 1 + ulp is odd
        one + ulp / 2 + 2.0**-20: one + ulp,  # just above the tie
        -(one + 3 * ulp / 2): -(one + 2 * ulp),
        0.0: 0.0,
    }
    got = bf16_round(np.array(list(cases), dtype=np.float32))
    assert got.dtype == np.float32
    assert got.tolist() == list(cases.values())


def test_bf16_matches_brute_force() -> None:
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(2000) * 10.0 ** rng.integers(-30, 30, 2000)).astype(np.float32)
    assert bf16_round(x).tolist() == [_bf16_reference(v) for v in x]


def test_bf16_keeps_nan_and_inf() -> None:
    nan_low_payload = np.uint32(0x7F800001).view(np.float32)  # would truncate to inf
    x = np.array([np.nan, nan_low_payload, np.inf, -np.inf, 3.4e38], dtype=np.float32)
    got = bf16_round(x)
    assert np.isnan(got[:2]).all()
    assert got[2:].tolist() == [np.inf, -np.inf, np.inf]  # the largest floats round up
    assert bf16_round(np.zeros((3, 4), np.float32)).shape == (3, 4)


SYMS = {"$M": 10, "$N": 4, "@x": 100}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("-7 / 2", -4),  # rounds down
        ("7 / 2", 3),
        ("-7 % 3", 2),
        ("cdiv(7, 2)", 4),
        ("cdiv($M, 16)", 1),
        ("min($M, $N) + max(1, 2)", 6),
        ("@x + $M * $N", 140),
        ("ROWS * 2", 32),
        ("0x10", 16),
        ("+3", 3),
    ],
)
def test_integer_expressions(text: str, value: int) -> None:
    assert evaluate_int(text, {"ROWS": 16}, SYMS) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2 ** 3", "operator in '2 ** 3' is not allowed; use + - * / % ('/' rounds down)"),
        ("1 << 3", "operator in '1 << 3' is not allowed; use + - * / % ('/' rounds down)"),
        ("1.5", "'1.5' is not an integer; addresses and counts are integers"),
        ("abs(1)", "'abs' is not a function; the functions are min, max and cdiv"),
        ("__import__('os')", "'__import__' is not a function; the functions are min, max and cdiv"),
        ("__sym0", "names may not contain '__sym'"),
        ("min(1)", "'min' takes 2 arguments, as in min(a, b)"),
        ("$M / ($N - 4)", "division by zero in '$M / ($N - 4)'"),
        ("1 +", "'1 +' is not a valid constant expression"),
        ("t1", "'t1' is a tag, not a number"),
        ("$", "'$' must be followed by a size name such as $M in '$'"),
        (
            "x.y",
            "'x.y' is not allowed in a constant expression (use numbers, names, + - * / %, "
            "parentheses, min, max, cdiv)",
        ),
        ("'a'", "''a'' is not a number"),
        (
            "$M if 1 else 2",
            "'$M if 1 else 2' is not allowed in a constant expression (use "
            "numbers, names, + - * / %, parentheses, min, max, cdiv)",
        ),
    ],
)
def test_integer_expression_errors(text: str, message: str) -> None:
    with pytest.raises(ExprError) as info:
        evaluate_int(text, {}, SYMS)
    assert info.value.message == message


def test_float_expressions_divide_exactly() -> None:
    assert evaluate_float("(1.0 / $N)", {}, SYMS) == 0.25
    assert evaluate_float("1 / 8", {}, SYMS) == 0.125
    assert evaluate_float("-inf", {}, SYMS) == float("-inf")
    assert evaluate_float("1e-5", {}, SYMS) == 1e-5


SPEC = " ".join((Path(machine.__file__).parent / "spec.md").read_text().split())


@pytest.mark.parametrize(
    "text",
    [
        f"{machine.SCRATCHPAD_WORDS:,} words",
        f"{machine.ACCUMULATOR_WORDS:,} words",
        f"at most {machine.MAX_PROGRAM:,} instructions",
        f"{machine.MAX_CYCLES:,} cycles",
        f"{machine.MAX_INSTRUCTIONS:,} executed instructions",
        f"queue of {machine.QUEUE_DEPTH} instructions",
        f"{machine.DMA_BASE} + rows + ceil(rows*cols/{machine.DMA_WORDS_PER_CYCLE})",
        f"| M + {machine.MM_FILL} |",
        f"| {machine.MW_CYCLES} |",
        f"{machine.VECTOR_BASE} + n",
        f"{machine.VECTOR_BASE} + 2n",
        f"+{machine.BRANCH_TAKEN_EXTRA} when taken",
        f"{machine.JMP_CYCLES} cycles",
        f"nest at most {machine.MAX_LOOP_DEPTH} deep",
        f"max(MACs / {machine.PEAK_MACS_PER_CYCLE}, words moved / {machine.DRAM_WORDS_PER_CYCLE})",
    ],
)
def test_spec_states_the_machine_constants(text: str) -> None:
    assert text in SPEC
