"""The TILE assembler: what it accepts, and the one-sentence errors for what it does not."""

from __future__ import annotations

import pytest

from isa.accel.tile.assembler import assemble
from isa.accel.tile.machine import MAX_PROGRAM
from isa.accel.tile.program import Imm, Label, Mem, Reg, Tag, Value
from isa.base import CompileError

SYMBOLS = {"$M": 64, "$N": 32, "@x": 0, "@y": 2048}


def compile_error(source: str, symbols: dict[str, int] | None = None) -> CompileError:
    with pytest.raises(CompileError) as info:
        assemble(source, SYMBOLS if symbols is None else symbols)
    return info.value


def test_parses_every_operand_form() -> None:
    program = assemble(
        """
        ; a comment line
.equ ROWS, 16                 ; constants do not count as instructions
start:  li    r1, ROWS * 2
        add   r2, r1, r3 - 2 + 3
        dld   t3, S[r2 + 8, $N], D[@x, $N], ROWS, $N
        vshape ROWS, $N
        vfma  A[0], S.row[4], S.col[r1, 2], #(1.0 / 4)
        vrsum A.col[64], A.row[0]
        bne   r1, 0, start
        """,
        SYMBOLS,
    )
    li, add, dld, vshape, vfma, vrsum, bne = program.instructions
    assert (li.op, li.line, li.args) == ("li", 4, (Reg(1), Value(0, 32)))
    assert add.args == (Reg(2), Value(1, 0), Value(3, 1))  # r3 - 2 + 3 is r3 + 1
    assert dld.args == (
        Tag(3),
        Mem("S", Value(2, 8), Value(0, 32)),
        Mem("D", Value(0, 0), Value(0, 32)),
        Value(0, 16),
        Value(0, 32),
    )
    assert vshape.line == 7
    assert vfma.args[1:] == (
        Mem("S", Value(0, 4), None, "row"),
        Mem("S", Value(1, 0), Value(0, 2), "col"),
        Imm(0.25),
    )
    assert vrsum.args[0] == Mem("A", Value(0, 64), None, "col")
    assert bne.args[2] == Label("start", 0)
    assert program.labels == {"start": 0}


def test_loops_link_to_their_partners() -> None:
    program = assemble("loop r1, 4\nloop r2, 3\nnop\nendloop\nendloop\nhalt", {})
    links = [ins.link for ins in program.instructions]
    assert links == [5, 4, -1, 2, 1, -1]


def test_immediates_and_case() -> None:
    program = assemble("VFILL S[0], #-inf\nvfill S[0], #1e-5\nvfill S[0], #-2", {})
    assert [ins.args[1] for ins in program.instructions] == [
        Imm(float("-inf")),
        Imm(float.fromhex("0x1.4f8b58p-17")),  # 1e-5 rounded to fp32
        Imm(-2.0),
    ]


