"""Floating-point helpers: PTX types as NumPy dtypes, f16 / bf16 / tf32 conversions with
PTX rounding modes, correctly rounded f32 fma, and round-to-integer modes."""

from __future__ import annotations

import numpy as np

NP_TYPES: dict[str, np.dtype] = {
    "b8": np.dtype(np.uint8),
    "u8": np.dtype(np.uint8),
    "s8": np.dtype(np.int8),
    "b16": np.dtype(np.uint16),
    "u16": np.dtype(np.uint16),
    "s16": np.dtype(np.int16),
    "f16": np.dtype(np.float16),
    "bf16": np.dtype(np.uint16),  # raw bits; arithmetic goes through f32
    "b32": np.dtype(np.uint32),
    "u32": np.dtype(np.uint32),
    "s32": np.dtype(np.int32),
    "f32": np.dtype(np.float32),
    "f16x2": np.dtype(np.uint32),
    "bf16x2": np.dtype(np.uint32),
    "tf32": np.dtype(np.uint32),
    "b64": np.dtype(np.uint64),
    "u64": np.dtype(np.uint64),
    "s64": np.dtype(np.int64),
    "f64": np.dtype(np.float64),
    "pred": np.dtype(np.bool_),
}
STORAGE: dict[int, np.dtype] = {n: np.dtype(f"u{n}") for n in (1, 2, 4, 8)}

ROUNDING = ("rn", "rz", "rm", "rp", "rna")
INT_ROUNDING = ("rni", "rzi", "rmi", "rpi")


def storage(ptype: str) -> np.dtype:
    """The dtype a register of this PTX type is stored in (raw bits; bool for .pred)."""
    if ptype == "pred":
        return np.dtype(np.bool_)
    return STORAGE[NP_TYPES[ptype].itemsize]


def is_float(ptype: str) -> bool:
    return ptype in ("f16", "bf16", "f32", "f64", "f16x2", "bf16x2", "tf32")


def is_signed(ptype: str) -> bool:
    return ptype.startswith("s")


def bf16_to_f32(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << np.uint32(16)).view(np.float32)


def f32_to_bf16(x: np.ndarray, mode: str = "rn") -> np.ndarray:
    b = np.asarray(x, dtype=np.float32).view(np.uint32)
    nan = np.isnan(np.asarray(x, dtype=np.float32))
    if mode == "rz":
        out = b >> np.uint32(16)
    elif mode in ("rm", "rp"):
        neg = (b >> np.uint32(31)).astype(bool)
        low = (b & np.uint32(0xFFFF)) != 0
        away = low & (neg if mode == "rm" else ~neg)
        out = (b >> np.uint32(16)) + away.astype(np.uint32)
    elif mode == "rna":
        out = (b + np.uint32(0x8000)) >> np.uint32(16)
    else:
        lsb = (b >> np.uint32(16)) & np.uint32(1)
        out = (b + np.uint32(0x7FFF) + lsb) >> np.uint32(16)
    out = np.where(nan, np.uint32(0x7FFF), out)
    return out.astype(np.uint16)


def f_to_f16(x: np.ndarray, mode: str = "rn") -> np.ndarray:
    """f32 / f64 -> f16 bits with a PTX rounding mode (NumPy's cast is round-to-nearest)."""
    x64 = np.asarray(x, dtype=np.float64)
    h = x64.astype(np.float16)
    if mode in ("rz", "rm", "rp"):
        back = h.astype(np.float64)
        fin = np.isfinite(x64)
        if mode == "rz":
            fix = fin & (np.abs(back) > np.abs(x64))
            h = np.where(fix, np.nextafter(h, np.float16(0)), h)
        elif mode == "rm":
            fix = fin & (back > x64)
            h = np.where(fix, np.nextafter(h, np.float16(-np.inf)), h)
        else:
            fix = fin & (back < x64)
            h = np.where(fix, np.nextafter(h, np.float16(np.inf)), h)
    return np.asarray(h, dtype=np.float16).view(np.uint16)


def f64_to_f32(x: np.ndarray, mode: str = "rn") -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    f = x.astype(np.float32)
    if mode in ("rz", "rm", "rp"):
        back = f.astype(np.float64)
        fin = np.isfinite(x)
        if mode == "rz":
            fix = fin & (np.abs(back) > np.abs(x))
            f = np.where(fix, np.nextafter(f, np.float32(0)), f)
        elif mode == "rm":
            f = np.where(fin & (back > x), np.nextafter(f, np.float32(-np.inf)), f)
        else:
            f = np.where(fin & (back < x), np.nextafter(f, np.float32(np.inf)), f)
    return np.asarray(f, dtype=np.float32)


