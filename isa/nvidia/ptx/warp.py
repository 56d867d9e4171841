"""Warp-wide instructions: shfl.sync, vote.sync, activemask, redux.sync, ldmatrix, mma.sync.
Registers are viewed as (warps, 32 lanes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from isa.nvidia.ptx import access
from isa.nvidia.ptx.errors import PtxError
from isa.nvidia.ptx.module import Imm, Instruction, PredPair, Reg, Vec
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


def build_stmatrix(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    """The inverse of ldmatrix: lanes 8i..8i+7 name the rows of matrix i, and register i of
    lane t holds row t // 4, columns 2 (t % 4) and 2 (t % 4) + 1 (transposed with .trans)."""
    nmat = next((int(m[1:]) for m in ins.mods if m in ("x1", "x2", "x4")), 1)
    trans = "trans" in ins.mods
    if "m8n8" not in ins.mods or "b16" not in ins.mods:
        raise PtxError(f"unsupported stmatrix form '{ins.opcode}' (m8n8 .b16 only)", ins.line)
    if len(ins.operands) != 2:
        raise PtxError(f"'{ins.opcode}' takes an address and {nmat} registers", ins.line)
    addr, _ = address(ins.operands[0], ctx, ins)
    names = dest_names(ins.operands[1], ins)
    if len(names) != nmat or any(n is None for n in names):
        raise PtxError(f"'{ins.opcode}' reads {nmat} registers", ins.line)
    t = np.arange(32)
    r, c = t // 4, 2 * (t % 4)

    def stm(st: ChunkState, m: np.ndarray | None) -> None:
        act = _warp_active(st, m).any(axis=1)
        warps = np.flatnonzero(act)
        if warps.size == 0:
            return
        a = _full(st, addr(st)).astype(np.uint64).reshape(-1, 32)[warps][:, : 8 * nmat]
        idx = (warps[:, None] * 32 + np.arange(8 * nmat)[None, :]).reshape(-1)
        flat = access.shared_target(st, idx, a.reshape(-1), 16, ins)
        access.shared_write_mark(st, idx, flat, 16, ins)
        access.count_shared(st, idx, a.reshape(-1) % np.uint64(1 << 32), 16, store=True)
        mats = np.zeros((warps.size, nmat, 8, 8), dtype=np.uint16)
        for i, name in enumerate(names):
            raw = np.asarray(st.regs[str(name)])
            v = raw.view(np.uint32) if raw.dtype.itemsize == 4 else raw.astype(np.uint32)
            v = v.reshape(-1, 32)[warps]
            lo = (v & np.uint32(0xFFFF)).astype(np.uint16)
            hi = (v >> np.uint32(16)).astype(np.uint16)
            if trans:
                mats[:, i, c, r], mats[:, i, c + 1, r] = lo, hi
            else:
                mats[:, i, r, c], mats[:, i, r, c + 1] = lo, hi
        rows = mats.view(np.uint8).reshape(-1, 16)
        st.shared[flat[:, None] + np.arange(16)[None, :]] = rows

    return stm, "st_shared", 0


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


# ---------------------------------------------------------------- wgmma (sm_90)

_SWIZZLE_BYTES = {0: 0, 1: 128, 2: 64, 3: 32}


def _swizzle(addr: np.ndarray, mode: int) -> np.ndarray:
    """The XOR pattern of a swizzled shared-memory layout: 16-byte chunk bits 4.. of an
    address are XORed with its bits 7.. (3, 2 or 1 bits for 128, 64, 32-byte swizzles)."""
    bits = {1: 7, 2: 3, 3: 1}.get(mode, 0)
    return addr ^ (((addr >> 7) & bits) << 4) if bits else addr


