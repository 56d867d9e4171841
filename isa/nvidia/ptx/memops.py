"""Semantics of ld, st, atom, red and cp.async."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from isa.nvidia.ptx import access
from isa.nvidia.ptx.errors import PtxError
from isa.nvidia.ptx.memory import GLOBAL_BASE
from isa.nvidia.ptx.module import TYPE_SIZES, Imm, Instruction, Reg, Vec
from isa.nvidia.ptx.numerics import NP_TYPES
from isa.nvidia.ptx.operands import Ctx, address, dest_names, reader
from isa.nvidia.ptx.state import ChunkState

Fn = Callable[[ChunkState, "np.ndarray | None"], None]
SPACES = ("global", "shared", "local", "param", "const", "generic")


def _space(ins: Instruction, implied: str | None) -> str:
    for m in ins.mods:
        base = m.split("::")[0]
        if base in SPACES:
            return base
    return implied if implied in SPACES else "generic"


def _call_slot(space: str, implied: str | None) -> str:
    """`ld.param` / `st.param` of a call's argument or result slot: local memory."""
    return "local" if space == "param" and implied == "local" else space


def _vtype(ins: Instruction) -> tuple[int, str]:
    nvec = 1
    for m in ins.mods:
        if m in ("v2", "v4", "v8"):
            nvec = int(m[1:])
    ptype = next((m for m in reversed(ins.mods) if m in NP_TYPES), None)
    if ptype is None:
        raise PtxError(f"'{ins.opcode}' has no type suffix", ins.line)
    return nvec, ptype


def _typed(v: np.ndarray, ptype: str) -> np.ndarray:
    return v.view(NP_TYPES[ptype]) if ptype.startswith("s") else v


