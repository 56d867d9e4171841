"""The launch plan: parsed from comments, evaluated per config, errors with source lines."""

from __future__ import annotations

import pytest

from isa.base import CompileError
from isa.nvidia.plan import evaluate, parse_plan

SIZES = {"M": 50, "N": 100}

CUDA = """\
// a two-launch plan with scratch
//@ [scratch]
//@ partial = "M * cdiv(N, 32)"
//@ [[launch]]
//@ kernel = "first"
//@ grid = ["cdiv(N, 32)", "M"]
//@ block = [32, 4]
//@ shared = "32 * 4"
//@ args = ["x", "partial", "M", "N"]
//@ [[launch]]
//@ kernel = "second"
//@ grid = ["M"]
//@ block = [128]
//@ args = ["partial", "y", "cdiv(N, 32)"]
extern "C" __global__ void first() {}
"""


def test_a_plan_is_evaluated_for_the_config() -> None:
    plan = parse_plan(CUDA, "//@", SIZES)
    assert plan.scratch == {"partial": 50 * 4}
    first, second = plan.launches
    assert (first.kernel, first.grid, first.block, first.shared) == (
        "first",
        (4, 50, 1),
        (32, 4, 1),
        128,
    )
    assert first.args == ("x", "partial", 50, 100)
    assert first.line == 4 and second.line == 10
    assert second.args == ("partial", "y", 4)


def test_triton_plans_take_num_warps_and_constexprs() -> None:
    source = (
        "# @ [[launch]]\n"
        '# @ kernel = "k"\n'
        '# @ grid = ["M"]\n'
        "# @ num_warps = 8\n"
        '# @ constexprs = { BLOCK = "next_pow2(N)" }\n'
        '# @ args = ["x", "N"]\n'
        "#@ num_stages = 2\n"
    )
    (launch,) = parse_plan(source, "#@", SIZES, triton=True).launches
    assert launch.block == (256, 1, 1)
    assert launch.constexprs == {"BLOCK": 128}
    assert launch.num_stages == 2


@pytest.mark.parametrize(
    ("expr", "value"),
    [("cdiv(M, 16)", 4), ("min(M, N) * 2", 100), ("max(M, 7) % 7", 1), ("next_pow2(N)", 128)],
)
def test_expressions(expr: str, value: int) -> None:
    assert evaluate(expr, SIZES, "x") == value


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("int x;\n", None, "no launch plan"),
        ('//@ [[launch]]\n//@ kernel = "k"\n//@ grid = [\n', 3, "not valid TOML"),
        ('//@ [[launch]]\n//@ kernel = "k"\n//@ grid = ["Q"]\n//@ block = [1]\n', 1, "size 'Q'"),
        ('//@ [[launch]]\n//@ kernel = "k"\n//@ grid = [1]\n//@ block = [64, 32]\n', 1, "1024"),
        ('//@ [[launch]]\n//@ kernel = "k"\n//@ grid = [1]\n//@ blok = [1]\n', 1, "blok"),
        ('//@ [[launch]]\n//@ kernel = "k"\n//@ grid = ["__import__(1)"]\n', 1, "only sizes"),
        ('//@ [[launch]]\n//@ kernel = "k"\n//@ grid = ["M // 0"]\n//@ block = [1]\n', 1, "valid"),
        ("//@ [launch]\n", 1, "[[launch]]"),
    ],
)
def test_bad_plans_say_what_and_where(source: str, line: int | None, words: str) -> None:
    with pytest.raises(CompileError) as err:
        parse_plan(source, "//@", SIZES)
    assert words in err.value.message
    assert err.value.line == line
