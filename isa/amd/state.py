"""The state of a chunk of waves: VGPRs, AGPRs, SGPRs, SCC, program counters, the
outstanding-memory bookkeeping behind `s_waitcnt`, and operand reads and writes.

Waves are rows: every array's first axis is the wave, VGPR arrays are (waves, regs, 64 lanes).
An instruction runs for the waves `ws` that sit at the same program counter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from isa.amd.asm import Imm, Instr, LabelRef, Operand, Reg
from isa.amd.numerics import bits32, f16_from_f32

U32 = np.uint32
U64 = np.uint64
LANES = 64
NSGPR = 128
LANE_BITS = (np.uint64(1) << np.arange(64, dtype=np.uint64)).astype(np.uint64)


class Fault(Exception):
    """The candidate did something the emulator stops on (out of bounds, unknown instruction,
    a cap); `instr` and `wave` say where."""

    def __init__(
        self,
        message: str,
        instr: Instr | None = None,
        wave: int | None = None,
        lane: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.instr = instr
        self.wave = wave
        self.lane = lane


@dataclass
class Waves:
    nwaves: int
    nvgpr: int
    nagpr: int
    v: np.ndarray = field(init=False)
    a: np.ndarray = field(init=False)
    s: np.ndarray = field(init=False)
    scc: np.ndarray = field(init=False)
    pc: np.ndarray = field(init=False)
    done: np.ndarray = field(init=False)
    barrier: np.ndarray = field(init=False)
    vm_issued: np.ndarray = field(init=False)
    vm_done: np.ndarray = field(init=False)
    lgkm_issued: np.ndarray = field(init=False)
    lgkm_done: np.ndarray = field(init=False)
    v_vm: np.ndarray = field(init=False)  # per VGPR: vm issue number of its pending load
    v_lgkm: np.ndarray = field(init=False)
    s_lgkm: np.ndarray = field(init=False)
    symbols: dict[str, int] = field(default_factory=dict)  # device address of each object
    maybe_pending: bool = False  # some load may be outstanding (a fast path for reads)

    def __post_init__(self) -> None:
        w = self.nwaves
        self.v = np.zeros((w, self.nvgpr, LANES), U32)
        self.a = np.zeros((w, max(self.nagpr, 1), LANES), U32)
        self.s = np.zeros((w, NSGPR), U32)
        self.scc = np.zeros(w, bool)
        self.pc = np.zeros(w, np.int64)
        self.done = np.zeros(w, bool)
        self.barrier = np.zeros(w, bool)
        for name in ("vm_issued", "vm_done", "lgkm_issued", "lgkm_done"):
            setattr(self, name, np.zeros(w, np.int64))
        self.v_vm = np.zeros((w, self.nvgpr), np.int64)
        self.v_lgkm = np.zeros((w, self.nvgpr), np.int64)
        self.s_lgkm = np.zeros((w, NSGPR), np.int64)

    # ---- masks ----
    def exec_mask(self, ws: np.ndarray) -> np.ndarray:
        """(k, 64) bool: the EXEC bits of the waves."""
        return self.lane_mask(self.s64(ws, 126))

    @staticmethod
    def lane_mask(bits64: np.ndarray) -> np.ndarray:
        return (bits64[:, None] & LANE_BITS[None, :]) != 0

    @staticmethod
    def mask_bits(mask: np.ndarray) -> np.ndarray:
        return (mask.astype(U64) * LANE_BITS[None, :]).sum(axis=1, dtype=U64)

    def s64(self, ws: np.ndarray, index: int) -> np.ndarray:
        lo = self.s[ws, index].astype(U64)
        hi = self.s[ws, index + 1].astype(U64)
        return lo | (hi << U64(32))

    def set_s64(self, ws: np.ndarray, index: int, value: np.ndarray) -> None:
        value = value.astype(U64)
        self.s[ws, index] = (value & U64(0xFFFFFFFF)).astype(U32)
        self.s[ws, index + 1] = (value >> U64(32)).astype(U32)


def check_pending(w: Waves, ws: np.ndarray, reg: Reg, instr: Instr) -> None:
    """Reading a register whose load has not been waited for is the classic AMD hazard."""
    if not w.maybe_pending:
        return
    if reg.kind == "v":
        sl = slice(reg.index, reg.index + reg.count)
        vm = (w.v_vm[ws, sl] > w.vm_done[ws, None]).any(axis=1)
        lg = (w.v_lgkm[ws, sl] > w.lgkm_done[ws, None]).any(axis=1)
        bad = vm | lg
        if bad.any():
            counter = "vmcnt" if vm.any() else "lgkmcnt"
            raise Fault(
                f"reads v{reg.index} before its load completed (missing s_waitcnt {counter})",
                instr,
                int(ws[np.argmax(bad)]),
            )
    elif reg.kind == "s":
        sl = slice(reg.index, reg.index + reg.count)
        bad = (w.s_lgkm[ws, sl] > w.lgkm_done[ws, None]).any(axis=1)
        if bad.any():
            raise Fault(
                f"reads s{reg.index} before its scalar load completed (missing s_waitcnt lgkmcnt)",
                instr,
                int(ws[np.argmax(bad)]),
            )


def symbol_bits(w: Waves, op: LabelRef, instr: Instr) -> int:
    """`sym@rel32@lo+4` and friends. s_getpc_b64 yields 0 in the emulator, so a PC-relative
    pair of adds gives the object's address (the +4 / +12 compensate the PC, not needed)."""
    name, _, rest = op.name.partition("@")
    base = name.split("+")[0]
    if base not in w.symbols:
        raise Fault(f"the kernel refers to '{op.name}', which the emulator cannot resolve", instr)
    kind = rest.split("+")[0]
    address = w.symbols[base]
    if kind.startswith("gotpcrel"):
        address = w.symbols.get(f"{base}@got", address)
    if kind.endswith("hi"):
        return (address >> 32) & 0xFFFFFFFF
    return address & 0xFFFFFFFF


