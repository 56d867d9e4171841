"""Decoding a kernel's instructions into `Op`s: a closure per instruction plus what the
scheduler needs (control-flow kind, branch target, guard, counter class)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from isa.nvidia.ptx import alu, memops, warp
from isa.nvidia.ptx.calls import build_call
from isa.nvidia.ptx.errors import PtxError
from isa.nvidia.ptx.module import Imm, Instruction, Kernel, Module, Sym
from isa.nvidia.ptx.operands import Ctx, reader, writer
from isa.nvidia.ptx.state import ChunkState

Fn = Callable[[ChunkState, "np.ndarray | None"], None]


@dataclass
class Op:
    ins: Instruction
    kind: str  # "op" | "bra" | "exit" | "bar" | "trap" | "nop"
    fn: Fn | None
    klass: str  # counter class
    flops: int = 0  # per active thread
    target: int = -1  # branch target (instruction index)
    guard: str | None = None
    negated: bool = False


def _nop(st: ChunkState, m: np.ndarray | None) -> None:
    return None


_BINARY = [
    "add",
    "sub",
    "mul",
    "div",
    "rem",
    "min",
    "max",
    "and",
    "or",
    "xor",
    "shl",
    "shr",
    "mul24",
    "copysign",
]
_UNARY = [
    "neg",
    "abs",
    "not",
    "cnot",
    "popc",
    "clz",
    "brev",
    "sqrt",
    "rsqrt",
    "rcp",
    "ex2",
    "lg2",
    "sin",
    "cos",
    "tanh",
]
Builder = Callable[[Instruction, Ctx], "tuple[Fn, str, int]"]

BUILDERS: dict[str, Builder] = {
    **{b: alu.build_binary for b in _BINARY},
    **{b: alu.build_mad for b in ("mad", "fma", "mad24")},
    **{b: alu.build_unary for b in _UNARY},
    **{b: alu.build_bits for b in ("bfe", "bfi", "prmt", "lop3", "shf", "sad", "testp")},
    "setp": alu.build_setp,
    "selp": alu.build_selp,
    "slct": alu.build_slct,
    "mov": alu.build_mov,
    "cvta": alu.build_cvta,
    "cvt": alu.build_cvt,
    "ld": memops.build_ld,
    "ldu": memops.build_ld,
    "st": memops.build_st,
    "atom": memops.build_atom,
    "red": memops.build_atom,
    "cp": memops.build_cp_async,
    "shfl": warp.build_shfl,
    "vote": warp.build_vote,
    "activemask": warp.build_activemask,
    "redux": warp.build_redux,
    "ldmatrix": warp.build_ldmatrix,
    "stmatrix": warp.build_stmatrix,
    "mma": warp.build_mma,
    "wgmma": warp.build_wgmma,
}  # fmt: skip

NOPS = (
    "membar",
    "fence",
    "prefetch",
    "prefetchu",
    "nanosleep",
    "griddepcontrol",
    "pmevent",
    "discard",
    "applypriority",
)


def _build(ins: Instruction, ctx: Ctx, labels: dict[str, int]) -> Op:
    b = ins.base
    if b == "bra" or b == "brx":
        if b == "brx" or not ins.operands or not isinstance(ins.operands[0], Sym):
            raise PtxError(f"unsupported branch '{ins.text}'", ins.line)
        lab = ins.operands[0].name
        if lab not in labels:
            raise PtxError(f"branch to an unknown label '{lab}'", ins.line)
        return Op(ins, "bra", None, "control", target=labels[lab])
    if b in ("ret", "exit"):
        return Op(ins, "exit", None, "control")
    if b in ("trap", "brkpt"):
        return Op(ins, "trap", None, "control")
    if b in ("bar", "barrier"):
        if "warp" in ins.mods:
            return Op(ins, "op", _nop, "warp")
        if "arrive" in ins.mods:
            return Op(ins, "op", _nop, "barrier")
        if "red" in ins.mods:
            return _bar_red(ins, ctx)
        if ins.operands and not isinstance(ins.operands[0], Imm):
            raise PtxError("bar.sync needs an immediate barrier number", ins.line)
        return Op(ins, "bar", None, "barrier")
    if b in NOPS:
        return Op(ins, "op", _nop, "other")
    if b == "createpolicy":
        wr = writer(ins.operands[0], ins, ctx)
        return Op(ins, "op", lambda st, m: wr(st, np.uint64(0), m), "other")
    if b == "call":
        return Op(ins, "op", build_call(ins, ctx), "control")
    if b in ("tcgen05", "mbarrier", "setmaxnreg", "elect"):
        raise PtxError(
            f"unsupported instruction '{ins.opcode}' (sm_90 warpgroup / TMA features)", ins.line
        )
    builder = BUILDERS.get(b)
    if builder is None:
        raise PtxError(f"unknown instruction '{ins.opcode}'", ins.line)
    fn, klass, flops = builder(ins, ctx)
    return Op(ins, "op", fn, klass, flops)


def _bar_red(ins: Instruction, ctx: Ctx) -> Op:
    """bar.red.{popc,and,or}: a barrier that also reduces a predicate over the block."""
    red = next((m for m in ins.mods if m in ("popc", "and", "or")), None)
    if red is None or len(ins.operands) < 3:
        raise PtxError(f"cannot read '{ins.opcode}'", ins.line)
    rp = reader(ins.operands[-1], "pred", ctx, ins)
    wr = writer(ins.operands[0], ins, ctx)
    neg = ins.text.rstrip().split(",")[-1].strip().startswith("!")
    ptype = "u32" if red == "popc" else "pred"

    def fn(st: ChunkState, m: np.ndarray | None) -> None:
        p = np.broadcast_to(np.asarray(rp(st)), (st.n,))
        if neg:
            p = ~p
        act = st.live if m is None else m
        per_block = (p & act).reshape(st.nblocks, st.tpb)
        live = act.reshape(st.nblocks, st.tpb)
        if red == "popc":
            r = per_block.sum(axis=1).astype(np.uint32)
        elif red == "and":
            r = (per_block | ~live).all(axis=1)
        else:
            r = per_block.any(axis=1)
        wr(st, np.repeat(r, st.tpb).astype(np.uint32 if ptype == "u32" else bool), m)

    return Op(ins, "bar", fn, "barrier")


def decode_kernel(module: Module, kernel: Kernel) -> None:
    ctx = Ctx(module, kernel)
    ops: list[Op] = []
    for ins in kernel.instructions:
        op = _build(ins, ctx, kernel.labels)
        op.guard = ins.guard
        op.negated = ins.guard_negated
        ops.append(op)
    kernel.program = ops