def test_label_on_its_own_line_and_at_the_end() -> None:
    program = assemble("jmp done\nnop\ndone:", {})
    assert program.instructions[0].args == (Label("done", 2),)


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        (
            "li r1, 0\n\n\n\n\n\nvaddd S[0], S[0], S[0]",
            7,
            "unknown instruction 'vaddd' (did you mean 'vadd'?)",
        ),
        (
            "nop\nnop\ndld t0, S[0], D[0, 16], 16",
            3,
            "'dld' expects 5 operands (tag, dst tile, DRAM block, rows, cols), got 4",
        ),
        (
            "li r1 5",
            1,
            "'li' expects 2 operands (rd, value), got 1 (operands are separated by commas)",
        ),
        ("nop\nli r1, $Q", 2, "unknown symbol '$Q'; this configuration defines $M, $N"),
        ("li r1, @q", 1, "unknown tensor '@q'; this configuration defines @x, @y"),
        ("nop\nli r0, 1", 2, "writing r0 is not allowed"),
        ("nop\nendloop", 2, "'endloop' without 'loop'"),
        ("nop\nloop r1, 2\nnop", 2, "'loop' without 'endloop'"),
        (
            "loop r1, 2\nloop r2, 2\nloop r3, 2\nloop r4, 2\nloop r5, 2",
            5,
            "'loop' nested 5 deep; hardware loops nest at most 4 deep",
        ),
        (
            "nop\nbne r1, 0, nxt\nnext:",
            2,
            "'bne' jumps to undefined label 'nxt' (did you mean 'next'?)",
        ),
        ("li r16, 0", 1, "register r16 does not exist; registers are r0..r15"),
        ("dwait t8", 1, "tag t8 does not exist; tags are t0..t7"),
        (
            "vshape 1, 1\nvadd S.row[0], S[0], S[0]",
            2,
            "'vadd' operand 1 (d) must be an S[...] or A[...] tile; a broadcast 'S.row[0]' cannot "
            "be used here",
        ),
        (
            "dld t0, S[0], S[0], 1, 1",
            1,
            "'dld' operand 3 (DRAM block) must be a DRAM block D[base, stride], got 'S[0]'",
        ),
        (
            "dld t0, D[0], D[0], 1, 1",
            1,
            "'dld' operand 2 (dst tile) must be an S[...] or A[...] tile, not a DRAM block 'D[0]'",
        ),
        ("mm S[0], S[0], 16", 1, "'mm' operand 1 (out tile) must be an A[...] tile, got 'S[0]'"),
        ("mw A[0], 16, 16", 1, "'mw' operand 1 (weight tile) must be an S[...] tile, got 'A[0]'"),
        (
            "vrsum S[0], S[0]",
            1,
            "'vrsum' operand 1 (d) must be a column S.col[...] or A.col[...], got 'S[0]'",
        ),
        (
            "vmov S[0], #1",
            1,
            "'vmov' operand 2 (a) must be a tile or a broadcast (S.row[...], S.col[...]), got '#1'",
        ),
        (
            "vfill S[0], 1",
            1,
            "'vfill' operand 2 (imm) must be a float immediate such as #1.5, got '1'",
        ),
        (
            "li r1, S[0]",
            1,
            "'li' operand 2 (value) must be a register, a constant expression, or rN + expr, got "
            "'S[0]'",
        ),
        (
            "add r1, S[0], 5",
            1,
            "'add' operand 2 (a) must be a register, a constant expression, or rN + expr, got "
            "'S[0]'",
        ),
        ("jmp 12", 1, "'jmp' operand 1 (label) must be a label name, got '12'"),
        (
            "vadd S[0], S.row[0, 2], S[0]",
            1,
            "'vadd' operand 2 (a): 'S.row[0, 2]' takes only a base; a row's C values are "
            "contiguous",
        ),
        (
            "vadd Q[0], S[0], S[0]",
            1,
            "'vadd' operand 1 (d): unknown memory 'Q'; the memories are S, A and D",
        ),
        (
            "vadd S.diag[0], S[0], S[0]",
            1,
            "'vadd' operand 1 (d): 'S.diag' is not a broadcast; use .row or .col",
        ),
        ("nop\nnop", None, ""),  # a valid program (checked below) between the errors
        (
            "li r1, r2 * 2",
            1,
            "register r2 cannot appear inside an expression; a value is rN, "
            "a constant expression, or rN + expr",
        ),
        ("li r1, 5000000000", 1, "'5000000000' is 5000000000, which does not fit in 32 bits"),
        ("nop\n.equ A1, 1\n.equ A1, 2", 3, "'.equ A1' redefines A1 (first defined at line 2)"),
        (".equ r3, 1", 1, "'.equ r3' would hide a register, tag or function name"),
        (
            ".eq X, 1",
            1,
            "unknown directive '.eq' (did you mean '.equ'?); the only directive is .equ",
        ),
        ("a:\na:", 2, "label 'a' is defined twice (first at line 1)"),
        ("halt 1", 1, "'halt' takes no operands, got 1"),
        (
            "vfill S[0], #1e50",
            1,
            "'vfill' operand 2 (imm): '#1e50' is 1e+50, which does not fit in fp32",
        ),
        ("li r1, ROWS", 1, "unknown name 'ROWS'; define it with '.equ ROWS, value'"),
        (
            ".equ ROWS, 4\nli r1, ROWZ",
            2,
            "unknown name 'ROWZ' (did you mean 'ROWS'?); define it with '.equ ROWZ, value'",
        ),
        ("li r1, 1 / 0", 1, "division by zero in '1 / 0'"),
    ],
)
def test_errors_name_the_line_and_the_problem(source: str, line: int | None, message: str) -> None:
    if line is None:
        assemble(source, SYMBOLS)
        return
    error = compile_error(source)
    assert (error.line, error.message) == (line, message)
    assert str(error) == f"line {line}: {message}"


def test_no_symbols_defined() -> None:
    error = compile_error("li r1, $M", {})
    assert error.message == "unknown symbol '$M'; this configuration defines none"


def test_program_length_limit() -> None:
    assemble("nop\n" * MAX_PROGRAM + "; comments\n.equ X, 1\nlabel:\n", {})
    error = compile_error("nop\n" * (MAX_PROGRAM + 3))
    assert error.line == MAX_PROGRAM + 1
    assert error.message.startswith(
        f"the program has {MAX_PROGRAM + 3} instructions; at most 4,096"
    )


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        (
            "loop r1, 2\nbeq r1, 0, out\nendloop\nout:",
            2,
            "'beq' to 'out' leaves the loop at line 1; a branch may not enter or leave a hardware "
            "loop body",
        ),
        (
            "jmp in\nloop r1, 2\nin: nop\nendloop",
            1,
            "'jmp' to 'in' enters the loop at line 2; a branch may not enter or leave a hardware "
            "loop body",
        ),
        (
            "loop r1, 2\njmp top\nendloop\ntop:",
            2,
            "'jmp' to 'top' leaves the loop at line 1; a branch may not enter or leave a hardware "
            "loop body",
        ),
    ],
)
def test_branches_stay_inside_their_loop(source: str, line: int, message: str) -> None:
    error = compile_error(source)
    assert (error.line, error.message) == (line, message)


def test_branches_inside_a_loop_body_and_to_its_endloop_are_fine() -> None:
    assemble(
        "loop r1, 4\nbeq r1, 2, next\nnop\nnext: endloop\nback: loop r2, 2\nendloop\njmp back", {}
    )