def _desc_offsets(
    desc: int, rows: int, k: int, esize: int, mn_major: bool
) -> tuple[np.ndarray, str]:
    """Shared byte addresses of a (rows x k) operand described by a wgmma matrix descriptor;
    element (r, c) of the result is at [r, c]. Canonical layouts as in the PTX ISA."""
    start = (desc & 0x3FFF) << 4
    lbo = ((desc >> 16) & 0x3FFF) << 4
    sbo = ((desc >> 32) & 0x3FFF) << 4
    mode = (desc >> 62) & 3
    width = _SWIZZLE_BYTES[mode]
    r = np.arange(rows)[:, None]
    c = np.arange(k)[None, :]
    if not mn_major:
        if width:
            off = (
                (r // 8) * sbo + (r % 8) * width + (c * esize) % width + (c * esize // width) * lbo
            )
        else:
            off = (r // 8) * sbo + (c * esize // 16) * lbo + (r % 8) * 16 + (c * esize) % 16
    else:
        if not width:
            return np.zeros(0, dtype=np.int64), "an MN-major operand without swizzling"
        off = (c // 8) * sbo + (c % 8) * width + (r * esize) % width + (r * esize // width) * lbo
    return _swizzle(start + off, mode).astype(np.int64), ""


def build_wgmma(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    mods = ins.mods
    if mods[0] in ("fence", "commit_group", "wait_group"):
        return (lambda st, m: None), "tensor", 0
    shape = next((m for m in mods if m.startswith("m64n")), "")
    types = [m for m in mods if m in ("f16", "bf16", "tf32", "f32")]
    if mods[0] != "mma_async" or not shape or len(types) != 3:
        raise PtxError(f"unsupported instruction '{ins.opcode}'", ins.line)
    dtype, atype, _ = types
    ndim = int(shape[4 : shape.index("k")])
    kdim = int(shape.split("k")[1])
    esize = 2 if atype in ("f16", "bf16") else 4
    ops = ins.operands
    if len(ops) < 4 or not isinstance(ops[0], Vec) or dtype != "f32":
        raise PtxError(f"unsupported wgmma form '{ins.opcode}' (f32 accumulators only)", ins.line)
    d_names = dest_names(ops[0], ins)
    if len(d_names) != ndim // 2:
        raise PtxError(f"'{ins.opcode}' needs {ndim // 2} accumulator registers", ins.line)
    a_in_regs = isinstance(ops[1], Vec)
    a_names = dest_names(ops[1], ins) if a_in_regs else []
    ra = None if a_in_regs else reader(ops[1], "b64", ctx, ins)
    rb = reader(ops[2], "b64", ctx, ins)
    scale_d = reader(ops[3], "pred", ctx, ins)
    imms = [int(o.value) for o in ops[4:] if isinstance(o, Imm)]
    scales = [*imms, 1, 1]
    neg_a, neg_b = scales[0] == -1, scales[1] == -1
    trans = [*imms[2:], 0, 0] if not a_in_regs else [0, *imms[2:], 0]
    trans_a, trans_b = trans[0] == 1, trans[1] == 1
    t = np.arange(32)
    g, q = t >> 2, t % 4

    def elements(raw: np.ndarray) -> np.ndarray:
        if atype == "tf32":
            return (
                (raw.astype(np.uint32) & np.uint32(0xFFFFE000)).view(np.float32).astype(np.float64)
            )
        u = raw.view(np.uint16)
        if atype == "f16":
            return u.view(np.float16).astype(np.float64)
        return bf16_to_f32(u).astype(np.float64)

    def wgmma(st: ChunkState, m: np.ndarray | None) -> None:
        if st.tpb % 128:
            raise st.fault(
                "bad-launch",
                "wgmma needs whole warpgroups: blocks of a multiple of 128 threads",
                ins,
                0,
            )
        act = np.asarray(_warp_active(st, m).reshape(-1, 4, 32).any(axis=(1, 2)))
        groups = np.flatnonzero(act)
        if groups.size == 0:
            return
        lead = groups * 128  # first thread of each warpgroup
        blk = st.blk[lead]
        base = blk * max(st.shared_size, 1)
        B = np.zeros((groups.size, kdim, ndim))
        bdesc = _full(st, rb(st)).astype(np.uint64)[lead]
        for i, dsc in enumerate(bdesc):
            # B is K x N: "K-major" stores it as N rows of K, "MN-major" as K rows of N
            off, why = _desc_offsets(int(dsc), ndim, kdim, esize, trans_b)
            if why:
                raise st.fault("unsupported", f"wgmma with {why}", ins, int(lead[i]))
            B[i] = _load_tile(st, int(base[i]), off, esize, ins, int(lead[i])).T
        A = np.zeros((groups.size, 64, kdim))
        if ra is not None:
            adesc = _full(st, ra(st)).astype(np.uint64)[lead]
            for i, dsc in enumerate(adesc):
                off, why = _desc_offsets(int(dsc), 64, kdim, esize, trans_a)
                if why:
                    raise st.fault("unsupported", f"wgmma with {why}", ins, int(lead[i]))
                A[i] = _load_tile(st, int(base[i]), off, esize, ins, int(lead[i]))
        else:
            # A in registers: each warp holds a 16 x k slice in the mma.sync A layout
            layout = _frag_layout(f"m16n8k{kdim}", atype, "a")
            for w in range(4):
                tid = (lead[:, None] + 32 * w + t[None, :]).reshape(-1)
                for reg, e, row, col in layout:
                    raw = st.regs[a_names[reg] or ""][tid].astype(np.uint32).reshape(-1, 32)
                    A[:, 16 * w + row, col] = _elements(raw, atype, e)
        if neg_a:
            A = -A
        if neg_b:
            B = -B
        D = np.matmul(A, B)
        keep = _full(st, scale_d(st))[lead]
        for w in range(4):
            tid = (lead[:, None] + 32 * w + t[None, :]).reshape(-1)
            for j in range(ndim // 8):
                for i in range(4):
                    name = d_names[4 * j + i]
                    if name is None:
                        continue
                    row = 16 * w + g + 8 * (i // 2)
                    col = 8 * j + 2 * q + (i % 2)
                    acc = D[:, row, col]
                    old = st.regs[name][tid].view(np.float32).reshape(-1, 32).astype(np.float64)
                    acc = acc + np.where(keep[:, None], old, 0.0)
                    st.write_at(name, tid, acc.reshape(-1).astype(np.float32))
        flops = 2 * 64 * ndim * kdim * int(groups.size)
        st.report.counters.tensor_flops += flops
        st.report.counters.wgmma_flops += flops

    return wgmma, "tensor", 0


def _load_tile(
    st: ChunkState, base: int, off: np.ndarray, esize: int, ins: Instruction, thread: int
) -> np.ndarray:
    if off.size and int(off.max()) + esize > st.shared_size:
        raise st.fault(
            "oob-shared",
            f"wgmma operand reaches shared offset {int(off.max())} past the block's "
            f"{st.shared_size} bytes",
            ins,
            thread,
        )
    flat = base + off
    raw = st.shared[(flat[..., None] + np.arange(esize)).reshape(-1)]
    if not st.sh_init[(flat[..., None] + np.arange(esize)).reshape(-1)].all():
        st.finding("uninit-shared", "wgmma reads uninitialised shared memory", ins, thread)
    vals = raw.reshape(*off.shape, esize)
    if esize == 2:
        u = vals.copy().view(np.uint16)[..., 0]
        return (
            u.view(np.float16).astype(np.float64)
            if ins.mods.count("f16")
            else bf16_to_f32(u).astype(np.float64)
        )
    u32 = vals.copy().view(np.uint32)[..., 0] & np.uint32(0xFFFFE000)
    return u32.view(np.float32).astype(np.float64)
