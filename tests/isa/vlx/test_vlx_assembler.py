"""The VLX assembler: bundles, slots, operand forms, and the one-sentence errors."""

from __future__ import annotations

import pytest

from isa.accel.vlx.assembler import assemble
from isa.accel.vlx.machine import MAX_BUNDLES
from isa.accel.vlx.program import Imm, Label, Lane, Mem, Reg, Tag, Value
from isa.base import CompileError

SYMBOLS = {"$M": 64, "$N": 32, "@x": 0, "@y": 2048}


def compile_error(source: str) -> CompileError:
    with pytest.raises(CompileError) as info:
        assemble(source, SYMBOLS)
    return info.value


def test_parses_bundles_and_operand_forms() -> None:
    program = assemble(
        """
        // a comment line
.equ ROWS, 16                      // constants are not bundles
start:  { li r1, ROWS * 2 ; vld v1, L[r1 + 16] ; vmac a2, v1, v3[5] }
        vadd v4, v1, #(1.0 / 4) || vst L[r2 - 16], v4
        dld   t3, L[r2 + 8, $N], D[@y, $N], ROWS, $N
        bne   r1, 0, start
        """,
        SYMBOLS,
    )
    first, second, dma, branch = program.bundles
    assert first.line == 4 and second.line == 5
    names = [op.name for op in first.ops]
    assert set(names) == {"li", "vld", "vmac"}
    vld = next(op for op in first.ops if op.name == "vld")
    vmac = next(op for op in first.ops if op.name == "vmac")
    assert vld.args == (Reg("v", 1), Mem("L", Value(1, 16)))
    assert vmac.args == (Reg("a", 2), Reg("v", 1), Lane(3, 5))
    assert vmac.reads == (("a", 2), ("v", 1), ("v", 3))  # accumulates: reads a2
    vadd = next(op for op in second.ops if op.name == "vadd")
    assert vadd.args[2] == Imm(0.25)
    assert dma.ops[0].args == (
        Tag(3),
        Mem("L", Value(2, 8), Value(0, 32)),
        Mem("D", Value(0, 2048), Value(0, 32)),
        Value(0, 16),
        Value(0, 32),
    )
    assert branch.ops[0].args[2] == Label("start", 0)
    assert program.labels == {"start": 0}


def test_readers_come_before_writers_in_a_bundle() -> None:
    # vadd reads v1 and r1 is read by vld: both must run before the writers of v1 and r1.
    (bundle,) = assemble("{ add r1, r1, 16 ; vld v1, L[r1] ; vadd v2, v1, v1 }", {}).bundles
    order = [op.name for op in bundle.ops]
    assert order.index("vadd") < order.index("vld") < order.index("add")


def test_loops_record_their_exit_and_end() -> None:
    program = assemble("loop r1, 4\nloop r2, 3\nnop\nendloop\nendloop\nhalt", {})
    outer, inner, body, after = program.bundles
    assert (outer.loop_exit, inner.loop_exit) == (3, 3)
    assert body.loop_ends == 2 and after.loop_ends == 0


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("{ add r1, r1, 1 ; add r2, r2, 1 ; add r3, r3, 1 }", 1, "3 operations for the scalar"),
        ("{ vadd v1, v2, v3 ; vmax v4, v5, v6 }", 1, "at most 1 valu operation"),
        ("{ vld v1, L[0] ; vld v2, L[16] ; vld v3, L[32] }", 1, "(vld, vld, vld)"),
        ("{ vmul v1, v2, v3 ; vmac a0, v1, v2 }", 1, "for the vmac slot"),
        ("{ li r1, 1 ; mov r1, 2 }", 1, "both write r1"),
        ("{ vmov v1, v2 ; vmul v2, v1, #1 }", 1, "in a cycle; split the bundle"),
        ("vadd v1, v2, v3 ; vadd v4, v5, v6", 1, "comments start with '//'"),
        ("{ nop", 1, "must close with '}'"),
        ("nop }", 1, "'}' without '{'"),
        ("{ }", 1, "an empty bundle"),
        ("vadd v1, v2", 1, "'vadd' expects 3 operands (d, a, b), got 2"),
        ("vadd v1 v2, v3", 1, "separated by commas"),
        ("vaddd v1, v2, v3", 1, "unknown operation 'vaddd' (did you mean 'vadd'?)"),
        ("vadd r1, v2, v3", 1, "must be a vector register"),
        ("vmac v1, v2, v3", 1, "must be an accumulator a0..a7"),
        ("vadd v32, v2, v3", 1, "vector register v32 does not exist"),
        ("vclr a8", 1, "accumulator a8 does not exist"),
        ("add r32, r1, 1", 1, "register r32 does not exist"),
        ("li r0, 1", 1, "writing r0 is not allowed"),
        ("add r1, v1, 1", 1, "v1 is not a scalar"),
        ("vmov v1, v2[16]", 1, "lane 16 of 'v2[16]' does not exist"),
        ("vst1 L[0], v2", 1, "must be a lane vN[l]"),
        ("vld v1, D[0]", 1, "DRAM is reached only by dld and dst"),
        ("vld v1, L[0, 16]", 1, "takes only an address"),
        ("vld v1, S[0]", 1, "unknown memory 'S'"),
        ("dld t8, L[0], D[@x], 1, 1", 1, "tag t8 does not exist"),
        ("vadd v1, v2, #1e39", 1, "does not fit in fp32"),
        ("li r1, $Q", 1, "unknown symbol '$Q'"),
        ("li r1, 3000000000", 1, "does not fit in 32 bits"),
        ("jmp nowhere", 1, "undefined label 'nowhere'"),
        ("x:\nx: nop", 2, "label 'x' is defined twice"),
        (".equ A, 1\n.equ A, 2", 2, "redefines A"),
        (".equ r3, 1", 1, "would hide a register"),
        (".eq A, 1", 1, "did you mean '.equ'"),
        ("endloop", 1, "'endloop' without 'loop'"),
        ("loop r1, 4\nendloop", 2, "needs at least one bundle"),
        ("loop r1, 4\nnop", 1, "'loop' without 'endloop'"),
        ("{ loop r1, 4 ; nop }", 1, "must be on a line of its own"),
        ("x: loop r1, 4\nbeq r1, 0, x\nendloop", 2, "may not branch"),
        ("loop r1, 2\nbeq r1, 0, out\nnop\nendloop\nout: nop", 2, "leaves the loop at line 1"),
        ("jmp in\nloop r1, 2\nin: nop\nendloop", 1, "enters the loop at line 2"),
        (
            "loop r1, 1\nloop r2, 1\nloop r3, 1\nloop r4, 1\nloop r5, 1\nnop\n" + "endloop\n" * 5,
            5,
            "nest at most 4 deep",
        ),
    ],
)
def test_errors_name_the_line_and_the_fix(source: str, line: int, message: str) -> None:
    error = compile_error(source)
    assert error.line == line
    assert message in error.message


def test_program_memory_caps_unrolling() -> None:
    assemble("nop\n" * MAX_BUNDLES, {})
    error = compile_error("nop\n" * (MAX_BUNDLES + 1))
    assert error.line == MAX_BUNDLES + 1
    assert f"program memory holds {MAX_BUNDLES:,}" in error.message


def test_endloop_and_labels_do_not_use_program_memory() -> None:
    source = "loop r1, 2\n" + "x: nop\n" * 0 + "nop\n" * (MAX_BUNDLES - 1) + "endloop\n.equ A, 1"
    assert len(assemble(source, {}).bundles) == MAX_BUNDLES