def build_ld(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    if len(ins.operands) < 2:
        raise PtxError(f"'{ins.opcode}' needs a destination and an address", ins.line)
    nvec, ptype = _vtype(ins)
    esize = TYPE_SIZES[ptype]
    addr, implied = address(ins.operands[1], ctx, ins)
    space = _call_slot(_space(ins, implied), implied)
    names = dest_names(ins.operands[0], ins)
    if len(names) != nvec:
        raise PtxError(f"'{ins.opcode}' loads {nvec} values into {len(names)} registers", ins.line)
    if space == "param":

        def ldparam(st: ChunkState, m: np.ndarray | None) -> None:
            off = int(np.asarray(addr(st)).reshape(-1)[0])
            for k, name in enumerate(names):
                raw = st.params[off + k * esize : off + (k + 1) * esize]
                if len(raw) < esize:
                    raise st.fault("oob-param", f"read past the parameters at offset {off}", ins, 0)
                v = np.frombuffer(raw, dtype=access.UINT[esize])[0]
                if name is not None:
                    st.write(name, _typed(np.asarray(v), ptype), m)

        return ldparam, "ld_param", 0
    klass = {
        "global": "ld_global",
        "const": "ld_global",
        "shared": "ld_shared",
        "local": "local",
    }.get(space, "ld_global")

    def ld(st: ChunkState, m: np.ndarray | None) -> None:
        idx = st.active(m)
        if idx.size == 0:
            return
        a = np.asarray(addr(st))
        a = np.broadcast_to(a, (st.n,))[idx] if a.ndim == 0 or idx.size != st.n else a
        vals = access.load(st, space, idx, a, esize, nvec, ins)
        for name, v in zip(names, vals, strict=True):
            if name is not None:
                st.write_at(name, idx, _typed(v, ptype))

    return ld, klass, 0


def build_st(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    if len(ins.operands) < 2:
        raise PtxError(f"'{ins.opcode}' needs an address and a value", ins.line)
    nvec, ptype = _vtype(ins)
    esize = TYPE_SIZES[ptype]
    addr, implied = address(ins.operands[0], ctx, ins)
    space = _call_slot(_space(ins, implied), implied)
    src = ins.operands[1]
    items = src.items if isinstance(src, Vec) else (src,)
    if len(items) != nvec:
        raise PtxError(f"'{ins.opcode}' stores {nvec} values but {len(items)} are given", ins.line)
    utype = {1: "b8", 2: "b16", 4: "b32", 8: "b64"}[esize]
    rds = [reader(o, utype, ctx, ins) for o in items]
    klass = {"global": "st_global", "shared": "st_shared", "local": "local"}.get(space, "st_global")

    def st_(st: ChunkState, m: np.ndarray | None) -> None:
        idx = st.active(m)
        if idx.size == 0:
            return
        a = np.asarray(addr(st))
        a = np.broadcast_to(a, (st.n,))[idx] if a.ndim == 0 or idx.size != st.n else a
        vals = []
        for r in rds:
            v = np.asarray(r(st))
            vals.append(np.broadcast_to(v, (st.n,))[idx] if v.ndim == 0 or idx.size != st.n else v)
        access.store(st, space, idx, a, esize, vals, ins)

    return st_, klass, 0


# ---------------------------------------------------------------- atomics


def _atomic_op(op: str, ptype: str) -> Callable[[Any, Any, Any], Any]:
    dt = NP_TYPES[ptype]
    if op == "add":
        if ptype == "f16x2" or ptype == "bf16x2" or ptype == "bf16":
            raise ValueError(ptype)
        return lambda old, b, c: (old + b).astype(dt)
    if op == "min":
        return lambda old, b, c: np.minimum(old, b)
    if op == "max":
        return lambda old, b, c: np.maximum(old, b)
    if op == "and":
        return lambda old, b, c: old & b
    if op == "or":
        return lambda old, b, c: old | b
    if op == "xor":
        return lambda old, b, c: old ^ b
    if op == "exch":
        return lambda old, b, c: b
    if op == "cas":
        return lambda old, b, c: np.where(old == b, c, old)
    if op == "inc":
        return lambda old, b, c: np.where(old >= b, 0, old + 1).astype(dt)
    if op == "dec":
        return lambda old, b, c: np.where((old == 0) | (old > b), b, old - 1).astype(dt)
    raise ValueError(op)


def build_atom(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    is_red = ins.base == "red"
    ops = ("add", "min", "max", "and", "or", "xor", "exch", "cas", "inc", "dec")
    op = next((m for m in ins.mods if m in ops), None)
    ptype = next((m for m in reversed(ins.mods) if m in NP_TYPES), None)
    if op is None or ptype is None:
        raise PtxError(f"'{ins.opcode}' needs an operation and a type", ins.line)
    try:
        f = _atomic_op(op, ptype)
    except ValueError:
        raise PtxError(f"unsupported atomic '{ins.opcode}'", ins.line) from None
    esize = TYPE_SIZES[ptype]
    first = 0 if is_red else 1
    need = first + (3 if op == "cas" else 2)
    if len(ins.operands) < need:
        raise PtxError(f"'{ins.opcode}' takes {need} operands", ins.line)
    addr, implied = address(ins.operands[first], ctx, ins)
    space = _space(ins, implied)
    rb = reader(ins.operands[first + 1], ptype, ctx, ins)
    rc = reader(ins.operands[first + 2], ptype, ctx, ins) if op == "cas" else None
    dname = None if is_red else dest_names(ins.operands[0], ins)[0]
    dt = NP_TYPES[ptype]
    udt = access.UINT[esize]

    def atom(st: ChunkState, m: np.ndarray | None) -> None:
        idx = st.active(m)
        if idx.size == 0:
            return
        a = np.broadcast_to(np.asarray(addr(st)).astype(np.uint64), (st.n,))[idx]
        b = np.broadcast_to(np.asarray(rb(st)), (st.n,))[idx]
        c = np.broadcast_to(np.asarray(rc(st)), (st.n,))[idx] if rc is not None else None
        sp = space
        if sp == "generic":
            sh, lo = access.split_generic(a)
            if sh.all():
                sp, a = "shared", a - np.uint64(access.SHARED_WINDOW)
            elif not sh.any() and not lo.any():
                sp = "global"
            else:
                raise st.fault("bad-space", "an atomic on mixed address spaces", ins, int(idx[0]))
        access._check_align(st, a, esize, idx, ins)
        if sp == "shared":
            flat = access._shared_flat(st, idx, a, esize, ins)
            buf = st.shared
            st.sh_init[(flat[:, None] + np.arange(esize)).reshape(-1)] = True
        elif sp == "global":
            flat = access._global_off(st, idx, a, esize, ins, "atomic")
            buf = st.mem.data
            access.count_global(st, idx, a, esize, store=True)
        else:
            raise st.fault(
                "bad-space", f"atomics on .{sp} memory are not supported", ins, int(idx[0])
            )
        st.report.counters.atomics += int(idx.size)
        view = buf.view(udt)
        words = flat // esize
        old_all = np.empty(idx.size, dtype=udt)
        # sequential semantics in thread order: the r-th access to an address runs in round r
        order = np.argsort(words, kind="stable")
        sw = words[order]
        start = np.ones(sw.size, dtype=bool)
        start[1:] = sw[1:] != sw[:-1]
        grp_start = np.maximum.accumulate(np.where(start, np.arange(sw.size), 0))
        rank = np.empty(sw.size, dtype=np.int64)
        rank[order] = np.arange(sw.size) - grp_start
        for r in range(int(rank.max()) + 1):
            sel = rank == r
            w = words[sel]
            old = view[w]
            cc = c[sel] if c is not None else None
            new = f(old.view(dt), b[sel], cc)
            view[w] = np.asarray(new).astype(dt).view(udt)
            old_all[sel] = old
        if dname is not None:
            st.write_at(dname, idx, old_all.view(dt) if ptype.startswith("s") else old_all)

    return atom, "atomic", 0


# ---------------------------------------------------------------- cp.async


def build_cp_async(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    tail = ins.mods
    if "commit_group" in tail:
        return (lambda st, m: st.cp_groups.append([])), "other", 0
    if "wait_group" in tail or "wait_all" in tail:
        keep = 0
        if "wait_group" in tail:
            op = ins.operands[0] if ins.operands else None
            if not isinstance(op, Imm):
                raise PtxError("cp.async.wait_group needs an immediate count", ins.line)
            keep = int(op.value)

        def wait(st: ChunkState, m: np.ndarray | None) -> None:
            groups = st.cp_groups
            # the open (uncommitted) group is the last; wait_all also completes it
            committed = groups[:-1] if "wait_group" in tail else groups
            done = committed[: max(len(committed) - keep, 0)]
            for g in done:
                for flat in g:
                    st.sh_pending[flat] = False
            remaining = committed[len(done) :]
            st.cp_groups = remaining + ([groups[-1]] if "wait_group" in tail else [[]])

        return wait, "other", 0
    if "bulk" in tail or "mbarrier" in tail:
        raise PtxError(f"unsupported instruction '{ins.opcode}' (TMA / bulk copies)", ins.line)
    if len(ins.operands) < 3:
        raise PtxError(f"'{ins.opcode}' needs [dst], [src], size", ins.line)
    dst, _ = address(ins.operands[0], ctx, ins)
    src, _ = address(ins.operands[1], ctx, ins)
    size_op = ins.operands[2]
    if not isinstance(size_op, Imm):
        raise PtxError("cp.async needs an immediate copy size", ins.line)
    cpsize = int(size_op.value)
    if cpsize not in (4, 8, 16):
        raise PtxError(f"cp.async copies 4, 8 or 16 bytes, not {cpsize}", ins.line)
    srcsize = None
    if len(ins.operands) > 3 and isinstance(ins.operands[3], (Reg, Imm)):
        op3 = ins.operands[3]
        if not (isinstance(op3, Reg) and ctx.kernel.registers.get(op3.name) == "b64"):
            srcsize = reader(op3, "u32", ctx, ins)

    def cp(st: ChunkState, m: np.ndarray | None) -> None:
        idx = st.active(m)
        if idx.size == 0:
            return
        d = np.broadcast_to(np.asarray(dst(st)).astype(np.uint64), (st.n,))[idx]
        s = np.broadcast_to(np.asarray(src(st)).astype(np.uint64), (st.n,))[idx]
        ss = (
            np.minimum(
                np.broadcast_to(np.asarray(srcsize(st)), (st.n,))[idx].astype(np.int64), cpsize
            )
            if srcsize is not None
            else np.full(idx.size, cpsize, dtype=np.int64)
        )
        flat = access.shared_target(st, idx, d, cpsize, ins)
        data = np.zeros((idx.size, cpsize), dtype=np.uint8)
        for n_src in np.unique(ss):
            if n_src <= 0:
                continue
            sel = ss == n_src
            if not st.mem.in_bounds(s[sel], int(n_src)).all():
                access._global_off(st, idx[sel], s[sel], int(n_src), ins, "load")
            off = (s[sel] - np.uint64(GLOBAL_BASE)).astype(np.int64)
            data[sel, :n_src] = st.mem.data[off[:, None] + np.arange(n_src)]
            access.count_global(st, idx[sel], s[sel], int(n_src), store=False)
        bytes_ = (flat[:, None] + np.arange(cpsize)).reshape(-1)
        st.shared[bytes_] = data.reshape(-1)
        access.shared_write_mark(st, idx, flat, cpsize, ins)
        st.sh_pending[bytes_] = True
        st.cp_async_used = True
        st.cp_groups[-1].append(bytes_)

    return cp, "ld_global", 0
