"""Bit-level numerics for the AMDGCN emulator: f32 fused multiply-add with one rounding,
f16 / bf16 conversions, and register views. All functions work on NumPy arrays."""

from __future__ import annotations

import numpy as np

U32 = np.uint32
F32 = np.float32


def f32(bits: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(bits, dtype=U32).view(F32)


def bits32(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=F32).view(U32)


def fma32(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c in float32 rounded once: the product is exact in float64, the sum is
    computed with its exact error, and a float64 sum that sits on a float32 midpoint is
    nudged towards the error before the final rounding (so there is no double rounding)."""
    with np.errstate(all="ignore"):
        p = a.astype(np.float64) * b.astype(np.float64)
        cc = c.astype(np.float64)
        s = p + cc
        bp = s - cc
        err = (p - bp) + (cc - (s - bp))
        sb = s.view(np.uint64)
        midpoint = (sb & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
        fix = midpoint & (err != 0) & np.isfinite(s)
        if fix.any():
            s = np.where(fix, np.nextafter(s, s + np.sign(err) * np.inf), s)
        return s.astype(F32)


def f16_from_f32(values: np.ndarray) -> np.ndarray:
    """float32 -> f16 bits (round to nearest even), as uint32."""
    with np.errstate(all="ignore"):
        return values.astype(np.float16).view(np.uint16).astype(U32)


def f32_from_f16(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(U32) & U32(0xFFFF)).astype(np.uint16).view(np.float16).astype(F32)


def bf16_from_f32(values: np.ndarray) -> np.ndarray:
    """float32 -> bf16 bits, round to nearest even, NaN kept quiet."""
    u = bits32(values).astype(np.uint64)
    r = (u + np.uint64(0x7FFF) + ((u >> np.uint64(16)) & np.uint64(1))) >> np.uint64(16)
    nan = (u & np.uint64(0x7FFFFFFF)) > np.uint64(0x7F800000)
    r = np.where(nan, (u >> np.uint64(16)) | np.uint64(0x40), r)
    return (r & np.uint64(0xFFFF)).astype(U32)


def f32_from_bf16(bits: np.ndarray) -> np.ndarray:
    return f32((bits.astype(U32) & U32(0xFFFF)) << U32(16))


def exponent32(values: np.ndarray) -> np.ndarray:
    return ((bits32(values) >> U32(23)) & U32(0xFF)).astype(np.int32)
