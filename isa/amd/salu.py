"""SALU semantics (SOP1 / SOP2 / SOPK / SOPC) per wave, with SCC, from the CDNA3 reference.
Branches and s_waitcnt live in the executor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from isa.amd.asm import Instr
from isa.amd.state import Fault, Waves, read_scalar, write_scalar

U32 = np.uint32
U64 = np.uint64
M32 = U64(0xFFFFFFFF)


def _i(x: np.ndarray) -> np.ndarray:
    return x.astype(np.int64) - np.where(
        x >= U64(1 << 31) if x.dtype == U64 else x >= U32(1 << 31), 1 << 32, 0
    )


def _i64(x: np.ndarray) -> np.ndarray:
    return x.astype(U64).view(np.int64)


def _bfe(a: np.ndarray, b: np.ndarray, signed: bool, bits: int) -> np.ndarray:
    off = b & U64(bits - 1)
    width = (b >> U64(16)) & U64(0x7F)
    mask = np.where(
        width >= 64, U64(0xFFFFFFFFFFFFFFFF), (U64(1) << np.minimum(width, U64(63))) - U64(1)
    )
    v = (a >> off) & mask
    if signed:
        sign = np.where(width > 0, (v >> np.maximum(width, U64(1)) - U64(1)) & U64(1), U64(0))
        v = np.where(sign == 1, v | ~mask, v)
    return v


# name -> (wide result, wide sources, fn(a, b) -> (result, scc or None))
Sop = Callable[..., tuple[Any, Any]]
SOP2: dict[str, tuple[bool, bool, Sop]] = {
    "s_add_u32": (False, False, lambda a, b: ((a + b) & M32, (a + b) >> U64(32) != 0)),
    "s_sub_u32": (False, False, lambda a, b: ((a - b) & M32, a < b)),
    "s_add_i32": (False, False, lambda a, b: ((a + b) & M32, _ovf(a, b, (a + b) & M32))),
    "s_sub_i32": (False, False, lambda a, b: ((a - b) & M32, _ovf(a, ~b & M32, (a - b) & M32))),
    "s_mul_i32": (False, False, lambda a, b: ((a * b) & M32, None)),
    "s_mul_hi_u32": (False, False, lambda a, b: ((a * b) >> U64(32), None)),
    "s_mul_hi_i32": (False, False, lambda a, b: (((_i(a) * _i(b)) >> 32) & 0xFFFFFFFF, None)),
    "s_and_b32": (False, False, lambda a, b: (a & b, (a & b) != 0)),
    "s_or_b32": (False, False, lambda a, b: (a | b, (a | b) != 0)),
    "s_xor_b32": (False, False, lambda a, b: (a ^ b, (a ^ b) != 0)),
    "s_andn2_b32": (False, False, lambda a, b: (a & ~b & M32, (a & ~b & M32) != 0)),
    "s_orn2_b32": (False, False, lambda a, b: ((a | ~b) & M32, ((a | ~b) & M32) != 0)),
    "s_nand_b32": (False, False, lambda a, b: (~(a & b) & M32, (~(a & b) & M32) != 0)),
    "s_nor_b32": (False, False, lambda a, b: (~(a | b) & M32, (~(a | b) & M32) != 0)),
    "s_lshl_b32": (
        False,
        False,
        lambda a, b: ((a << (b & U64(31))) & M32, ((a << (b & U64(31))) & M32) != 0),
    ),
    "s_lshr_b32": (False, False, lambda a, b: (a >> (b & U64(31)), (a >> (b & U64(31))) != 0)),
    "s_ashr_i32": (
        False,
        False,
        lambda a, b: (
            (_i(a) >> (b & U64(31)).astype(np.int64)) & 0xFFFFFFFF,
            ((_i(a) >> (b & U64(31)).astype(np.int64)) & 0xFFFFFFFF) != 0,
        ),
    ),
    "s_min_i32": (False, False, lambda a, b: (np.where(_i(a) <= _i(b), a, b), _i(a) <= _i(b))),
    "s_max_i32": (False, False, lambda a, b: (np.where(_i(a) >= _i(b), a, b), _i(a) >= _i(b))),
    "s_min_u32": (False, False, lambda a, b: (np.minimum(a, b), a <= b)),
    "s_max_u32": (False, False, lambda a, b: (np.maximum(a, b), a >= b)),
    "s_cselect_b32": (False, False, None),  # type: ignore[dict-item]
    "s_bfe_u32": (
        False,
        False,
        lambda a, b: (_bfe(a, b, False, 32) & M32, (_bfe(a, b, False, 32) & M32) != 0),
    ),
    "s_bfe_i32": (
        False,
        False,
        lambda a, b: (
            _bfe(a | np.where(a >= U64(1 << 31), U64(0xFFFFFFFF00000000), U64(0)), b, True, 32)
            & M32,
            (_bfe(a, b, True, 32) & M32) != 0,
        ),
    ),
    "s_lshl1_add_u32": (
        False,
        False,
        lambda a, b: (((a << U64(1)) + b) & M32, ((a << U64(1)) + b) >> U64(32) != 0),
    ),
    "s_lshl2_add_u32": (
        False,
        False,
        lambda a, b: (((a << U64(2)) + b) & M32, ((a << U64(2)) + b) >> U64(32) != 0),
    ),
    "s_lshl3_add_u32": (
        False,
        False,
        lambda a, b: (((a << U64(3)) + b) & M32, ((a << U64(3)) + b) >> U64(32) != 0),
    ),
    "s_lshl4_add_u32": (
        False,
        False,
        lambda a, b: (((a << U64(4)) + b) & M32, ((a << U64(4)) + b) >> U64(32) != 0),
    ),
    "s_pack_ll_b32_b16": (
        False,
        False,
        lambda a, b: ((a & U64(0xFFFF)) | ((b & U64(0xFFFF)) << U64(16)), None),
    ),
    "s_and_b64": (True, True, lambda a, b: (a & b, (a & b) != 0)),
    "s_or_b64": (True, True, lambda a, b: (a | b, (a | b) != 0)),
    "s_xor_b64": (True, True, lambda a, b: (a ^ b, (a ^ b) != 0)),
    "s_andn2_b64": (True, True, lambda a, b: (a & ~b, (a & ~b) != 0)),
    "s_orn2_b64": (True, True, lambda a, b: (a | ~b, (a | ~b) != 0)),
    "s_nand_b64": (True, True, lambda a, b: (~(a & b), ~(a & b) != 0)),
    "s_nor_b64": (True, True, lambda a, b: (~(a | b), ~(a | b) != 0)),
    "s_xnor_b64": (True, True, lambda a, b: (~(a ^ b), ~(a ^ b) != 0)),
    "s_lshl_b64": (True, True, lambda a, b: (a << (b & U64(63)), (a << (b & U64(63))) != 0)),
    "s_lshr_b64": (True, True, lambda a, b: (a >> (b & U64(63)), (a >> (b & U64(63))) != 0)),
    "s_ashr_i64": (
        True,
        True,
        lambda a, b: (
            (_i64(a) >> (b & U64(63)).astype(np.int64)).view(U64),
            (_i64(a) >> (b & U64(63)).astype(np.int64)) != 0,
        ),
    ),
    "s_bfe_u64": (True, True, lambda a, b: (_bfe(a, b, False, 64), _bfe(a, b, False, 64) != 0)),
}

SOP1: dict[str, tuple[bool, Sop]] = {
    "s_mov_b32": (False, lambda a: (a, None)),
    "s_mov_b64": (True, lambda a: (a, None)),
    "s_not_b32": (False, lambda a: (~a & M32, (~a & M32) != 0)),
    "s_not_b64": (True, lambda a: (~a, ~a != 0)),
    "s_brev_b32": (False, lambda a: (_brev(a, 32), None)),
    "s_bcnt1_i32_b32": (False, lambda a: (_popc(a), _popc(a) != 0)),
    "s_bcnt1_i32_b64": (True, lambda a: (_popc(a), _popc(a) != 0)),
    "s_bcnt0_i32_b64": (True, lambda a: (64 - _popc(a), (64 - _popc(a)) != 0)),
    "s_ff1_i32_b32": (False, lambda a: (_ff1(a, 32), None)),
    "s_ff1_i32_b64": (True, lambda a: (_ff1(a, 64), None)),
    "s_flbit_i32_b32": (False, lambda a: (_flbit(a, 32), None)),
    "s_flbit_i32_b64": (True, lambda a: (_flbit(a, 64), None)),
    "s_sext_i32_i16": (
        False,
        lambda a: (np.where(a & U64(0x8000), a | U64(0xFFFF0000), a & U64(0xFFFF)) & M32, None),
    ),
    "s_sext_i32_i8": (
        False,
        lambda a: (np.where(a & U64(0x80), a | U64(0xFFFFFF00), a & U64(0xFF)) & M32, None),
    ),
    "s_abs_i32": (False, lambda a: (np.abs(_i(a)) & 0xFFFFFFFF, np.abs(_i(a)) != 0)),
}


def _ovf(a: np.ndarray, b: np.ndarray, r: np.ndarray) -> np.ndarray:
    sa, sb, sr = a >> U64(31), b >> U64(31), r >> U64(31)
    return (sa == sb) & (sr != sa)


def _popc(a: np.ndarray) -> np.ndarray:
    a = a.astype(U64)
    return np.array([bin(int(x)).count("1") for x in a], U64)


def _brev(a: np.ndarray, bits: int) -> np.ndarray:
    return np.array([int(f"{int(x):0{bits}b}"[::-1], 2) for x in a], U64)


def _ff1(a: np.ndarray, bits: int) -> np.ndarray:
    out = []
    for x in a.astype(U64):
        v = int(x)
        out.append((v & -v).bit_length() - 1 if v else 0xFFFFFFFF)
    return np.array(out, U64)


def _flbit(a: np.ndarray, bits: int) -> np.ndarray:
    return np.array(
        [bits - int(x).bit_length() if int(x) else 0xFFFFFFFF for x in a.astype(U64)], U64
    )


SAVEEXEC = {  # (source, old EXEC) -> new EXEC
    "s_and_saveexec_b64": lambda src, ex: src & ex,
    "s_or_saveexec_b64": lambda src, ex: src | ex,
    "s_xor_saveexec_b64": lambda src, ex: src ^ ex,
    "s_andn2_saveexec_b64": lambda src, ex: src & ~ex,
    "s_orn2_saveexec_b64": lambda src, ex: src | ~ex,
    "s_andn1_saveexec_b64": lambda src, ex: ~src & ex,
    "s_orn1_saveexec_b64": lambda src, ex: ~src | ex,
    "s_nand_saveexec_b64": lambda src, ex: ~(src & ex),
    "s_nor_saveexec_b64": lambda src, ex: ~(src | ex),
}

SOPC = {
    "eq": lambda a, b: a == b,
    "lg": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


def execute_salu(w: Waves, ws: np.ndarray, instr: Instr) -> bool:
    """Run one SALU instruction; False when the opcode is not a SALU one."""
    op, ops = instr.op, instr.operands
    if op in SOP2:
        wide, wide_src, fn = SOP2[op]
        a = read_scalar(w, ws, ops[1], instr, wide_src).astype(U64)
        b = read_scalar(
            w,
            ws,
            ops[2],
            instr,
            wide_src and op not in ("s_lshl_b64", "s_lshr_b64", "s_ashr_i64", "s_bfe_u64"),
        ).astype(U64)
        if op in ("s_addc_u32", "s_subb_u32"):
            pass
        result, scc = fn(a, b)
        write_scalar(w, ws, ops[0], np.asarray(result).astype(U64), wide)
        if scc is not None:
            w.scc[ws] = np.asarray(scc, bool)
        return True
    if op in ("s_addc_u32", "s_subb_u32"):
        a = read_scalar(w, ws, ops[1], instr).astype(U64)
        b = read_scalar(w, ws, ops[2], instr).astype(U64)
        c = w.scc[ws].astype(U64)
        if op == "s_addc_u32":
            full = a + b + c
            scc = full >> U64(32) != 0
        else:
            full = a - b - c
            scc = a < b + c
        write_scalar(w, ws, ops[0], full & M32)
        w.scc[ws] = scc
        return True
    if op in ("s_cselect_b32", "s_cselect_b64"):
        wide = op.endswith("64")
        a = read_scalar(w, ws, ops[1], instr, wide)
        b = read_scalar(w, ws, ops[2], instr, wide)
        write_scalar(w, ws, ops[0], np.where(w.scc[ws], a, b), wide)
        return True
    if op in SOP1:
        wide, fn1 = SOP1[op]
        wide_dst = wide and not op.startswith(("s_bcnt", "s_ff1", "s_flbit"))
        a = read_scalar(w, ws, ops[1], instr, wide).astype(U64)
        result, scc = fn1(a)
        write_scalar(w, ws, ops[0], np.asarray(result).astype(U64), wide_dst)
        if scc is not None:
            w.scc[ws] = np.asarray(scc, bool)
        return True
    if op in SAVEEXEC:
        src = read_scalar(w, ws, ops[1], instr, True)
        old = w.s64(ws, 126)
        new = SAVEEXEC[op](src, old).astype(U64)
        write_scalar(w, ws, ops[0], old, True)
        w.set_s64(ws, 126, new)
        w.scc[ws] = new != 0
        return True
    if op.startswith("s_cmp_") or op.startswith("s_cmpk_"):
        parts = op.split("_")
        cond, typ = parts[2], parts[3]
        wide = typ.endswith("64")
        a = read_scalar(w, ws, ops[0], instr, wide).astype(U64)
        b = read_scalar(w, ws, ops[1], instr, wide).astype(U64)
        if typ == "i32":
            a, b = _i(a), _i(b)
        w.scc[ws] = np.asarray(SOPC[cond](a, b), bool)
        return True
    if op in ("s_movk_i32", "s_mulk_i32", "s_addk_i32", "s_cmovk_i32"):
        k = ops[1]
        kv = read_scalar(w, ws, k, instr).astype(U64)
        kv = np.where(kv & U64(0x8000), kv | U64(0xFFFF0000), kv & U64(0xFFFF)) & M32
        if op == "s_movk_i32":
            write_scalar(w, ws, ops[0], kv)
        elif op == "s_cmovk_i32":
            old = read_scalar(w, ws, ops[0], instr).astype(U64)
            write_scalar(w, ws, ops[0], np.where(w.scc[ws], kv, old))
        else:
            d = read_scalar(w, ws, ops[0], instr).astype(U64)
            r = (d * kv if op == "s_mulk_i32" else d + kv) & M32
            write_scalar(w, ws, ops[0], r)
        return True
    if op == "s_cmov_b32" or op == "s_cmov_b64":
        wide = op.endswith("64")
        a = read_scalar(w, ws, ops[1], instr, wide)
        old = read_scalar(w, ws, ops[0], instr, wide)
        write_scalar(w, ws, ops[0], np.where(w.scc[ws], a, old), wide)
        return True
    if op == "s_bitset0_b32" or op == "s_bitset1_b32":
        bit = read_scalar(w, ws, ops[1], instr).astype(U64) & U64(31)
        d = read_scalar(w, ws, ops[0], instr).astype(U64)
        r = d & ~(U64(1) << bit) if op.endswith("0_b32") else d | (U64(1) << bit)
        write_scalar(w, ws, ops[0], r & M32)
        return True
    if op.startswith("s_"):
        if op in ("s_setpc_b64", "s_swappc_b64"):
            raise Fault(
                "function calls are not supported by the emulator (use inline functions)", instr
            )
        return False
    raise Fault(f"the emulator does not implement the instruction '{instr.raw_op}'", instr)