def imm_bits(op: Imm, typ: str) -> int:
    """The bits an immediate stands for in an operand of type `typ`."""
    value = op.value
    if isinstance(value, float):
        if typ in ("f16", "pk_f16"):
            return int(f16_from_f32(np.array([value], np.float32))[0])
        if typ == "f64":
            return int(np.array([value], np.float64).view(U64)[0])
        if typ == "bf16":
            return int(bits32(np.array([value], np.float32))[0]) >> 16
        return int(bits32(np.array([value], np.float32))[0])
    if typ in ("f64", "i64", "u64", "b64"):
        return value & 0xFFFFFFFFFFFFFFFF
    return value & 0xFFFFFFFF


def read_u32(
    w: Waves, ws: np.ndarray, op: Operand, instr: Instr, typ: str = "b32", part: int = 0
) -> np.ndarray:
    """The 32-bit value (register `part` of a range) of an operand per lane: (k, 64) uint32."""
    if isinstance(op, Imm):
        bits = imm_bits(op, typ)
        if typ in ("f64", "i64", "u64", "b64"):
            bits = (bits >> (32 * part)) & 0xFFFFFFFF if part else bits & 0xFFFFFFFF
        return np.full((len(ws), LANES), bits & 0xFFFFFFFF, U32)
    if not isinstance(op, Reg):
        raise Fault(f"operand {op} is not a register or a constant", instr)
    check_pending(w, ws, op, instr)
    if op.kind == "v":
        return w.v[ws, op.index + part]
    if op.kind == "a":
        return w.a[ws, op.index + part]
    if op.kind == "s":
        return np.repeat(w.s[ws, op.index + part][:, None], LANES, axis=1)
    if op.kind == "scc":
        return np.repeat(w.scc[ws].astype(U32)[:, None], LANES, axis=1)
    raise Fault(f"cannot read operand {op}", instr)


def read_u64(w: Waves, ws: np.ndarray, op: Operand, instr: Instr, typ: str = "b64") -> np.ndarray:
    if isinstance(op, Imm):
        bits = imm_bits(op, typ)
        if isinstance(op.value, int) and op.value < 0:
            bits = op.value & 0xFFFFFFFFFFFFFFFF
        return np.full((len(ws), LANES), bits, U64)
    lo = read_u32(w, ws, op, instr, typ, 0).astype(U64)
    hi = read_u32(w, ws, op, instr, typ, 1).astype(U64)
    return lo | (hi << U64(32))


def write_v(
    w: Waves, ws: np.ndarray, op: Operand, value: np.ndarray, mask: np.ndarray, part: int = 0
) -> None:
    """Write (k, 64) uint32 into a VGPR / AGPR under the lane mask."""
    if not isinstance(op, Reg) or op.kind not in ("v", "a"):
        raise Fault(f"destination {op} is not a vector register")
    regs = w.v if op.kind == "v" else w.a
    idx = op.index + part
    if idx >= regs.shape[1]:
        raise Fault(f"register {op.kind}{idx} is beyond the kernel's register count")
    old = regs[ws, idx]
    regs[ws, idx] = np.where(mask, value.astype(U32), old)


def write_v64(w: Waves, ws: np.ndarray, op: Operand, value: np.ndarray, mask: np.ndarray) -> None:
    value = value.astype(U64)
    write_v(w, ws, op, (value & U64(0xFFFFFFFF)).astype(U32), mask, 0)
    write_v(w, ws, op, (value >> U64(32)).astype(U32), mask, 1)


def read_scalar(
    w: Waves, ws: np.ndarray, op: Operand, instr: Instr, wide: bool = False, typ: str = "b32"
) -> np.ndarray:
    """A scalar operand per wave: (k,) uint32, or uint64 when `wide`."""
    if isinstance(op, Imm):
        bits = imm_bits(op, "b64" if wide else typ)
        if wide and isinstance(op.value, int) and op.value < 0:
            bits = op.value & 0xFFFFFFFFFFFFFFFF
        return np.full(len(ws), bits, U64 if wide else U32)
    if isinstance(op, LabelRef):
        return np.full(len(ws), symbol_bits(w, op, instr), U64 if wide else U32)
    if not isinstance(op, Reg):
        raise Fault(f"operand {op} is not a register or a constant", instr)
    check_pending(w, ws, op, instr)
    if op.kind == "scc":
        return w.scc[ws].astype(U64 if wide else U32)
    if op.kind != "s":
        raise Fault(f"scalar instruction reads the vector operand {op}", instr)
    if wide:
        return w.s64(ws, op.index)
    return w.s[ws, op.index].copy()


def write_scalar(
    w: Waves, ws: np.ndarray, op: Operand, value: np.ndarray, wide: bool = False
) -> None:
    if not isinstance(op, Reg) or op.kind not in ("s", "scc"):
        raise Fault(f"destination {op} is not a scalar register")
    if op.kind == "scc":
        w.scc[ws] = value != 0
    elif wide:
        w.set_s64(ws, op.index, value)
    else:
        w.s[ws, op.index] = value.astype(U32)