def round_odd_f64(s: np.ndarray, err: np.ndarray) -> np.ndarray:
    """Given s = RN(exact) and err = exact - s, the exact value rounded to odd in f64, so a
    second rounding to a narrower format is correctly rounded."""
    bits = s.view(np.uint64)
    fix = (err != 0) & ((bits & np.uint64(1)) == 0) & np.isfinite(s)
    if not fix.any():
        return s
    toward = np.where(err > 0, np.inf, -np.inf)
    return np.where(fix, np.nextafter(s, toward), s)


def exact_sum_f64(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TwoSum: s = RN(a + b) and the rounding error, both f64."""
    with np.errstate(invalid="ignore", over="ignore"):
        s = a + b
        bb = s - a
        err = (a - (s - bb)) + (b - bb)
    err = np.where(np.isfinite(err), err, 0.0)
    return s, err


def fma_f32(a: np.ndarray, b: np.ndarray, c: np.ndarray, mode: str = "rn") -> np.ndarray:
    """Correctly rounded f32 fused multiply-add (the product is exact in f64; the sum is
    rounded to odd in f64, then once to f32)."""
    with np.errstate(invalid="ignore", over="ignore"):
        p = np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)
        s, err = exact_sum_f64(p, np.asarray(c, dtype=np.float64))
    s = round_odd_f64(np.asarray(s), np.asarray(err))
    if mode == "rn":
        return s.astype(np.float32)
    return f64_to_f32(s, mode)


def round_int(x: np.ndarray, mode: str) -> np.ndarray:
    if mode == "rzi":
        return np.trunc(x)
    if mode == "rmi":
        return np.floor(x)
    if mode == "rpi":
        return np.ceil(x)
    return np.rint(x)


def float_to_int(x: np.ndarray, mode: str, dtype: np.dtype) -> np.ndarray:
    """PTX float -> integer conversion: round by `mode`, saturate, NaN -> 0."""
    info = np.iinfo(dtype)
    with np.errstate(invalid="ignore"):
        r = round_int(np.asarray(x, dtype=np.float64), mode)
        r = np.where(np.isnan(r), 0.0, r)
        r = np.clip(r, float(info.min), float(info.max))
    if dtype.itemsize == 8:
        # float(max int64) rounds up to 2**63; clip keeps it representable via the edges
        out = np.where(r >= 2.0**63, info.max, r.astype(np.int64) if info.min < 0 else 0)
        if info.min == 0:
            big = r >= 2.0**63
            low = np.where(big, 0.0, r).astype(np.uint64)
            return np.where(r >= 2.0**64, np.uint64(info.max), low).astype(dtype)
        return np.asarray(out).astype(dtype)
    return r.astype(dtype)


def int_to_float(x: np.ndarray, mode: str, ftype: str) -> np.ndarray:
    x64 = np.asarray(x).astype(np.float64)
    if ftype == "f64":
        return x64
    if ftype == "f32":
        return f64_to_f32(x64, mode)
    if ftype == "f16":
        return f_to_f16(x64, mode).view(np.float16)
    return f32_to_bf16(f64_to_f32(x64, "rz" if mode == "rz" else "rn"), mode)


def to_tf32(x: np.ndarray, mode: str = "rna") -> np.ndarray:
    """f32 -> tf32 (kept as f32 bits with the low 13 mantissa bits zero)."""
    b = np.asarray(x, dtype=np.float32).view(np.uint32)
    if mode == "rz":
        out = b & np.uint32(0xFFFFE000)
    else:
        add = np.uint32(0x1000) if mode == "rna" else np.uint32(0xFFF) + ((b >> 13) & 1)
        out = (b + add) & np.uint32(0xFFFFE000)
    nan = np.isnan(np.asarray(x, dtype=np.float32))
    return np.where(nan, b, out).astype(np.uint32)


def flush_subnormal(x: np.ndarray) -> np.ndarray:
    """.ftz: f32 subnormals become zero of the same sign."""
    tiny = np.abs(x) < np.float32(1.1754944e-38)
    if not np.any(tiny & (x != 0)):
        return x
    return np.where(tiny, np.copysign(np.float32(0), x), x).astype(x.dtype)
