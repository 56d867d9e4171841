"""Semantics of the arithmetic, logic, comparison, conversion and move instructions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from isa.nvidia.ptx import numerics as nx
from isa.nvidia.ptx.errors import PtxError
from isa.nvidia.ptx.module import Instruction, PredPair, Vec
from isa.nvidia.ptx.numerics import NP_TYPES, storage
from isa.nvidia.ptx.operands import Ctx, reader, writer
from isa.nvidia.ptx.state import ChunkState

Fn = Callable[[ChunkState, "np.ndarray | None"], None]
FLOAT_TYPES = ("f16", "bf16", "f32", "f64", "f16x2", "bf16x2")


def _type(ins: Instruction) -> str:
    for m in reversed(ins.mods):
        if m in NP_TYPES:
            return m
    raise PtxError(f"'{ins.opcode}' has no type suffix", ins.line)


def klass_of(ptype: str) -> str:
    if ptype in ("f32", "tf32"):
        return "fp32"
    if ptype == "f64":
        return "fp64"
    if ptype in ("f16", "bf16", "f16x2", "bf16x2"):
        return "fp16"
    return "int"


def _ops(ins: Instruction, n: int) -> None:
    if len(ins.operands) != n:
        raise PtxError(f"'{ins.opcode}' takes {n} operands, got {len(ins.operands)}", ins.line)


# ---------------------------------------------------------------- float lanes


def lanes(ptype: str, v: Any) -> list[Any]:
    if ptype in ("f32", "f64"):
        return [v]
    if ptype == "f16":
        return [np.asarray(v).astype(np.float32)]
    if ptype == "bf16":
        return [nx.bf16_to_f32(np.asarray(v))]
    raw = np.asarray(v).astype(np.uint32)
    lo = (raw & np.uint32(0xFFFF)).astype(np.uint16)
    hi = (raw >> np.uint32(16)).astype(np.uint16)
    if ptype == "f16x2":
        return [lo.view(np.float16).astype(np.float32), hi.view(np.float16).astype(np.float32)]
    return [nx.bf16_to_f32(lo), nx.bf16_to_f32(hi)]


def pack(ptype: str, parts: list[Any], mode: str = "rn") -> Any:
    if ptype == "f32":
        p = np.asarray(parts[0])
        return p if p.dtype == np.float32 else nx.f64_to_f32(p, mode)
    if ptype == "f64":
        return np.asarray(parts[0], dtype=np.float64)
    if ptype == "f16":
        return nx.f_to_f16(parts[0], mode).view(np.float16)
    if ptype == "bf16":
        return nx.f32_to_bf16(np.asarray(parts[0], dtype=np.float32), mode)
    if ptype == "f16x2":
        lo, hi = (nx.f_to_f16(p, mode).astype(np.uint32) for p in parts)
    else:
        lo, hi = (
            nx.f32_to_bf16(np.asarray(p, dtype=np.float32), mode).astype(np.uint32) for p in parts
        )
    return lo | (hi << np.uint32(16))


def _mode(ins: Instruction, default: str = "rn") -> str:
    for m in ins.mods:
        if m in nx.ROUNDING:
            return m
    return default


def _float_fn(
    ins: Instruction, ptype: str, nin: int, f: Callable[..., Any], ctx: Ctx, exact: bool = True
) -> Fn:
    """d = f(a, b, ...) lane-wise in f32 (f64 for f64), rounded to `ptype` by the mode."""
    _ops(ins, nin + 1)
    rd = [reader(o, ptype, ctx, ins) for o in ins.operands[1:]]
    wr = writer(ins.operands[0], ins, ctx)
    mode = _mode(ins)
    ftz = "ftz" in ins.mods and ptype == "f32"
    sat = "sat" in ins.mods
    directed = mode != "rn" and ptype == "f32" and exact

    def fn(st: ChunkState, mask: np.ndarray | None) -> None:
        args = [lanes(ptype, r(st)) for r in rd]
        outs = []
        for k in range(len(args[0])):
            xs = [a[k] for a in args]
            if ftz:
                xs = [nx.flush_subnormal(np.asarray(x)) for x in xs]
            if directed:
                x64 = [np.asarray(x, dtype=np.float64) for x in xs]
                if ins.base in ("add", "sub"):  # the f64 sum may round: round it to odd
                    s, err = nx.exact_sum_f64(x64[0], x64[1] if ins.base == "add" else -x64[1])
                    y = nx.round_odd_f64(np.asarray(s), np.asarray(err))
                else:
                    y = f(*x64)
                y = nx.f64_to_f32(y, mode)
            else:
                y = f(*xs)
            if ftz:
                y = nx.flush_subnormal(np.asarray(y, dtype=np.float32))
            if sat:
                y = np.where(np.isnan(y), 0, np.clip(y, 0, 1)).astype(np.asarray(y).dtype)
            outs.append(y)
        wr(st, pack(ptype, outs, mode), mask)

    return fn


# ---------------------------------------------------------------- integer helpers


def _mul_hi_64(a: np.ndarray, b: np.ndarray, signed: bool) -> np.ndarray:
    ua = np.asarray(a).astype(np.uint64)
    ub = np.asarray(b).astype(np.uint64)
    m32 = np.uint64(0xFFFFFFFF)
    s32 = np.uint64(32)
    a_lo, a_hi = ua & m32, ua >> s32
    b_lo, b_hi = ub & m32, ub >> s32
    ll = a_lo * b_lo
    lh = a_lo * b_hi
    hl = a_hi * b_lo
    hh = a_hi * b_hi
    mid = (ll >> s32) + (lh & m32) + (hl & m32)
    hi = hh + (lh >> s32) + (hl >> s32) + (mid >> s32)
    if signed:
        hi = hi - np.where(np.asarray(a).astype(np.int64) < 0, ub, np.uint64(0))
        hi = hi - np.where(np.asarray(b).astype(np.int64) < 0, ua, np.uint64(0))
        return hi.view(np.int64)
    return hi


def _int_mul(ins: Instruction, ptype: str) -> Callable[[Any, Any], Any]:
    dt = NP_TYPES[ptype]
    signed = ptype.startswith("s")
    if "wide" in ins.mods:
        wide = np.dtype(f"{'i' if signed else 'u'}{2 * dt.itemsize}")
        return lambda a, b: np.asarray(a).astype(wide) * np.asarray(b).astype(wide)
    if "hi" in ins.mods:
        if dt.itemsize < 8:
            wide = np.dtype(f"{'i' if signed else 'u'}{2 * dt.itemsize}")
            sh = 8 * dt.itemsize
            return lambda a, b: (
                (np.asarray(a).astype(wide) * np.asarray(b).astype(wide)) >> sh
            ).astype(dt)
        return lambda a, b: _mul_hi_64(a, b, signed).astype(dt)
    return lambda a, b: (np.asarray(a) * np.asarray(b)).astype(dt)


def _div_int(a: Any, b: Any, dt: np.dtype) -> Any:
    a = np.asarray(a)
    b = np.asarray(b)
    safe = np.where(b == 0, 1, b).astype(dt)
    if dt.kind == "u":
        q = a // safe
        return np.where(b == 0, dt.type(np.iinfo(dt).max), q).astype(dt)
    q = np.abs(a.astype(np.int64)) // np.abs(safe.astype(np.int64))
    q = np.where((a < 0) != (safe < 0), -q, q)
    return np.where(b == 0, -1, q).astype(dt)


def _rem_int(a: Any, b: Any, dt: np.dtype) -> Any:
    q = _div_int(a, b, dt)
    r = (np.asarray(a) - q * np.asarray(b)).astype(dt)
    return np.where(np.asarray(b) == 0, np.asarray(a), r).astype(dt)


def _shift(kind: str, a: Any, b: Any, dt: np.dtype) -> Any:
    bits = 8 * dt.itemsize
    b = np.asarray(b).astype(np.uint64)
    big = b >= bits
    bs = np.minimum(b, bits - 1).astype(dt if dt.kind == "u" else storage_u(dt))
    a = np.asarray(a)
    if kind == "shl":
        r = (a.view(storage_u(dt)) if a.ndim else a.astype(dt).view(storage_u(dt))) << bs.astype(
            storage_u(dt)
        )
        r = np.where(big, 0, r).astype(storage_u(dt))
        return r.view(dt) if r.ndim else r.astype(dt)
    if dt.kind == "i":
        return (a >> bs.astype(dt)).astype(dt)  # arithmetic; shifts >= width give the sign
    r = a >> bs.astype(dt)
    return np.where(big, 0, r).astype(dt)


def storage_u(dt: np.dtype) -> np.dtype:
    return np.dtype(f"u{dt.itemsize}")


def _popc(x: Any, bits: int) -> Any:
    x = np.asarray(x).astype(np.uint64)
    c = np.zeros(x.shape, dtype=np.uint32)
    for _ in range(bits):
        c += (x & np.uint64(1)).astype(np.uint32)
        x = x >> np.uint64(1)
    return c


def _clz(x: Any, bits: int) -> Any:
    x = np.asarray(x).astype(np.uint64)
    n = np.full(x.shape, bits, dtype=np.uint32)
    for k in range(bits):
        hit = ((x >> np.uint64(k)) & np.uint64(1)) != 0
        n = np.where(hit, np.uint32(bits - 1 - k), n)
    return n


def _brev(x: Any, bits: int) -> Any:
    x = np.asarray(x).astype(np.uint64)
    r = np.zeros(x.shape, dtype=np.uint64)
    for k in range(bits):
        r |= ((x >> np.uint64(k)) & np.uint64(1)) << np.uint64(bits - 1 - k)
    return r


# ---------------------------------------------------------------- builders


def build_binary(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    base = ins.base
    ptype = _type(ins)
    dt = NP_TYPES[ptype]
    if ptype == "pred":
        _ops(ins, 3 if base != "not" else 2)
        ra = reader(ins.operands[1], "pred", ctx, ins)
        wr = writer(ins.operands[0], ins, ctx)
        if base == "not":
            return (lambda st, m: wr(st, ~np.asarray(ra(st)), m)), "int", 0
        rb = reader(ins.operands[2], "pred", ctx, ins)
        f = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}[base]
        return (lambda st, m: wr(st, f(ra(st), rb(st)), m)), "int", 0
    if ptype in FLOAT_TYPES:
        nl = 2 if ptype.endswith("x2") else 1
        if base == "add":
            return _float_fn(ins, ptype, 2, lambda a, b: a + b, ctx), klass_of(ptype), nl
        if base == "sub":
            return _float_fn(ins, ptype, 2, lambda a, b: a - b, ctx), klass_of(ptype), nl
        if base == "mul":
            return _float_fn(ins, ptype, 2, lambda a, b: a * b, ctx), klass_of(ptype), nl
        if base == "div":
            approx = "approx" in ins.mods or "full" in ins.mods
            fdiv = _float_fn(ins, ptype, 2, lambda a, b: a / b, ctx, exact=not approx)
            return fdiv, "sfu" if approx else klass_of(ptype), nl
        if base in ("min", "max"):
            nan = "NaN" in ins.mods
            fmin = (
                (np.minimum if nan else np.fmin)
                if base == "min"
                else (np.maximum if nan else np.fmax)
            )
            return _float_fn(ins, ptype, 2, fmin, ctx), klass_of(ptype), 0
        if base == "copysign":
            return _float_fn(ins, ptype, 2, lambda a, b: np.copysign(b, a), ctx), klass_of(ptype), 0
        raise PtxError(f"unknown instruction '{ins.opcode}'", ins.line)
    _ops(ins, 3)
    ra = reader(ins.operands[1], ptype, ctx, ins)
    if base in ("shl", "shr"):
        rb = reader(ins.operands[2], "u32", ctx, ins)
    else:
        rb = reader(ins.operands[2], ptype, ctx, ins)
    wr = writer(ins.operands[0], ins, ctx)
    g: Callable[[Any, Any], Any]
    if base == "add":
        sat = "sat" in ins.mods

        def g(a: Any, b: Any) -> Any:
            if sat:
                s = np.asarray(a).astype(np.int64) + np.asarray(b).astype(np.int64)
                return np.clip(s, -(2**31), 2**31 - 1).astype(dt)
            return (np.asarray(a) + np.asarray(b)).astype(dt)

    elif base == "sub":
        g = lambda a, b: (np.asarray(a) - np.asarray(b)).astype(dt)  # noqa: E731
    elif base == "mul":
        g = _int_mul(ins, ptype)
    elif base == "div":
        g = lambda a, b: _div_int(a, b, dt)  # noqa: E731
    elif base == "rem":
        g = lambda a, b: _rem_int(a, b, dt)  # noqa: E731
    elif base == "min":
        g = np.minimum
    elif base == "max":
        g = np.maximum
    elif base in ("and", "or", "xor"):
        f2 = {"and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}[base]
        g = lambda a, b: f2(a, b)  # noqa: E731
    elif base in ("shl", "shr"):
        g = lambda a, b: _shift(base, a, b, dt)  # noqa: E731
    elif base == "mul24":
        g = lambda a, b: _int_mul(ins, ptype)(  # noqa: E731
            (np.asarray(a).astype(np.int64) << 40) >> 40,
            (np.asarray(b).astype(np.int64) << 40) >> 40,
        )
    else:
        raise PtxError(f"unknown instruction '{ins.opcode}'", ins.line)
    return (lambda st, m: wr(st, g(ra(st), rb(st)), m)), "int", 0


def build_mad(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    ptype = _type(ins)
    if ptype in FLOAT_TYPES:
        nl = 2 if ptype.endswith("x2") else 1
        if ptype == "f32":
            _ops(ins, 4)
            ra, rb, rc = (reader(o, ptype, ctx, ins) for o in ins.operands[1:])
            wr = writer(ins.operands[0], ins, ctx)
            mode = _mode(ins)
            ftz = "ftz" in ins.mods
            sat = "sat" in ins.mods

            def fma32(st: ChunkState, m: np.ndarray | None) -> None:
                a, b, c = ra(st), rb(st), rc(st)
                if ftz:
                    a, b, c = (nx.flush_subnormal(np.asarray(x)) for x in (a, b, c))
                y = nx.fma_f32(a, b, c, mode)
                if ftz:
                    y = nx.flush_subnormal(y)
                if sat:
                    y = np.where(np.isnan(y), 0, np.clip(y, 0, 1)).astype(np.float32)
                wr(st, y, m)

            return fma32, "fp32", 2
        if ptype == "f64":
            return _float_fn(ins, ptype, 3, _fma64, ctx, exact=False), "fp64", 2
        return _float_fn(ins, ptype, 3, _fma_small, ctx, exact=False), "fp16", 2 * nl
    _ops(ins, 4)
    dt = NP_TYPES[ptype]
    ra_, rb_ = (reader(o, ptype, ctx, ins) for o in ins.operands[1:3])
    mul = _int_mul(ins, ptype)
    ctype = ptype
    if "wide" in ins.mods:
        ctype = ("s" if ptype.startswith("s") else "u") + str(16 * dt.itemsize)
    rc_ = reader(ins.operands[3], ctype, ctx, ins)
    wr = writer(ins.operands[0], ins, ctx)
    cdt = NP_TYPES[ctype]
    return (lambda st, m: wr(st, (mul(ra_(st), rb_(st)) + rc_(st)).astype(cdt), m)), "int", 0


def _fma64(a: Any, b: Any, c: Any) -> Any:
    # f64 fma through longdouble when it is wider; otherwise one extra rounding
    la, lb, lc = (np.asarray(x, dtype=np.longdouble) for x in (a, b, c))
    return (la * lb + lc).astype(np.float64)


def _fma_small(a: Any, b: Any, c: Any) -> Any:
    s, err = nx.exact_sum_f64(
        np.asarray(a, np.float64) * np.asarray(b, np.float64), np.asarray(c, np.float64)
    )
    # rounded to odd in f64: the final rounding to f16 is then correct
    return nx.round_odd_f64(np.asarray(s), np.asarray(err))


def build_unary(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    base = ins.base
    ptype = _type(ins)
    _ops(ins, 2)
    if ptype in FLOAT_TYPES:
        approx = "approx" in ins.mods
        fns: dict[str, Callable[[Any], Any]] = {
            "neg": lambda a: -a,
            "abs": np.abs,
            "sqrt": np.sqrt,
            "rsqrt": lambda a: 1 / np.sqrt(a),
            "rcp": lambda a: 1 / a,
            "ex2": np.exp2,
            "lg2": np.log2,
            "sin": np.sin,
            "cos": np.cos,
            "tanh": np.tanh,
        }
        if base not in fns:
            raise PtxError(f"unknown instruction '{ins.opcode}'", ins.line)
        f = fns[base]
        if approx and ptype == "f32":
            # evaluated accurately in f64 and rounded once; hardware is within a few ulp
            inner = f
            f = lambda a: inner(np.asarray(a, dtype=np.float64)).astype(np.float32)  # noqa: E731
        sfu = base in ("rsqrt", "ex2", "lg2", "sin", "cos", "tanh") or (
            approx and base in ("rcp", "sqrt")
        )
        klass = "sfu" if sfu else klass_of(ptype)
        return (
            _float_fn(ins, ptype, 1, f, ctx, exact=not approx),
            klass,
            0 if base in ("neg", "abs") else 1,
        )
    dt = NP_TYPES[ptype]
    bits = 8 * dt.itemsize
    ra = reader(ins.operands[1], ptype, ctx, ins)
    wr = writer(ins.operands[0], ins, ctx)
    g: Callable[[Any], Any]
    if base == "neg":
        g = lambda a: (-np.asarray(a)).astype(dt)  # noqa: E731
    elif base == "abs":
        g = lambda a: np.abs(np.asarray(a)).astype(dt)  # noqa: E731
    elif base == "not":
        g = np.invert
    elif base == "cnot":
        g = lambda a: (np.asarray(a) == 0).astype(dt)  # noqa: E731
    elif base == "popc":
        g = lambda a: _popc(a, bits)  # noqa: E731
    elif base == "clz":
        g = lambda a: _clz(a, bits)  # noqa: E731
    elif base == "brev":
        g = lambda a: _brev(a, bits).astype(dt)  # noqa: E731
    else:
        raise PtxError(f"unknown instruction '{ins.opcode}'", ins.line)
    return (lambda st, m: wr(st, g(ra(st)), m)), "int", 0


_CMP_INT = {
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal, "lo": np.less, "ls": np.less_equal,
    "hi": np.greater, "hs": np.greater_equal,
}  # fmt: skip


def _compare(cmp: str, a: Any, b: Any, is_float: bool) -> Any:
    if not is_float:
        return _CMP_INT[cmp](a, b)
    if cmp == "num":
        return ~np.isnan(a) & ~np.isnan(b)
    if cmp == "nan":
        return np.isnan(a) | np.isnan(b)
    unordered = (cmp.endswith("u") and cmp not in ("equ",)) or cmp == "equ"
    base = cmp[:-1] if unordered else cmp
    r = _CMP_INT[base](a, b)
    if unordered:
        return r | np.isnan(a) | np.isnan(b)
    if base == "ne":
        return r & ~np.isnan(a) & ~np.isnan(b)
    return r


def build_setp(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    ptype = _type(ins)
    cmp = ins.mods[0]
    combine = next((m for m in ins.mods[1:] if m in ("and", "or", "xor")), None)
    nops = 4 if combine else 3
    _ops(ins, nops)
    is_float = ptype in FLOAT_TYPES
    cmp_type = "f32" if ptype in ("f16", "bf16") else ptype
    ra = reader(ins.operands[1], ptype, ctx, ins)
    rb = reader(ins.operands[2], ptype, ctx, ins)
    rc = reader(ins.operands[3], "pred", ctx, ins) if combine else None
    dst = ins.operands[0]
    p, q = (dst.first, dst.second) if isinstance(dst, PredPair) else (dst, None)
    wp = writer(p, ins, ctx) if p is not None else None
    wq = writer(q, ins, ctx) if q is not None else None
    comb = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}.get(combine or "")

    def fn(st: ChunkState, m: np.ndarray | None) -> None:
        a, b = ra(st), rb(st)
        if cmp_type != ptype:
            a, b = lanes(ptype, a)[0], lanes(ptype, b)[0]
        r = _compare(cmp, a, b, is_float)
        nr = ~np.asarray(r)
        if comb is not None and rc is not None:
            c = rc(st)
            r, nr = comb(r, c), comb(nr, c)
        if wp is not None:
            wp(st, r, m)
        if wq is not None:
            wq(st, nr, m)

    return fn, klass_of(ptype) if is_float else "int", 0


def build_selp(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    ptype = _type(ins)
    _ops(ins, 4)
    ra, rb = (reader(o, ptype, ctx, ins) for o in ins.operands[1:3])
    rc = reader(ins.operands[3], "pred", ctx, ins)
    wr = writer(ins.operands[0], ins, ctx)
    return (lambda st, m: wr(st, np.where(rc(st), ra(st), rb(st)), m)), "int", 0


def build_slct(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    dtype, ctype = ins.mods[-2], ins.mods[-1]
    _ops(ins, 4)
    ra, rb = (reader(o, dtype, ctx, ins) for o in ins.operands[1:3])
    rc = reader(ins.operands[3], ctype, ctx, ins)
    wr = writer(ins.operands[0], ins, ctx)
    return (lambda st, m: wr(st, np.where(rc(st) >= 0, ra(st), rb(st)), m)), "int", 0


def build_mov(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    ptype = _type(ins)
    _ops(ins, 2)
    dst, src = ins.operands
    if isinstance(src, Vec):  # pack: lowest element first
        names = [it for it in src.items]
        width = NP_TYPES[ptype].itemsize * 8 // len(names)
        part = {8: "b8", 16: "b16", 32: "b32"}[width]
        rds = [reader(o, part, ctx, ins) for o in names]
        wr = writer(dst, ins, ctx)
        udt = storage(ptype)

        def packv(st: ChunkState, m: np.ndarray | None) -> None:
            acc: Any = np.asarray(0, dtype=udt)
            for k, r in enumerate(rds):
                acc = acc | (np.asarray(r(st)).astype(udt) << udt.type(k * width))
            wr(st, acc, m)

        return packv, "move", 0
    if isinstance(dst, Vec):  # unpack
        width = NP_TYPES[ptype].itemsize * 8 // len(dst.items)
        pdt = np.dtype(f"u{width // 8}")
        ra = reader(src, ptype, ctx, ins)
        wrs = [writer(o, ins, ctx) for o in dst.items]
        udt = storage(ptype)

        def unpackv(st: ChunkState, m: np.ndarray | None) -> None:
            v = (
                np.asarray(ra(st)).view(udt)
                if np.asarray(ra(st)).dtype != udt
                else np.asarray(ra(st))
            )
            for k, w in enumerate(wrs):
                w(st, ((v >> udt.type(k * width)) & udt.type((1 << width) - 1)).astype(pdt), m)

        return unpackv, "move", 0
    ra = reader(src, ptype, ctx, ins)
    wr = writer(dst, ins, ctx)
    return (lambda st, m: wr(st, ra(st), m)), "move", 0


def build_cvta(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    from isa.nvidia.ptx.state import LOCAL_WINDOW, SHARED_WINDOW

    ptype = _type(ins)
    _ops(ins, 2)
    ra = reader(ins.operands[1], ptype, ctx, ins)
    wr = writer(ins.operands[0], ins, ctx)
    to = "to" in ins.mods
    space = next(
        (m for m in ins.mods if m in ("global", "shared", "local", "const", "param")), "global"
    )
    base = {"shared": SHARED_WINDOW, "local": LOCAL_WINDOW}.get(space, 0)
    dt = NP_TYPES[ptype]

    def fn(st: ChunkState, m: np.ndarray | None) -> None:
        a = np.asarray(ra(st)).astype(np.uint64)
        r = a - np.uint64(base) if to else a + np.uint64(base)
        wr(st, r.astype(dt), m)

    return fn, "int", 0


def build_cvt(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    types = [m for m in ins.mods if m in NP_TYPES]
    if len(types) != 2:
        raise PtxError(f"'{ins.opcode}' needs a destination and a source type", ins.line)
    dtype, atype = types
    mode = next((m for m in ins.mods if m in nx.ROUNDING + nx.INT_ROUNDING), "")
    sat = "sat" in ins.mods
    ftz = "ftz" in ins.mods
    wr = writer(ins.operands[0], ins, ctx)
    if dtype in ("f16x2", "bf16x2"):  # cvt.rn.f16x2.f32 d, hi, lo
        _ops(ins, 3)
        rh, rl = (reader(o, atype, ctx, ins) for o in ins.operands[1:])
        return (lambda st, m: wr(st, pack(dtype, [rl(st), rh(st)], mode or "rn"), m)), "convert", 0
    _ops(ins, 2)
    ra = reader(ins.operands[1], atype, ctx, ins)
    ddt = NP_TYPES[dtype]
    src_float = atype in FLOAT_TYPES or atype == "tf32"
    dst_float = dtype in FLOAT_TYPES or dtype == "tf32"

    def f2f(a: Any) -> Any:
        x = lanes(atype, a)[0] if atype != "tf32" else np.asarray(a).view(np.float32)
        if ftz and atype == "f32":
            x = nx.flush_subnormal(np.asarray(x))
        if mode in nx.INT_ROUNDING:
            x = nx.round_int(np.asarray(x), mode)
        if sat:
            x = np.where(np.isnan(x), 0, np.clip(x, 0, 1))
        if dtype == "tf32":
            return nx.to_tf32(np.asarray(x, dtype=np.float32), mode or "rna")
        if dtype == "f32":
            y = nx.f64_to_f32(
                np.asarray(x, dtype=np.float64), mode if mode in nx.ROUNDING else "rn"
            )
            return nx.flush_subnormal(y) if ftz else y
        return pack(dtype, [x], mode if mode in nx.ROUNDING else "rn")

    def f2i(a: Any) -> Any:
        x = lanes(atype, a)[0]
        return nx.float_to_int(np.asarray(x), mode or "rzi", ddt)

    def i2f(a: Any) -> Any:
        return nx.int_to_float(np.asarray(a), mode or "rn", dtype)

    def i2i(a: Any) -> Any:
        a = np.asarray(a)
        if sat:
            info = np.iinfo(ddt)
            wide = a.astype(np.float64) if a.dtype.itemsize == 8 else a.astype(np.int64)
            return np.clip(wide, info.min, info.max).astype(ddt)
        return a.astype(ddt)

    conv = (f2f if dst_float else f2i) if src_float else (i2f if dst_float else i2i)
    return (lambda st, m: wr(st, conv(ra(st)), m)), "convert", 0


def build_bits(ins: Instruction, ctx: Ctx) -> tuple[Fn, str, int]:
    """bfe, bfi, prmt, lop3, shf, sad, testp, copysign handled elsewhere."""
    base = ins.base
    ptype = _type(ins)
    dt = NP_TYPES[ptype]
    bits = 8 * dt.itemsize
    wr = writer(ins.operands[0], ins, ctx)
    if base == "bfe":
        _ops(ins, 4)
        ra = reader(ins.operands[1], ptype, ctx, ins)
        rb, rc = (reader(o, "u32", ctx, ins) for o in ins.operands[2:])
        signed = ptype.startswith("s")

        def bfe(st: ChunkState, m: np.ndarray | None) -> None:
            a = np.asarray(ra(st)).astype(np.uint64)
            pos = np.asarray(rb(st)).astype(np.uint64) & np.uint64(0xFF)
            ln = np.asarray(rc(st)).astype(np.uint64) & np.uint64(0xFF)
            pos = np.minimum(pos, np.uint64(bits))
            ln = np.minimum(ln, np.uint64(bits))
            sh = np.minimum(pos, np.uint64(63))
            field = (a >> sh) & ((np.uint64(1) << np.minimum(ln, np.uint64(63))) - np.uint64(1))
            field = np.where(ln >= 64, a >> sh, field)
            if signed:
                top = np.minimum(pos + ln, np.uint64(bits)) - np.uint64(1)
                sbit = (a >> np.minimum(top, np.uint64(63))) & np.uint64(1)
                sbit = np.where(ln == 0, np.uint64(0), sbit)
                ext = np.where(
                    (sbit == 1) & (ln < bits),
                    ~((np.uint64(1) << np.minimum(ln, np.uint64(63))) - np.uint64(1)),
                    np.uint64(0),
                )
                field = field | ext
            wr(st, field.astype(storage(ptype)).view(dt) if field.ndim else field.astype(dt), m)

        return bfe, "int", 0
    if base == "bfi":
        _ops(ins, 5)
        ra, rb = (reader(o, ptype, ctx, ins) for o in ins.operands[1:3])
        rc, rd = (reader(o, "u32", ctx, ins) for o in ins.operands[3:])

        def bfi(st: ChunkState, m: np.ndarray | None) -> None:
            a = np.asarray(ra(st)).astype(np.uint64)
            b = np.asarray(rb(st)).astype(np.uint64)
            pos = np.asarray(rc(st)).astype(np.uint64) & np.uint64(0xFF)
            ln = np.asarray(rd(st)).astype(np.uint64) & np.uint64(0xFF)
            ln = np.minimum(ln, np.uint64(bits) - np.minimum(pos, np.uint64(bits)))
            mask = ((np.uint64(1) << np.minimum(ln, np.uint64(63))) - np.uint64(1)) << np.minimum(
                pos, np.uint64(63)
            )
            r = (b & ~mask) | ((a << np.minimum(pos, np.uint64(63))) & mask)
            r = np.where(pos >= bits, b, r)
            wr(st, r.astype(storage(ptype)), m)

        return bfi, "int", 0
    if base == "prmt":
        _ops(ins, 4)
        ra, rb, rc = (reader(o, "b32", ctx, ins) for o in ins.operands[1:])

        def prmt(st: ChunkState, m: np.ndarray | None) -> None:
            a = np.asarray(ra(st)).astype(np.uint64)
            b = np.asarray(rb(st)).astype(np.uint64)
            c = np.asarray(rc(st)).astype(np.uint64)
            src = a | (b << np.uint64(32))
            out = np.zeros(np.broadcast(a, b, c).shape, dtype=np.uint64)
            for k in range(4):
                sel = (c >> np.uint64(4 * k)) & np.uint64(0xF)
                byte = (src >> ((sel & np.uint64(7)) * np.uint64(8))) & np.uint64(0xFF)
                sign = np.where((byte & np.uint64(0x80)) != 0, np.uint64(0xFF), np.uint64(0))
                byte = np.where((sel & np.uint64(8)) != 0, sign, byte)
                out = out | (byte << np.uint64(8 * k))
            wr(st, out.astype(np.uint32), m)

        return prmt, "int", 0
    if base == "lop3":
        _ops(ins, 5)
        ra, rb, rc = (reader(o, ptype, ctx, ins) for o in ins.operands[1:4])
        lut_op = ins.operands[4]
        from isa.nvidia.ptx.module import Imm

        if not isinstance(lut_op, Imm):
            raise PtxError("lop3 needs an immediate lookup table", ins.line)
        lut = int(lut_op.value) & 0xFF

        def lop3(st: ChunkState, m: np.ndarray | None) -> None:
            a, b, c = (np.asarray(r(st)).astype(np.uint64) for r in (ra, rb, rc))
            out = np.zeros(np.broadcast(a, b, c).shape, dtype=np.uint64)
            for i in range(8):
                if lut >> i & 1:
                    ta = a if i & 4 else ~a
                    tb = b if i & 2 else ~b
                    tc = c if i & 1 else ~c
                    out = out | (ta & tb & tc)
            wr(st, out.astype(storage(ptype)), m)

        return lop3, "int", 0
    if base == "shf":
        _ops(ins, 4)
        ra, rb = (reader(o, "b32", ctx, ins) for o in ins.operands[1:3])
        rc = reader(ins.operands[3], "u32", ctx, ins)
        left = "l" in ins.mods
        wrap = "wrap" in ins.mods

        def shf(st: ChunkState, m: np.ndarray | None) -> None:
            a = np.asarray(ra(st)).astype(np.uint64)
            b = np.asarray(rb(st)).astype(np.uint64)
            c = np.asarray(rc(st)).astype(np.uint64)
            n = c & np.uint64(31) if wrap else np.minimum(c, np.uint64(32))
            v = a | (b << np.uint64(32))
            r = (v << n) >> np.uint64(32) if left else (v >> n)
            wr(st, (r & np.uint64(0xFFFFFFFF)).astype(np.uint32), m)

        return shf, "int", 0
    if base == "sad":
        _ops(ins, 4)
        ra, rb, rc = (reader(o, ptype, ctx, ins) for o in ins.operands[1:])

        def sad(st: ChunkState, m: np.ndarray | None) -> None:
            a, b, c = (np.asarray(r(st)).astype(np.int64) for r in (ra, rb, rc))
            wr(st, (np.abs(a - b) + c).astype(dt), m)

        return sad, "int", 0
    if base == "testp":
        _ops(ins, 2)
        ra = reader(ins.operands[1], ptype, ctx, ins)
        what = ins.mods[0]
        tests: dict[str, Callable[[Any], Any]] = {
            "finite": np.isfinite,
            "infinite": np.isinf,
            "number": lambda x: ~np.isnan(x),
            "notanumber": np.isnan,
            "normal": lambda x: np.isfinite(x) & (np.abs(x) >= np.finfo(x.dtype).tiny),
            "subnormal": lambda x: (x != 0) & (np.abs(x) < np.finfo(x.dtype).tiny),
        }
        t = tests[what]
        return (lambda st, m: wr(st, t(np.asarray(ra(st))), m)), "int", 0
    raise PtxError(f"unknown instruction '{ins.opcode}'", ins.line)
