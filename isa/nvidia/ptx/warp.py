"""Warp-wide instructions: shfl.sync, vote.sync, activemask, redux.sync, ldmatrix, mma.sync.
Registers are viewed as (warps, 32 lanes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from isa.nvidia.ptx import access
from isa.nvidia.ptx.errors import PtxError
from isa.nvidia.ptx.module import Instruction, PredPair, Reg, Vec
from isa.nvidia.ptx.numerics import NP_TYPES, bf16_to_f32
from isa.nvidia.ptx.operands import Ctx, address, dest_names, reader, writer
from isa.nvidia.ptx.state import ChunkState

Fn = Callable[[ChunkState, "np.ndarray | None"], None]


def _full(st: ChunkState, v: Any) -> np.ndarray:
    a = np.asarray(v)
    return a if a.shape == (st.n,) else np.broadcast_to(a, (st.n,))


def build_shfl(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    mode = next((m for m in ins.mods if m in ("up", "down", "bfly", "idx")), None)
    if mode is None or len(ins.operands) < 4:
        raise PtxError(f"cannot read '{ins.opcode}'", ins.line)
    dst = ins.operands[0]
    d, p = (dst.first, dst.second) if isinstance(dst, PredPair) else (dst, None)
    wd = writer(d, ins, ctx) if d is not None else None
    wp = writer(p, ins, ctx) if p is not None else None
    ra = reader(ins.operands[1], "b32", ctx, ins)
    rb = reader(ins.operands[2], "u32", ctx, ins)
    rc = reader(ins.operands[3], "u32", ctx, ins)

    def shfl(st: ChunkState, m: np.ndarray | None) -> None:
        lane = st.lane.astype(np.int64)
        b = _full(st, rb(st)).astype(np.int64)
        c = _full(st, rc(st)).astype(np.int64)
        seg = (c >> 8) & 0x1F
        clamp = c & 0x1F
        max_lane = (lane & seg) | (clamp & ~seg)
        min_lane = lane & seg
        if mode == "up":
            j = lane - b
            ok = j >= max_lane
        elif mode == "down":
            j = lane + b
            ok = j <= max_lane
        elif mode == "bfly":
            j = lane ^ b
            ok = j <= max_lane
        else:
            j = min_lane | (b & 0x1F & ~seg)
            ok = j <= max_lane
        j = np.where(ok, j, lane)
        src = st.gwarp * 32 + j
        a = _full(st, ra(st))
        if wd is not None:
            wd(st, a[src], m)
        if wp is not None:
            wp(st, ok, m)

    return shfl, "warp", 0


def _warp_active(st: ChunkState, m: np.ndarray | None) -> np.ndarray:
    act = st.live if m is None else m
    return act.reshape(-1, 32)


def build_vote(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    mode = next((m for m in ins.mods if m in ("all", "any", "uni", "ballot")), None)
    if mode is None or len(ins.operands) < 2:
        raise PtxError(f"cannot read '{ins.opcode}'", ins.line)
    ra = reader(ins.operands[1], "pred", ctx, ins)
    wd = writer(ins.operands[0], ins, ctx)
    weights = (np.uint64(1) << np.arange(32, dtype=np.uint64)).astype(np.uint64)

    def vote(st: ChunkState, m: np.ndarray | None) -> None:
        act = _warp_active(st, m)
        p = _full(st, ra(st)).reshape(-1, 32) & act
        if mode == "ballot":
            bits = (p.astype(np.uint64) * weights).sum(axis=1).astype(np.uint32)
            wd(st, np.repeat(bits, 32), m)
            return
        if mode == "all":
            r = (p | ~act).all(axis=1)
        elif mode == "any":
            r = p.any(axis=1)
        else:
            r = (p | ~act).all(axis=1) | ~p.any(axis=1)
        wd(st, np.repeat(r, 32), m)

    return vote, "warp", 0


def build_activemask(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    wd = writer(ins.operands[0], ins, ctx)
    weights = (np.uint64(1) << np.arange(32, dtype=np.uint64)).astype(np.uint64)

    def am(st: ChunkState, m: np.ndarray | None) -> None:
        act = _warp_active(st, m)
        bits = (act.astype(np.uint64) * weights).sum(axis=1).astype(np.uint32)
        wd(st, np.repeat(bits, 32), m)

    return am, "warp", 0


def build_redux(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    op = next((m for m in ins.mods if m in ("add", "min", "max", "and", "or", "xor")), None)
    ptype = next((m for m in reversed(ins.mods) if m in NP_TYPES), None)
    if op is None or ptype is None:
        raise PtxError(f"cannot read '{ins.opcode}'", ins.line)
    ra = reader(ins.operands[1], ptype, ctx, ins)
    wd = writer(ins.operands[0], ins, ctx)
    dt = NP_TYPES[ptype]

    def redux(st: ChunkState, m: np.ndarray | None) -> None:
        act = _warp_active(st, m)
        a = _full(st, ra(st)).reshape(-1, 32)
        if op == "add":
            r = np.where(act, a, 0).astype(np.int64).sum(axis=1).astype(dt)
        elif op in ("min", "max"):
            fill = np.iinfo(dt).max if op == "min" else np.iinfo(dt).min
            vals = np.where(act, a, fill)
            r = vals.min(axis=1) if op == "min" else vals.max(axis=1)
        else:
            fill = {"and": ~dt.type(0), "or": dt.type(0), "xor": dt.type(0)}[op]
            uf = {"and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}[op]
            r = uf.reduce(np.where(act, a, fill), axis=1)
        wd(st, np.repeat(np.asarray(r, dtype=dt), 32), m)

    return redux, "warp", 0


# ---------------------------------------------------------------- ldmatrix


def build_ldmatrix(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    nmat = next((int(m[1:]) for m in ins.mods if m in ("x1", "x2", "x4")), 1)
    trans = "trans" in ins.mods
    if "m8n8" not in ins.mods or "b16" not in ins.mods:
        raise PtxError(f"unsupported ldmatrix form '{ins.opcode}' (m8n8 .b16 only)", ins.line)
    names = dest_names(ins.operands[0], ins)
    if len(names) != nmat:
        raise PtxError(f"'{ins.opcode}' writes {nmat} registers", ins.line)
    addr, _ = address(ins.operands[1], ctx, ins)
    t = np.arange(32)
    r, c = t // 4, 2 * (t % 4)

    def ldm(st: ChunkState, m: np.ndarray | None) -> None:
        act = _warp_active(st, m).any(axis=1)
        warps = np.flatnonzero(act)
        if warps.size == 0:
            return
        a = _full(st, addr(st)).astype(np.uint64).reshape(-1, 32)[warps][:, : 8 * nmat]
        idx = (warps[:, None] * 32 + np.arange(8 * nmat)[None, :]).reshape(-1)
        flat = access.shared_target(st, idx, a.reshape(-1), 16, ins)
        access.shared_read_check(st, idx, flat, 16, ins)
        access.count_shared(st, idx, a.reshape(-1) % np.uint64(1 << 32), 16, store=False)
        rows = st.shared[(flat[:, None] + np.arange(16)[None, :])].reshape(warps.size, nmat, 8, 16)
        mats = rows.view(np.uint16)  # (W, nmat, 8 rows, 8 cols)
        tidx = (warps[:, None] * 32 + t[None, :]).reshape(-1)
        for i, name in enumerate(names):
            if trans:
                lo, hi = mats[:, i, c, r], mats[:, i, c + 1, r]
            else:
                lo, hi = mats[:, i, r, c], mats[:, i, r, c + 1]
            v = lo.astype(np.uint32) | (hi.astype(np.uint32) << np.uint32(16))
            if name is not None:
                st.write_at(name, tidx, v.reshape(-1))

    return ldm, "ld_shared", 0


# ---------------------------------------------------------------- mma.sync


def _frag_layout(
    shape: str, atype: str, which: str
) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """(register, element in register, row per lane, col per lane) for A, B or C."""
    t = np.arange(32)
    g, q = t >> 2, t % 4
    out: list[tuple[int, int, np.ndarray, np.ndarray]] = []
    if which == "c":
        for i in range(4):
            out.append((i, 0, g + 8 * (i // 2), 2 * q + (i % 2)))
        return out
    half = atype in ("f16", "bf16")
    k = int(shape.split("k")[1])
    if half:
        if which == "a":
            nreg = 4 if k == 16 else 2
            for reg in range(nreg):
                for e in range(2):
                    out.append((reg, e, g + 8 * (reg % 2), 2 * q + e + 8 * (reg // 2)))
        else:
            nreg = 2 if k == 16 else 1
            for reg in range(nreg):
                for e in range(2):
                    out.append((reg, e, 2 * q + e + 8 * reg, g))
        return out
    if atype == "tf32":
        if which == "a":
            nreg = 4 if k == 8 else 2
            for reg in range(nreg):
                out.append((reg, 0, g + 8 * (reg % 2), q + 4 * (reg // 2)))
        else:
            nreg = 2 if k == 8 else 1
            for reg in range(nreg):
                out.append((reg, 0, q + 4 * reg, g))
        return out
    # s8 / u8: four bytes per register
    if which == "a":
        nreg = 4 if k == 32 else 2
        for reg in range(nreg):
            for e in range(4):
                out.append((reg, e, g + 8 * (reg % 2), 4 * q + e + 16 * (reg // 2)))
    else:
        nreg = 2 if k == 32 else 1
        for reg in range(nreg):
            for e in range(4):
                out.append((reg, e, 4 * q + e + 16 * reg, g))
    return out


def _elements(raw: np.ndarray, atype: str, e: int) -> np.ndarray:
    if atype == "f16":
        return (
            ((raw >> np.uint32(16 * e)) & np.uint32(0xFFFF))
            .astype(np.uint16)
            .view(np.float16)
            .astype(np.float64)
        )
    if atype == "bf16":
        return bf16_to_f32(
            ((raw >> np.uint32(16 * e)) & np.uint32(0xFFFF)).astype(np.uint16)
        ).astype(np.float64)
    if atype == "tf32":
        return (raw & np.uint32(0xFFFFE000)).view(np.float32).astype(np.float64)
    byte = ((raw >> np.uint32(8 * e)) & np.uint32(0xFF)).astype(np.uint8)
    return (byte.view(np.int8) if atype == "s8" else byte).astype(np.float64)


def build_mma(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    mods = ins.mods
    shape = next((m for m in mods if m.startswith("m") and "n" in m and "k" in m), "")
    types = [m for m in mods if m in ("f16", "bf16", "tf32", "f32", "s8", "u8", "s32")]
    if shape not in ("m16n8k16", "m16n8k8", "m16n8k4", "m16n8k32") or len(types) != 4:
        raise PtxError(f"unsupported mma form '{ins.opcode}'", ins.line)
    if "row" not in mods or "col" not in mods:
        raise PtxError("mma.sync supports the .row.col layout only", ins.line)
    dtype, atype, btype, ctype = types
    mdim, ndim, kdim = 16, 8, int(shape.split("k")[1])
    ops = ins.operands
    if len(ops) != 4 or not all(isinstance(o, Vec) for o in ops):
        raise PtxError("mma.sync takes four register vectors {d}, {a}, {b}, {c}", ins.line)
    la, lb, lc = (
        _frag_layout(shape, atype, "a"),
        _frag_layout(shape, btype, "b"),
        _frag_layout(shape, ctype, "c"),
    )
    a_names = dest_names(ops[1], ins)
    b_names = dest_names(ops[2], ins)
    d_names = dest_names(ops[0], ins)
    cvec = ops[3]
    assert isinstance(cvec, Vec)
    c_read = [reader(o, "f32" if ctype == "f32" else "s32", ctx, ins) for o in cvec.items]
    if len(a_names) != 1 + max(x[0] for x in la) or len(b_names) != 1 + max(x[0] for x in lb):
        raise PtxError(f"wrong number of fragment registers for '{ins.opcode}'", ins.line)
    for nm in a_names + b_names:
        if nm is None or not isinstance(Reg(nm), Reg):
            raise PtxError("mma.sync fragments must be registers", ins.line)
    t = np.arange(32)

    def mma(st: ChunkState, m: np.ndarray | None) -> None:
        act = _warp_active(st, m).any(axis=1)
        warps = np.flatnonzero(act)
        nw = warps.size
        if nw == 0:
            return
        A = np.zeros((nw, mdim, kdim))
        B = np.zeros((nw, kdim, ndim))
        C = np.zeros((nw, mdim, ndim))
        for reg, e, row, col in la:
            raw = st.regs[a_names[reg] or ""].reshape(-1, 32)[warps].astype(np.uint32)
            A[:, row, col] = _elements(raw, atype, e)
        for reg, e, row, col in lb:
            raw = st.regs[b_names[reg] or ""].reshape(-1, 32)[warps].astype(np.uint32)
            B[:, row, col] = _elements(raw, btype, e)
        for reg, _, row, col in lc:
            v = _full(st, c_read[reg](st)).reshape(-1, 32)[warps]
            C[:, row, col] = v.astype(np.float64)
        D = np.matmul(A, B) + C
        tidx = (warps[:, None] * 32 + t[None, :]).reshape(-1)
        for reg, _, row, col in lc:
            name = d_names[reg]
            if name is None:
                continue
            val = D[:, row, col].reshape(-1)
            if dtype == "f32":
                st.write_at(name, tidx, val.astype(np.float32))
            else:
                st.write_at(name, tidx, np.clip(val, -(2**31), 2**31 - 1).astype(np.int32))
        st.report.counters.tensor_flops += 2 * mdim * ndim * kdim * nw

    return mma, "tensor", 0
