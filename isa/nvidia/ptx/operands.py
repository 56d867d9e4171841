"""Compiling operands into fast readers and writers over a `ChunkState`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from isa.nvidia.ptx.errors import PtxError
from isa.nvidia.ptx.module import (
    Addr,
    Imm,
    Instruction,
    Kernel,
    Module,
    NotPred,
    Operand,
    Reg,
    Sink,
    Special,
    Sym,
)
from isa.nvidia.ptx.numerics import NP_TYPES, storage
from isa.nvidia.ptx.state import ChunkState

Reader = Callable[[ChunkState], Any]


def imm_value(imm: Imm, ptype: str) -> Any:
    dt = NP_TYPES[ptype]
    if imm.is_float:
        if imm.bits is not None and imm.width == dt.itemsize and dt.kind == "f":
            return np.array(imm.bits, dtype=storage(ptype)).view(dt)[()]
        if dt.kind == "f":
            return dt.type(imm.value)
        if ptype in ("bf16", "bf16x2", "f16x2", "tf32") or dt.kind in "ui":
            if imm.bits is not None:
                return np.array(
                    imm.bits & ((1 << (8 * dt.itemsize)) - 1), dtype=storage(ptype)
                ).view(dt)[()]
            return dt.type(int(imm.value))
        return dt.type(imm.value)
    if ptype == "pred":
        return np.bool_(imm.value != 0)
    if dt.kind == "f":
        return dt.type(imm.value)
    bits = int(imm.value) & ((1 << (8 * dt.itemsize)) - 1)
    return np.array(bits, dtype=storage(ptype)).view(dt)[()]


class Ctx:
    """What decoding needs to know about the kernel and its module."""

    def __init__(self, module: Module, kernel: Kernel) -> None:
        self.module = module
        self.kernel = kernel
        self.extern_shared = -(-kernel.static_shared_bytes // 16) * 16

    def symbol_reader(self, name: str, ins: Instruction) -> Reader:
        k = self.kernel
        if name in k.shared:
            var = k.shared[name]
            off = var.offset if var.offset >= 0 else self.extern_shared
            return lambda st: np.uint64(off)
        if name in k.local:
            off = k.local[name].offset
            return lambda st: np.uint64(off)
        if name in self.module.globals and self.module.globals[name].space == "shared":
            return lambda st: np.uint64(self.extern_shared)
        if name in self.module.globals or any(p.name == name for p in k.params):
            return lambda st: np.uint64(st.symbols[name])
        raise PtxError(f"unknown symbol '{name}'", ins.line)

    def symbol_space(self, name: str) -> str:
        k = self.kernel
        if name in k.shared:
            return "shared"
        if name in k.local:
            return "local"
        if name in self.module.globals:
            g = self.module.globals[name]
            return "shared" if g.space == "shared" else g.space
        if any(p.name == name for p in k.params):
            return "param"
        return "?"


def _special(name: str) -> Reader:
    base, _, comp = name[1:].partition(".")
    axis = "xyz".index(comp) if comp else 0

    def read(st: ChunkState) -> Any:
        if base == "tid":
            return st.tid[axis]
        if base == "ntid":
            return np.uint32(st.block[axis])
        if base == "ctaid":
            return st.ctaid[axis]
        if base == "nctaid":
            return np.uint32(st.grid[axis])
        if base == "laneid":
            return st.lane
        if base == "warpid":
            return st.warp_in_block
        if base == "nwarpid":
            return np.uint32(st.tpb // 32)
        if base in ("clock", "clock64", "globaltimer"):
            return np.uint32(st.clock) if base == "clock" else np.uint64(st.clock)
        if base.startswith("lanemask_"):
            lane = st.lane.astype(np.uint64)
            one = np.uint64(1)
            rel = base[len("lanemask_") :]
            full = np.uint64(0xFFFFFFFF)
            if rel == "eq":
                v = one << lane
            elif rel == "lt":
                v = (one << lane) - one
            elif rel == "le":
                v = (one << (lane + one)) - one
            elif rel == "gt":
                v = full ^ ((one << (lane + one)) - one)
            else:
                v = full ^ ((one << lane) - one)
            return (v & full).astype(np.uint32)
        if base == "dynamic_smem_size":
            return np.uint32(st.dynamic_shared_bytes)
        if base == "total_smem_size":
            return np.uint32(st.shared_size)
        if base in ("cluster_nctarank", "nclusterid", "cluster_nctaid"):
            return np.uint32(1)
        return np.uint32(0)  # smid, gridid, cluster ids: one SM, one grid, no clusters

    return read


def reader(op: Operand, ptype: str, ctx: Ctx, ins: Instruction) -> Reader:
    """A function giving the operand's value(s) as `ptype` (array of n, or a scalar)."""
    dt = NP_TYPES[ptype]
    if isinstance(op, Reg):
        name = op.name
        rtype = ctx.kernel.registers[name]
        rs = storage(rtype)
        if ptype == "pred" or rtype == "pred":
            if ptype == "pred" and rtype == "pred":
                return lambda st: st.regs[name]
            if rtype == "pred":
                return lambda st: st.regs[name].astype(dt)
            return lambda st: st.regs[name] != 0
        if rs.itemsize == dt.itemsize:
            if rs == dt:
                return lambda st: st.regs[name]
            return lambda st: st.regs[name].view(dt)
        want = storage(ptype)
        return lambda st: st.regs[name].astype(want).view(dt)
    if isinstance(op, NotPred):
        name = op.reg.name
        return lambda st: ~st.regs[name]
    if isinstance(op, Imm):
        v = imm_value(op, ptype)
        return lambda st: v
    if isinstance(op, Special):
        sp = _special(op.name)
        if dt.kind == "f":
            raise PtxError(f"special register {op.name} read as .{ptype}", ins.line)
        return lambda st: np.asarray(sp(st)).astype(dt)
    if isinstance(op, Sym):
        sr = ctx.symbol_reader(op.name, ins)
        return lambda st: np.asarray(sr(st)).astype(dt)[()]
    raise PtxError(f"operand {op} cannot be read as a value", ins.line)


