"""VALU semantics (VOP1 / VOP2 / VOP3 / VOP3P / VOPC, DPP and SDWA operand forms) from AMD's
CDNA3 ISA reference, vectorised over the lanes of every wave at one program counter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from isa.amd.asm import Imm, Instr, Reg
from isa.amd.numerics import (
    F32,
    U32,
    bits32,
    exponent32,
    f16_from_f32,
    f32,
    f32_from_f16,
    fma32,
)
from isa.amd.state import (
    LANES,
    Fault,
    Waves,
    read_scalar,
    read_u32,
    read_u64,
    write_scalar,
    write_v,
    write_v64,
)

U64 = np.uint64
I32 = np.int32
Fn = Callable[..., Any]
WIDE = {"f64", "u64", "i64", "b64"}


def _sh(x: np.ndarray, mask: int) -> np.ndarray:
    return (x & U32(mask)).astype(U32)


def _mul_hi_u(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return ((a.astype(U64) * b.astype(U64)) >> U64(32)).astype(U32)


def _mul_hi_i(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    p = a.view(I32).astype(np.int64) * b.view(I32).astype(np.int64)
    return (p >> 32).astype(np.int64).astype(U32)


def _s24(x: np.ndarray) -> np.ndarray:
    v = (x & U32(0xFFFFFF)).astype(np.int64)
    return np.where(v >= 1 << 23, v - (1 << 24), v)


def _bfe_u(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    off, width = b & U32(31), c & U32(31)
    mask = ((U64(1) << width.astype(U64)) - U64(1)).astype(U32)
    return ((a >> off) & mask).astype(U32)


def _bfe_i(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    off, width = (b & U32(31)).astype(np.int64), (c & U32(31)).astype(np.int64)
    v = (a.astype(np.int64) >> off) & ((1 << width) - 1)
    sign = np.where(width > 0, (v >> np.maximum(width - 1, 0)) & 1, 0)
    v = np.where(sign == 1, v - (1 << width), v)
    return v.astype(np.int64).astype(U32)


def _popc(x: np.ndarray) -> np.ndarray:
    x = x.astype(U64)
    count = np.zeros(x.shape, U32)
    for i in range(64):
        count += ((x >> U64(i)) & U64(1)).astype(U32)
    return count


def _perm(a: np.ndarray, b: np.ndarray, sel: np.ndarray) -> np.ndarray:
    data = (a.astype(U64) << U64(32)) | b.astype(U64)
    out = np.zeros(a.shape, U32)
    for i in range(4):
        s = (sel >> U32(8 * i)) & U32(0xFF)
        byte = ((data >> (U64(8) * (s & U32(7)).astype(U64))) & U64(0xFF)).astype(U32)
        byte = np.where(s == 12, U32(0), byte)
        byte = np.where(s >= 13, U32(0xFF), byte)
        for k, src_bit in ((8, 15), (9, 31), (10, 47), (11, 63)):
            sign = ((data >> U64(src_bit)) & U64(1)).astype(U32) * U32(0xFF)
            byte = np.where(s == k, sign, byte)
        out |= byte << U32(8 * i)
    return out


def _fract(x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        r = x - np.floor(x)
        return np.minimum(r, np.float32(np.nextafter(np.float32(1), np.float32(0)))).astype(F32)


def _cvt_i32(x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        v = np.nan_to_num(x.astype(np.float64), nan=0.0)
        return np.trunc(np.clip(v, -(2.0**31), 2.0**31 - 1)).astype(np.int64).astype(U32)


def _cvt_u32(x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        v = np.nan_to_num(x.astype(np.float64), nan=0.0)
        return np.trunc(np.clip(v, 0, 2.0**32 - 1)).astype(np.uint64).astype(U32)


def _r32(fn: Callable[[np.ndarray], np.ndarray]) -> Fn:
    """A float32 unary op computed in float64 and rounded once."""

    def run(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return fn(x.astype(np.float64)).astype(F32)

    return run


def _ldexp(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.ldexp(x.astype(np.float64), np.clip(e.view(I32), -400, 400)).astype(F32)


def _class(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    b = bits32(x)
    neg = (b >> U32(31)) == 1
    exp = (b >> U32(23)) & U32(0xFF)
    man = b & U32(0x7FFFFF)
    nan = (exp == 255) & (man != 0)
    quiet = nan & ((man >> U32(22)) == 1)
    inf = (exp == 255) & (man == 0)
    zero = (exp == 0) & (man == 0)
    den = (exp == 0) & (man != 0)
    norm = (exp > 0) & (exp < 255)
    classes = [
        nan & ~quiet,
        quiet,
        inf & neg,
        norm & neg,
        den & neg,
        zero & neg,
        zero & ~neg,
        den & ~neg,
        norm & ~neg,
        inf & ~neg,
    ]
    out = np.zeros(x.shape, bool)
    for i, c in enumerate(classes):
        out |= c & (((mask >> U32(i)) & U32(1)) == 1)
    return out


def _med3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.maximum(np.minimum(a, b), np.minimum(np.maximum(a, b), c))


def _fmed3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.fmax(np.fmin(a, b), np.fmin(np.fmax(a, b), c)).astype(F32)


def _sqrt(x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.sqrt(x.astype(np.float64)).astype(F32)


# name -> (source types, result type, function). Functions get typed arrays.
OPS: dict[str, tuple[tuple[str, ...], str, Fn]] = {
    "v_mov_b32": (("b32",), "b32", lambda a: a),
    "v_mov_b64": (("b64",), "b64", lambda a: a),
    "v_not_b32": (("b32",), "b32", lambda a: ~a),
    "v_bfrev_b32": (
        ("b32",),
        "b32",
        lambda a: _bfrev(a),
    ),
    "v_add_f32": (("f32", "f32"), "f32", lambda a, b: a + b),
    "v_sub_f32": (("f32", "f32"), "f32", lambda a, b: a - b),
    "v_subrev_f32": (("f32", "f32"), "f32", lambda a, b: b - a),
    "v_mul_f32": (("f32", "f32"), "f32", lambda a, b: a * b),
    "v_mul_legacy_f32": (
        ("f32", "f32"),
        "f32",
        lambda a, b: np.where((a == 0) | (b == 0), F32(0), a * b),
    ),
    "v_max_f32": (("f32", "f32"), "f32", np.fmax),
    "v_min_f32": (("f32", "f32"), "f32", np.fmin),
    "v_max3_f32": (("f32", "f32", "f32"), "f32", lambda a, b, c: np.fmax(np.fmax(a, b), c)),
    "v_min3_f32": (("f32", "f32", "f32"), "f32", lambda a, b, c: np.fmin(np.fmin(a, b), c)),
    "v_med3_f32": (("f32", "f32", "f32"), "f32", _fmed3),
    "v_fma_f32": (("f32", "f32", "f32"), "f32", fma32),
    "v_fmac_f32": (("f32", "f32", "f32@dst"), "f32", fma32),
    "v_mac_f32": (("f32", "f32", "f32@dst"), "f32", lambda a, b, c: ((a * b) + c).astype(F32)),
    "v_mad_f32": (("f32", "f32", "f32"), "f32", lambda a, b, c: ((a * b) + c).astype(F32)),
    "v_fmamk_f32": (("f32", "f32", "f32"), "f32", lambda a, k, b: fma32(a, k, b)),
    "v_fmaak_f32": (("f32", "f32", "f32"), "f32", fma32),
    "v_ldexp_f32": (("f32", "i32"), "f32", _ldexp),
    "v_exp_f32": (("f32",), "f32", _r32(np.exp2)),
    "v_log_f32": (("f32",), "f32", _r32(np.log2)),
    "v_rcp_f32": (("f32",), "f32", _r32(lambda x: 1.0 / x)),
    "v_rcp_iflag_f32": (("f32",), "f32", _r32(lambda x: 1.0 / x)),
    "v_rsq_f32": (("f32",), "f32", _r32(lambda x: 1.0 / np.sqrt(x))),
    "v_sqrt_f32": (("f32",), "f32", _sqrt),
    "v_sin_f32": (("f32",), "f32", _r32(lambda x: np.sin(2 * np.pi * x))),
    "v_cos_f32": (("f32",), "f32", _r32(lambda x: np.cos(2 * np.pi * x))),
    "v_rndne_f32": (("f32",), "f32", np.rint),
    "v_floor_f32": (("f32",), "f32", np.floor),
    "v_ceil_f32": (("f32",), "f32", np.ceil),
    "v_trunc_f32": (("f32",), "f32", np.trunc),
    "v_fract_f32": (("f32",), "f32", _fract),
    "v_frexp_mant_f32": (
        ("f32",),
        "f32",
        lambda a: np.asarray(np.where(np.isfinite(a), np.frexp(a)[0], a)).astype(F32),
    ),
    "v_frexp_exp_i32_f32": (("f32",), "i32", lambda a: np.where(np.isfinite(a), np.frexp(a)[1], 0)),
    "v_cvt_f32_i32": (("i32",), "f32", lambda a: a.astype(F32)),
    "v_cvt_f32_u32": (("u32",), "f32", lambda a: a.astype(np.float64).astype(F32)),
    "v_cvt_i32_f32": (("f32",), "b32", _cvt_i32),
    "v_cvt_u32_f32": (("f32",), "b32", _cvt_u32),
    "v_cvt_rpi_i32_f32": (("f32",), "b32", lambda a: _cvt_i32(np.floor(a + F32(0.5)))),
    "v_cvt_flr_i32_f32": (("f32",), "b32", lambda a: _cvt_i32(np.floor(a))),
    "v_cvt_f32_ubyte0": (("u32",), "f32", lambda a: (a & U32(0xFF)).astype(F32)),
    "v_cvt_f32_ubyte1": (("u32",), "f32", lambda a: ((a >> U32(8)) & U32(0xFF)).astype(F32)),
    "v_cvt_f32_ubyte2": (("u32",), "f32", lambda a: ((a >> U32(16)) & U32(0xFF)).astype(F32)),
    "v_cvt_f32_ubyte3": (("u32",), "f32", lambda a: (a >> U32(24)).astype(F32)),
    "v_cvt_f16_f32": (("f32",), "h16", lambda a: f16_from_f32(a)),
    "v_cvt_f32_f16": (("f16",), "f32", lambda a: a.astype(F32)),
    "v_cvt_f64_f32": (("f32",), "f64", lambda a: a.astype(np.float64)),
    "v_cvt_f32_f64": (("f64",), "f32", lambda a: a.astype(F32)),
    "v_cvt_f64_i32": (("i32",), "f64", lambda a: a.astype(np.float64)),
    "v_cvt_pkrtz_f16_f32": (("f32", "f32"), "b32", lambda a, b: _pkrtz(a) | (_pkrtz(b) << U32(16))),
    "v_add_f64": (("f64", "f64"), "f64", lambda a, b: a + b),
    "v_mul_f64": (("f64", "f64"), "f64", lambda a, b: a * b),
    "v_fma_f64": (("f64", "f64", "f64"), "f64", lambda a, b, c: a * b + c),
    "v_max_f64": (("f64", "f64"), "f64", np.fmax),
    "v_min_f64": (("f64", "f64"), "f64", np.fmin),
    "v_add_f16": (("f16", "f16"), "f16", lambda a, b: a + b),
    "v_sub_f16": (("f16", "f16"), "f16", lambda a, b: a - b),
    "v_mul_f16": (("f16", "f16"), "f16", lambda a, b: a * b),
    "v_max_f16": (("f16", "f16"), "f16", np.fmax),
    "v_min_f16": (("f16", "f16"), "f16", np.fmin),
    "v_fma_f16": (("f16", "f16", "f16"), "f16", lambda a, b, c: a * b + c),
    "v_fmac_f16": (("f16", "f16", "f16@dst"), "f16", lambda a, b, c: a * b + c),
    "v_add_u32": (("u32", "u32"), "b32", lambda a, b: a + b),
    "v_sub_u32": (("u32", "u32"), "b32", lambda a, b: a - b),
    "v_subrev_u32": (("u32", "u32"), "b32", lambda a, b: b - a),
    "v_add_u16": (("u32", "u32"), "b16", lambda a, b: (a + b) & U32(0xFFFF)),
    "v_sub_u16": (("u32", "u32"), "b16", lambda a, b: (a - b) & U32(0xFFFF)),
    "v_subrev_u16": (("u32", "u32"), "b16", lambda a, b: (b - a) & U32(0xFFFF)),
    "v_mul_lo_u16": (("u32", "u32"), "b16", lambda a, b: (a * b) & U32(0xFFFF)),
    "v_lshlrev_b16": (("u32", "u32"), "b16", lambda a, b: (b << (a & U32(15))) & U32(0xFFFF)),
    "v_lshrrev_b16": (("u32", "u32"), "b16", lambda a, b: (b & U32(0xFFFF)) >> (a & U32(15))),
    "v_ashrrev_i16": (
        ("u32", "u32"),
        "b16",
        lambda a, b: (
            (((b & U32(0xFFFF)).astype(np.int32) ^ 0x8000) - 0x8000)
            >> (a & U32(15)).astype(np.int32)
        ),
    ),
    "v_max_u16": (("u32", "u32"), "b16", lambda a, b: np.maximum(a & U32(0xFFFF), b & U32(0xFFFF))),
    "v_min_u16": (("u32", "u32"), "b16", lambda a, b: np.minimum(a & U32(0xFFFF), b & U32(0xFFFF))),
    "v_mul_lo_u32": (
        ("u32", "u32"),
        "b32",
        lambda a, b: (a.astype(U64) * b.astype(U64)).astype(U32),
    ),
    "v_mul_lo_i32": (
        ("u32", "u32"),
        "b32",
        lambda a, b: (a.astype(U64) * b.astype(U64)).astype(U32),
    ),
    "v_mul_hi_u32": (("u32", "u32"), "b32", _mul_hi_u),
    "v_mul_hi_i32": (("u32", "u32"), "b32", _mul_hi_i),
    "v_mul_u32_u24": (
        ("u32", "u32"),
        "b32",
        lambda a, b: ((a & U32(0xFFFFFF)).astype(U64) * (b & U32(0xFFFFFF)).astype(U64)).astype(
            U32
        ),
    ),
    "v_mul_hi_u32_u24": (
        ("u32", "u32"),
        "b32",
        lambda a, b: (
            ((a & U32(0xFFFFFF)).astype(U64) * (b & U32(0xFFFFFF)).astype(U64)) >> U64(32)
        ).astype(U32),
    ),
    "v_mul_i32_i24": (
        ("u32", "u32"),
        "b32",
        lambda a, b: (_s24(a) * _s24(b)).astype(np.int64).astype(U32),
    ),
    "v_mad_u32_u24": (
        ("u32", "u32", "u32"),
        "b32",
        lambda a, b, c: (
            (a & U32(0xFFFFFF)).astype(U64) * (b & U32(0xFFFFFF)).astype(U64) + c
        ).astype(U32),
    ),
    "v_mad_i32_i24": (
        ("u32", "u32", "u32"),
        "b32",
        lambda a, b, c: (_s24(a) * _s24(b) + c.view(I32)).astype(np.int64).astype(U32),
    ),
    "v_and_b32": (("b32", "b32"), "b32", lambda a, b: a & b),
    "v_or_b32": (("b32", "b32"), "b32", lambda a, b: a | b),
    "v_xor_b32": (("b32", "b32"), "b32", lambda a, b: a ^ b),
    "v_or3_b32": (("b32", "b32", "b32"), "b32", lambda a, b, c: a | b | c),
    "v_and_or_b32": (("b32", "b32", "b32"), "b32", lambda a, b, c: (a & b) | c),
    "v_lshl_or_b32": (("b32", "b32", "b32"), "b32", lambda a, b, c: (a << (b & U32(31))) | c),
    "v_lshl_add_u32": (("b32", "b32", "b32"), "b32", lambda a, b, c: (a << (b & U32(31))) + c),
    "v_add_lshl_u32": (("b32", "b32", "b32"), "b32", lambda a, b, c: (a + b) << (c & U32(31))),
    "v_add3_u32": (("b32", "b32", "b32"), "b32", lambda a, b, c: a + b + c),
    "v_xad_u32": (("b32", "b32", "b32"), "b32", lambda a, b, c: (a ^ b) + c),
    "v_lshlrev_b32": (("b32", "b32"), "b32", lambda a, b: b << (a & U32(31))),
    "v_lshrrev_b32": (("b32", "b32"), "b32", lambda a, b: b >> (a & U32(31))),
    "v_ashrrev_i32": (("b32", "i32"), "i32", lambda a, b: b >> (a & U32(31)).astype(I32)),
    "v_lshlrev_b64": (("b32", "b64"), "b64", lambda a, b: b << (a & U32(63)).astype(U64)),
    "v_lshrrev_b64": (("b32", "b64"), "b64", lambda a, b: b >> (a & U32(63)).astype(U64)),
    "v_ashrrev_i64": (("b32", "i64"), "i64", lambda a, b: b >> (a & U32(63)).astype(np.int64)),
    "v_lshl_add_u64": (
        ("b64", "b32", "b64"),
        "b64",
        lambda a, b, c: (a << (b & U32(7)).astype(U64)) + c,
    ),
    "v_bfe_u32": (("b32", "b32", "b32"), "b32", _bfe_u),
    "v_bfe_i32": (("b32", "b32", "b32"), "b32", _bfe_i),
    "v_bfi_b32": (("b32", "b32", "b32"), "b32", lambda a, b, c: (a & b) | (~a & c)),
    "v_alignbit_b32": (
        ("b32", "b32", "b32"),
        "b32",
        lambda a, b, c: (
            ((a.astype(U64) << U64(32)) | b.astype(U64)) >> (c & U32(31)).astype(U64)
        ).astype(U32),
    ),
    "v_alignbyte_b32": (
        ("b32", "b32", "b32"),
        "b32",
        lambda a, b, c: (
            ((a.astype(U64) << U64(32)) | b.astype(U64)) >> (U64(8) * (c & U32(3)).astype(U64))
        ).astype(U32),
    ),
    "v_perm_b32": (("b32", "b32", "b32"), "b32", _perm),
    "v_bcnt_u32_b32": (("b32", "b32"), "b32", lambda a, b: _popc(a) + b),
    "v_ffbh_u32": (("b32",), "b32", lambda a: _ffbh(a)),
    "v_ffbl_b32": (("b32",), "b32", lambda a: _ffbl(a)),
    "v_max_i32": (("i32", "i32"), "i32", np.maximum),
    "v_min_i32": (("i32", "i32"), "i32", np.minimum),
    "v_max_u32": (("u32", "u32"), "b32", np.maximum),
    "v_min_u32": (("u32", "u32"), "b32", np.minimum),
    "v_max3_i32": (("i32", "i32", "i32"), "i32", lambda a, b, c: np.maximum(np.maximum(a, b), c)),
    "v_min3_i32": (("i32", "i32", "i32"), "i32", lambda a, b, c: np.minimum(np.minimum(a, b), c)),
    "v_max3_u32": (("u32", "u32", "u32"), "b32", lambda a, b, c: np.maximum(np.maximum(a, b), c)),
    "v_min3_u32": (("u32", "u32", "u32"), "b32", lambda a, b, c: np.minimum(np.minimum(a, b), c)),
    "v_med3_i32": (("i32", "i32", "i32"), "i32", _med3),
    "v_med3_u32": (("u32", "u32", "u32"), "b32", _med3),
    "v_pack_b32_f16": (
        ("b32", "b32"),
        "b32",
        lambda a, b: (a & U32(0xFFFF)) | ((b & U32(0xFFFF)) << U32(16)),
    ),
}


def _bfrev(a: np.ndarray) -> np.ndarray:
    out = np.zeros(a.shape, U32)
    for i in range(32):
        out |= ((a >> U32(i)) & U32(1)) << U32(31 - i)
    return out


def _ffbh(a: np.ndarray) -> np.ndarray:
    out = np.full(a.shape, 0xFFFFFFFF, U32)
    for i in range(32):
        out = np.where((out == U32(0xFFFFFFFF)) & (((a >> U32(31 - i)) & U32(1)) == 1), U32(i), out)
    return out


def _ffbl(a: np.ndarray) -> np.ndarray:
    out = np.full(a.shape, 0xFFFFFFFF, U32)
    for i in range(32):
        out = np.where((out == U32(0xFFFFFFFF)) & (((a >> U32(i)) & U32(1)) == 1), U32(i), out)
    return out


def _pkrtz(a: np.ndarray) -> np.ndarray:
    h = f16_from_f32(a)
    back = f32_from_f16(h)
    with np.errstate(all="ignore"):
        too_big = np.isfinite(a) & (np.abs(back) > np.abs(a))
    h = np.where(too_big, h - U32(1), h)
    return h.astype(U32) & U32(0xFFFF)


CMP = {
    "f": lambda a, b: np.zeros(a.shape, bool),
    "lt": lambda a, b: a < b,
    "eq": lambda a, b: a == b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "lg": lambda a, b: (a < b) | (a > b),
    "ne": lambda a, b: a != b,
    "ge": lambda a, b: a >= b,
    "o": lambda a, b: ~np.isnan(a) & ~np.isnan(b),
    "u": lambda a, b: np.isnan(a) | np.isnan(b),
    "nge": lambda a, b: ~(a >= b),
    "nlg": lambda a, b: ~((a < b) | (a > b)),
    "ngt": lambda a, b: ~(a > b),
    "nle": lambda a, b: ~(a <= b),
    "neq": lambda a, b: ~(a == b),
    "nlt": lambda a, b: ~(a < b),
    "tru": lambda a, b: np.ones(a.shape, bool),
    "t": lambda a, b: np.ones(a.shape, bool),
}


# ---- operand reading with types, modifiers, DPP and SDWA ----

SEL = {
    "BYTE_0": (0, 8),
    "BYTE_1": (8, 8),
    "BYTE_2": (16, 8),
    "BYTE_3": (24, 8),
    "WORD_0": (0, 16),
    "WORD_1": (16, 16),
    "DWORD": (0, 32),
}


def _typed(raw: np.ndarray, typ: str, neg: bool, absv: bool) -> np.ndarray:
    t = typ.split("@")[0]
    if t == "f32":
        v = f32(raw)
    elif t == "f16":
        v = f32_from_f16(raw).astype(np.float64)
    elif t == "f64":
        v = raw.view(np.float64) if raw.dtype == U64 else raw.astype(U64).view(np.float64)
    elif t == "i32":
        return raw.view(I32)
    elif t == "i64":
        return raw.astype(U64).view(np.int64)
    else:
        return raw
    if absv:
        v = np.abs(v)
    if neg:
        v = -v
    return v


def read_src(w: Waves, ws: np.ndarray, instr: Instr, index: int, typ: str) -> np.ndarray:
    ops = instr.operands
    if index >= len(ops):
        raise Fault(f"{instr.raw_op} needs more operands", instr)
    op = ops[index]
    t = typ.split("@")[0]
    if t in WIDE:
        raw = read_u64(w, ws, op, instr, t)
    else:
        raw = read_u32(w, ws, op, instr, t)
        if index == 1 and "dpp" in instr.mods:
            raw = _dpp(raw, instr)
        if "sdwa" in instr.mods:
            sel = instr.mods.get(f"src{index - 1}_sel", "DWORD")
            shift, width = SEL.get(sel, (0, 32))
            raw = (raw >> U32(shift)) & U32((1 << width) - 1) if width < 32 else raw
        opsel = _bits(instr.mods.get("op_sel"))
        if t == "f16" and opsel and len(opsel) > index - 1 and opsel[index - 1]:
            raw = raw >> U32(16)
    neg = isinstance(op, Reg | Imm) and op.neg
    absv = isinstance(op, Reg | Imm) and op.abs
    negs = _bits(instr.mods.get("neg_lo"))
    if negs and len(negs) > index - 1 and negs[index - 1]:
        neg = not neg
    abss = _bits(instr.mods.get("abs"))
    if abss and len(abss) > index - 1 and abss[index - 1]:
        absv = True
    return _typed(raw, typ, neg, absv)


def _bits(text: str | None) -> list[int]:
    if not text:
        return []
    return [int(x) for x in text.strip("[]").split(",") if x.strip()]


def _dpp_source(instr: Instr) -> tuple[np.ndarray, np.ndarray]:
    """Per lane: the lane DPP reads, and whether that lane exists."""
    lanes = np.arange(LANES)
    mods = instr.mods
    src = lanes.copy()
    valid = np.ones(LANES, bool)
    if "quad_perm" in mods:
        perm = _bits(mods["quad_perm"])
        src = (lanes & ~3) + np.array(perm)[lanes & 3]
    else:
        for key, sign in (("row_shl", 1), ("row_shr", -1)):
            if key in mods:
                n = int(mods[key])
                src = lanes + sign * n
                valid = (src >> 4) == (lanes >> 4)
        if "row_ror" in mods:
            n = int(mods["row_ror"])
            src = (lanes & ~15) + ((lanes + n) & 15)
        if "row_mirror" in mods:
            src = (lanes & ~15) + (15 - (lanes & 15))
        if "row_half_mirror" in mods:
            src = (lanes & ~7) + (7 - (lanes & 7))
        if "row_bcast" in mods:
            n = int(mods["row_bcast"])
            if n == 15:
                src = np.where((lanes & 15) == 0, lanes - 1, lanes)
                src = np.where(lanes >= 16, (lanes & ~15) - 1, lanes)
                valid = lanes >= 16
            else:
                src = np.where(lanes >= 32, 31, lanes)
                valid = lanes >= 32
        for key, shift in (("wave_shl", 1), ("wave_shr", -1)):
            if key in mods:
                src = lanes + shift
                valid = (src >= 0) & (src < LANES)
        if "wave_rol" in mods:
            src = (lanes + 1) % LANES
        if "wave_ror" in mods:
            src = (lanes - 1) % LANES
    return np.clip(src, 0, LANES - 1), valid


def _bound_ctrl(instr: Instr) -> bool:
    return "bound_ctrl" in instr.mods or "bound_ctrl:0" in instr.mods


def _dpp(raw: np.ndarray, instr: Instr) -> np.ndarray:
    """src0 as DPP moves it; a lane reading from outside its row reads 0 with bound_ctrl
    (without it the lane is not written at all: see execute_valu)."""
    src, valid = _dpp_source(instr)
    return np.where(valid[None, :], raw[:, src], U32(0))


def _dpp_lane_mask(instr: Instr) -> np.ndarray:
    lanes = np.arange(LANES)
    row = int(instr.mods.get("row_mask", "0xf"), 0)
    bank = int(instr.mods.get("bank_mask", "0xf"), 0)
    return (((row >> (lanes >> 4)) & 1) == 1) & (((bank >> ((lanes >> 2) & 3)) & 1) == 1)


def _write_result(
    w: Waves, ws: np.ndarray, instr: Instr, typ: str, value: np.ndarray, mask: np.ndarray
) -> None:
    dst = instr.operands[0]
    if "clamp" in instr.mods and typ in ("f32", "f16"):
        value = np.clip(value, 0.0, 1.0)
    for key, factor in (("mul", None), ("div", None)):
        if key in instr.mods:
            scale = float(instr.mods[key])
            value = value * scale if key == "mul" else value / scale
            del factor
    if typ in WIDE:
        if typ == "f64":
            bits = np.asarray(value, np.float64).view(U64)
        else:
            bits = (
                np.asarray(value).astype(np.int64).view(U64)
                if np.asarray(value).dtype.kind == "i"
                else np.asarray(value).astype(U64)
            )
        write_v64(w, ws, dst, bits, mask)
        return
    if typ == "f32":
        bits = bits32(np.asarray(value, F32))
    elif typ == "f16":
        bits = (
            f16_from_f32(np.asarray(value).astype(F32))
            if np.asarray(value).dtype != np.float16
            else np.asarray(value).view(np.uint16).astype(U32)
        )
        with np.errstate(all="ignore"):
            bits = np.asarray(value, np.float64).astype(np.float16).view(np.uint16).astype(U32)
    elif typ == "h16":
        bits = np.asarray(value).astype(U32)
    elif typ == "b16":
        bits = np.asarray(value).astype(U32) & U32(0xFFFF)
    else:
        arr = np.asarray(value)
        bits = arr.astype(np.int64).astype(U32) if arr.dtype.kind in "ib" else arr.astype(U32)
    if typ in ("f16", "h16", "b16"):
        opsel = _bits(instr.mods.get("op_sel"))
        if opsel and len(opsel) >= 4 and opsel[3]:
            old = w.v[ws, dst.index] if isinstance(dst, Reg) and dst.kind == "v" else 0
            bits = (old & U32(0xFFFF)) | (bits << U32(16))
    if "sdwa" in instr.mods:
        shift, width = SEL.get(instr.mods.get("dst_sel", "DWORD"), (0, 32))
        if width < 32:
            field = U32(((1 << width) - 1) << shift)
            bits = (bits << U32(shift)) & field
            if instr.mods.get("dst_unused", "UNUSED_PRESERVE") == "UNUSED_PRESERVE" and isinstance(
                dst, Reg
            ):
                old = w.v[ws, dst.index]
                bits = bits | (old & ~field)
    write_v(w, ws, dst, bits, mask)


def execute_valu(w: Waves, ws: np.ndarray, instr: Instr) -> str:
    """Run one VALU instruction; returns its counter class."""
    op = instr.op
    mask = w.exec_mask(ws)
    if "dpp" in instr.mods:
        mask = mask & _dpp_lane_mask(instr)[None, :]
        if not _bound_ctrl(instr):
            mask = mask & _dpp_source(instr)[1][None, :]
    entry = OPS.get(op)
    if entry is not None:
        types, out, fn = entry
        srcs = []
        for i, t in enumerate(types):
            if t.endswith("@dst"):
                srcs.append(read_src(w, ws, instr, 0, t))
            else:
                srcs.append(read_src(w, ws, instr, i + 1, t))
        with np.errstate(all="ignore"):
            value = fn(*srcs)
        _write_result(w, ws, instr, out, value, mask)
        return "valu_f64" if "f64" in op else "valu"
    if op.startswith("v_cmp_") or op.startswith("v_cmpx_"):
        _cmp(w, ws, instr, mask)
        return "valu"
    if op.startswith("v_pk_"):
        _packed(w, ws, instr, mask)
        return "valu"
    handler = SPECIAL_OPS.get(op)
    if handler is None:
        raise Fault(f"the emulator does not implement the instruction '{instr.raw_op}'", instr)
    handler(w, ws, instr, mask)
    return "valu"


def _cmp(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    parts = instr.op.split("_")  # v, cmp|cmpx, cond, type
    cond, typ = parts[2], parts[3]
    if cond == "class":
        a = read_src(w, ws, instr, 1, "f32" if typ == "f32" else "f16")
        m = read_src(w, ws, instr, 2, "u32")
        if typ != "f32":
            a = a.astype(F32)
        result = _class(a, m)
    else:
        fn = CMP.get(cond)
        if fn is None:
            raise Fault(f"the emulator does not implement the comparison '{instr.raw_op}'", instr)
        a = read_src(w, ws, instr, 1, typ)
        b = read_src(w, ws, instr, 2, typ)
        with np.errstate(all="ignore"):
            result = fn(a, b)
    bits = Waves.mask_bits(result & mask)
    dst = instr.operands[0]
    if isinstance(dst, Reg) and dst.kind == "s":
        write_scalar(w, ws, dst, bits, wide=True)
    if parts[1] == "cmpx":
        w.set_s64(ws, 126, bits)


def _cndmask(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    a = read_src(w, ws, instr, 1, "b32")
    b = read_src(w, ws, instr, 2, "b32")
    sel_op = instr.operands[3] if len(instr.operands) > 3 else Reg("s", 106, 2)
    sel = Waves.lane_mask(read_scalar(w, ws, sel_op, instr, wide=True))
    # VOP3 abs / neg on the sources apply to the float view
    if isinstance(instr.operands[1], Reg | Imm) and (
        instr.operands[1].neg or instr.operands[1].abs
    ):
        a = bits32(read_src(w, ws, instr, 1, "f32"))
    if isinstance(instr.operands[2], Reg | Imm) and (
        instr.operands[2].neg or instr.operands[2].abs
    ):
        b = bits32(read_src(w, ws, instr, 2, "f32"))
    write_v(w, ws, instr.operands[0], np.where(sel, b, a), mask)


def _carry_in(w: Waves, ws: np.ndarray, instr: Instr, index: int) -> np.ndarray:
    op = instr.operands[index] if len(instr.operands) > index else Reg("s", 106, 2)
    return Waves.lane_mask(read_scalar(w, ws, op, instr, wide=True)).astype(U64)


def _addsub_co(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    op = instr.op
    dst, carry = instr.operands[0], instr.operands[1]
    a = read_src(w, ws, instr, 2, "u32").astype(U64)
    b = read_src(w, ws, instr, 3, "u32").astype(U64)
    cin = (
        _carry_in(w, ws, instr, 4)
        if op in ("v_addc_co_u32", "v_subb_co_u32", "v_subbrev_co_u32")
        else np.zeros(a.shape, U64)
    )
    if op.startswith("v_subrev") or op == "v_subbrev_co_u32":
        a, b = b, a
    if op.startswith("v_add"):
        full = a + b + cin
        cout = full >> U64(32) != 0
    else:
        full = a - b - cin
        cout = a < b + cin
    write_v(w, ws, dst, (full & U64(0xFFFFFFFF)).astype(U32), mask)
    if isinstance(carry, Reg) and carry.kind == "s":
        write_scalar(w, ws, carry, Waves.mask_bits(cout & mask), wide=True)


def _mad64(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    dst, carry = instr.operands[0], instr.operands[1]
    a = read_src(w, ws, instr, 2, "u32")
    b = read_src(w, ws, instr, 3, "u32")
    c = read_src(w, ws, instr, 4, "u64")
    if instr.op == "v_mad_u64_u32":
        prod = a.astype(object) * b.astype(object) if False else None
        del prod
        lo = (a & U32(0xFFFF)).astype(U64) * b.astype(U64)
        hi = (a >> U32(16)).astype(U64) * b.astype(U64)
        # a*b = hi<<16 + lo (both < 2^48); sum with c in 128-bit pieces
        total_lo = (lo & U64(0xFFFFFFFF)) + ((hi & U64(0xFFFF)) << U64(16)) + (c & U64(0xFFFFFFFF))
        total_hi = (lo >> U64(32)) + (hi >> U64(16)) + (c >> U64(32)) + (total_lo >> U64(32))
        value = (total_lo & U64(0xFFFFFFFF)) | ((total_hi & U64(0xFFFFFFFF)) << U64(32))
        cout = (total_hi >> U64(32)) != 0
    else:
        p = a.view(I32).astype(np.int64) * b.view(I32).astype(np.int64)
        value = (p.view(U64) + c).astype(U64)
        cout = np.zeros(a.shape, bool)
    write_v64(w, ws, dst, value, mask)
    if isinstance(carry, Reg) and carry.kind == "s":
        write_scalar(w, ws, carry, Waves.mask_bits(cout & mask), wide=True)


def _mbcnt(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    a = read_src(w, ws, instr, 1, "u32").astype(U64)
    b = read_src(w, ws, instr, 2, "u32")
    lanes = np.arange(LANES, dtype=U64)
    if instr.op == "v_mbcnt_lo_u32_b32":
        below = np.where(
            lanes < 32, (U64(1) << np.minimum(lanes, U64(31))) - U64(1), U64(0xFFFFFFFF)
        )
    else:
        below = np.where(
            lanes > 32, (U64(1) << (np.maximum(lanes, U64(32)) - U64(32))) - U64(1), U64(0)
        )
    below = np.where(lanes == 32, U64(0), below) if instr.op == "v_mbcnt_hi_u32_b32" else below
    count = _popc(a & below[None, :])
    write_v(w, ws, instr.operands[0], count + b, mask)


def _readfirstlane(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    v = read_src(w, ws, instr, 1, "b32")
    first = np.where(mask.any(axis=1), np.argmax(mask, axis=1), 0)
    write_scalar(w, ws, instr.operands[0], v[np.arange(len(ws)), first])


def _readlane(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    v = read_src(w, ws, instr, 1, "b32")
    lane = read_scalar(w, ws, instr.operands[2], instr).astype(np.int64) & 63
    write_scalar(w, ws, instr.operands[0], v[np.arange(len(ws)), lane])


def _writelane(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    value = read_scalar(w, ws, instr.operands[1], instr)
    lane = read_scalar(w, ws, instr.operands[2], instr).astype(np.int64) & 63
    m = np.zeros((len(ws), LANES), bool)
    m[np.arange(len(ws)), lane] = True
    write_v(w, ws, instr.operands[0], np.repeat(value[:, None], LANES, axis=1), m)


def _div_scale(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    s0 = read_src(w, ws, instr, 2, "f32")
    den = read_src(w, ws, instr, 3, "f32")
    num = read_src(w, ws, instr, 4, "f32")
    e_num, e_den = exponent32(num), exponent32(den)
    d = s0.copy()
    vcc = np.zeros(s0.shape, bool)
    with np.errstate(all="ignore"):
        zero = (num == 0) | (den == 0)
        big = (e_num - e_den >= 96) & ~zero
        vcc |= big
        d = np.where(big & (s0 == den), _ldexp(s0, np.full(s0.shape, 64, I32)), d)
        den_denorm = (e_den == 0) & ~zero & ~big
        d = np.where(den_denorm, _ldexp(s0, np.full(s0.shape, 64, I32)), d)
        tiny_num = (e_num <= 23) & ~zero & ~big & ~den_denorm
        vcc |= tiny_num & False
        d = np.where(tiny_num, _ldexp(s0, np.full(s0.shape, 64, I32)), d)
        d = np.where(zero, F32(np.nan), d)
    write_v(w, ws, instr.operands[0], bits32(d.astype(F32)), mask)
    write_scalar(w, ws, instr.operands[1], Waves.mask_bits(vcc & mask), wide=True)


def _div_fmas(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    a = read_src(w, ws, instr, 1, "f32")
    b = read_src(w, ws, instr, 2, "f32")
    c = read_src(w, ws, instr, 3, "f32")
    vcc = Waves.lane_mask(w.s64(ws, 106))
    r = fma32(a, b, c)
    scale = np.where(exponent32(c) > 127, 64, -64).astype(I32)
    r = np.where(vcc, _ldexp(r, scale), r)
    write_v(w, ws, instr.operands[0], bits32(r.astype(F32)), mask)


def _div_fixup(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    q = read_src(w, ws, instr, 1, "f32")
    den = read_src(w, ws, instr, 2, "f32")
    num = read_src(w, ws, instr, 3, "f32")
    with np.errstate(all="ignore"):
        sign = np.signbit(den) ^ np.signbit(num)
        out = np.where(sign, -np.abs(q), np.abs(q))
        inf = np.float32(np.inf)
        out = np.where((den == 0) | np.isinf(num), np.where(sign, -inf, inf), out)
        out = np.where(np.isinf(den) | (num == 0), np.where(sign, F32(-0.0), F32(0.0)), out)
        out = np.where((den == 0) & (num == 0), F32(np.nan), out)
        out = np.where(np.isinf(den) & np.isinf(num), F32(np.nan), out)
        out = np.where(np.isnan(den), den, out)
        out = np.where(np.isnan(num), num, out)
    write_v(w, ws, instr.operands[0], bits32(out.astype(F32)), mask)


def _fma_mix(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    """v_fma_mix{_f32,lo_f16,hi_f16}: each source is f32, or the f16 half op_sel picks when
    its op_sel_hi bit is set; computed with one rounding."""
    opsel = _bits(instr.mods.get("op_sel")) or [0, 0, 0]
    opsel_hi = _bits(instr.mods.get("op_sel_hi")) or [0, 0, 0]
    negs = _bits(instr.mods.get("neg_lo")) or [0, 0, 0]
    args = []
    for i in range(3):
        op = instr.operands[i + 1]
        if opsel_hi[i]:
            raw = read_u32(w, ws, op, instr, "f16")
            half = (raw >> U32(16)) if opsel[i] else raw
            v = f32_from_f16(half).astype(np.float64)
        else:
            v = f32(read_u32(w, ws, op, instr, "f32")).astype(np.float64)
        if isinstance(op, Reg | Imm) and op.abs:
            v = np.abs(v)
        if (isinstance(op, Reg | Imm) and op.neg) != bool(negs[i] if i < len(negs) else 0):
            v = -v
        args.append(v)
    with np.errstate(all="ignore"):
        if instr.op == "v_fma_mix_f32":
            r = fma32(args[0].astype(F32), args[1].astype(F32), args[2].astype(F32))
            write_v(w, ws, instr.operands[0], bits32(r), mask)
            return
        h = (args[0] * args[1] + args[2]).astype(np.float16).view(np.uint16).astype(U32)
    dst = instr.operands[0]
    old = w.v[ws, dst.index] if isinstance(dst, Reg) else np.zeros(h.shape, U32)
    if instr.op == "v_fma_mixlo_f16":
        out = (old & U32(0xFFFF0000)) | h
    else:
        out = (old & U32(0xFFFF)) | (h << U32(16))
    write_v(w, ws, dst, out, mask)


def _accvgpr(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    v = read_u32(w, ws, instr.operands[1], instr)
    write_v(w, ws, instr.operands[0], v, mask)


def _nop_valu(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    return None


SPECIAL_OPS: dict[str, Callable[[Waves, np.ndarray, Instr, np.ndarray], None]] = {
    "v_cndmask_b32": _cndmask,
    "v_add_co_u32": _addsub_co,
    "v_addc_co_u32": _addsub_co,
    "v_sub_co_u32": _addsub_co,
    "v_subb_co_u32": _addsub_co,
    "v_subrev_co_u32": _addsub_co,
    "v_subbrev_co_u32": _addsub_co,
    "v_mad_u64_u32": _mad64,
    "v_mad_i64_i32": _mad64,
    "v_mbcnt_lo_u32_b32": _mbcnt,
    "v_mbcnt_hi_u32_b32": _mbcnt,
    "v_readfirstlane_b32": _readfirstlane,
    "v_readlane_b32": _readlane,
    "v_writelane_b32": _writelane,
    "v_div_scale_f32": _div_scale,
    "v_div_fmas_f32": _div_fmas,
    "v_div_fixup_f32": _div_fixup,
    "v_fma_mix_f32": _fma_mix,
    "v_fma_mixlo_f16": _fma_mix,
    "v_fma_mixhi_f16": _fma_mix,
    "v_accvgpr_read_b32": _accvgpr,
    "v_accvgpr_write_b32": _accvgpr,
    "v_accvgpr_mov_b32": _accvgpr,
    "v_nop": _nop_valu,
}


# ---- packed math (VOP3P) ----

PACKED: dict[str, tuple[int, str, Fn | None]] = {
    "v_pk_add_f32": (2, "f32", lambda a, b: a + b),
    "v_pk_mul_f32": (2, "f32", lambda a, b: a * b),
    "v_pk_fma_f32": (3, "f32", fma32),
    "v_pk_mov_b32": (2, "b32", None),  # handled below
    "v_pk_add_f16": (2, "f16", lambda a, b: a + b),
    "v_pk_mul_f16": (2, "f16", lambda a, b: a * b),
    "v_pk_fma_f16": (3, "f16", lambda a, b, c: a * b + c),
    "v_pk_max_f16": (2, "f16", np.fmax),
    "v_pk_min_f16": (2, "f16", np.fmin),
    "v_pk_add_u16": (2, "u16", lambda a, b: (a + b) & U32(0xFFFF)),
    "v_pk_mul_lo_u16": (2, "u16", lambda a, b: (a * b) & U32(0xFFFF)),
}


def _packed(w: Waves, ws: np.ndarray, instr: Instr, mask: np.ndarray) -> None:
    entry = PACKED.get(instr.op)
    if entry is None:
        raise Fault(f"the emulator does not implement the instruction '{instr.raw_op}'", instr)
    nsrc, typ, fn = entry
    opsel = _bits(instr.mods.get("op_sel")) or [0] * nsrc
    opsel_hi = _bits(instr.mods.get("op_sel_hi")) or [1] * nsrc
    neg_lo = _bits(instr.mods.get("neg_lo")) or [0] * nsrc
    neg_hi = _bits(instr.mods.get("neg_hi")) or [0] * nsrc
    dst = instr.operands[0]
    if typ in ("f32", "b32"):
        halves = []
        for i in range(nsrc):
            op = instr.operands[i + 1]
            lo = read_u32(w, ws, op, instr, "f32", 0)
            hi = read_u32(w, ws, op, instr, "f32", 1) if isinstance(op, Reg) else lo
            halves.append((lo, hi))
        if instr.op == "v_pk_mov_b32":
            r_lo = halves[0][opsel[0]] if len(opsel) > 0 else halves[0][0]
            r_hi = halves[1][opsel[1] if len(opsel) > 1 else 1]
            write_v(w, ws, dst, r_lo, mask, 0)
            write_v(w, ws, dst, r_hi, mask, 1)
            return
        assert fn is not None
        results = []
        for which, sel, negs in ((0, opsel, neg_lo), (1, opsel_hi, neg_hi)):
            args = []
            for i in range(nsrc):
                v = f32(halves[i][sel[i] if i < len(sel) else which])
                if i < len(negs) and negs[i]:
                    v = -v
                args.append(v)
            with np.errstate(all="ignore"):
                results.append(bits32(np.asarray(fn(*args), F32)))
        write_v(w, ws, dst, results[0], mask, 0)
        write_v(w, ws, dst, results[1], mask, 1)
        return
    raws = [
        read_u32(w, ws, instr.operands[i + 1], instr, "pk_f16" if typ == "f16" else "b32")
        for i in range(nsrc)
    ]
    assert fn is not None
    out = np.zeros(raws[0].shape, U32)
    for half, sel, negs in ((0, opsel, neg_lo), (1, opsel_hi, neg_hi)):
        args = []
        for i in range(nsrc):
            use_hi = sel[i] if i < len(sel) else half
            hv = (raws[i] >> U32(16)) if use_hi else (raws[i] & U32(0xFFFF))
            if isinstance(instr.operands[i + 1], Imm) and use_hi and typ == "f16":
                hv = raws[i] & U32(0xFFFF)
            if typ == "f16":
                fv = f32_from_f16(hv).astype(np.float64)
                args.append(-fv if i < len(negs) and negs[i] else fv)
            else:
                args.append(hv & U32(0xFFFF))
        with np.errstate(all="ignore"):
            r = fn(*args)
        bits = (
            np.asarray(r, np.float64).astype(np.float16).view(np.uint16).astype(U32)
            if typ == "f16"
            else np.asarray(r).astype(U32) & U32(0xFFFF)
        )
        out |= bits << U32(16 * half)
    write_v(w, ws, dst, out, mask)