def address(op: Operand, ctx: Ctx, ins: Instruction) -> tuple[Reader, str | None]:
    """A reader of the address as uint64 and the state space implied by a symbol base."""
    if not isinstance(op, Addr):
        raise PtxError(f"'{ins.opcode}' needs an address operand like [%rd1]", ins.line)
    off = np.uint64(op.offset & ((1 << 64) - 1))
    if op.base is None:
        return (lambda st: off), None
    if isinstance(op.base, Sym):
        space = ctx.symbol_space(op.base.name)
        if space == "param":
            pname = op.base.name
            return (lambda st: np.uint64(st.symbols[pname]) + off), "param"
        sr = ctx.symbol_reader(op.base.name, ins)
        return (lambda st: np.uint64(sr(st)) + off), space
    name = op.base.name
    rtype = ctx.kernel.registers[name]
    if storage(rtype).itemsize == 8:
        if op.offset == 0:
            return (lambda st: st.regs[name]), None
        return (lambda st: st.regs[name] + off), None

    def rd32(st: ChunkState) -> Any:
        return st.regs[name].astype(np.uint64) + off

    return rd32, None


Writer = Callable[[ChunkState, Any, "np.ndarray | None"], None]


def writer(op: Operand, ins: Instruction, ctx: Ctx) -> Writer:
    if isinstance(op, Sink):
        return lambda st, v, m: None
    if not isinstance(op, Reg):
        raise PtxError(f"'{ins.opcode}' must write a register, not {op}", ins.line)
    name = op.name
    if name not in ctx.kernel.registers:
        raise PtxError(f"register '{name}' is not declared", ins.line)
    return lambda st, v, m: st.write(name, v, m)


def dest_names(op: Operand, ins: Instruction) -> list[str | None]:
    """Register names of a scalar or vector destination (None for a sink)."""
    from isa.nvidia.ptx.module import Vec

    items = op.items if isinstance(op, Vec) else (op,)
    out: list[str | None] = []
    for it in items:
        if isinstance(it, Sink):
            out.append(None)
        elif isinstance(it, Reg):
            out.append(it.name)
        else:
            raise PtxError(f"'{ins.opcode}' must write registers, not {it}", ins.line)
    return out
