"""Runs one kernel launch of AMDGCN assembly: workgroups in chunks, every wave a row of NumPy
arrays, the waves at the lowest program counter stepped together. Scalar and vector memory,
LDS with the sanitizer, barriers, s_waitcnt bookkeeping, MFMA, counters per wave."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from isa.amd.asm import PRIVATE_APERTURE, SHARED_APERTURE, Imm, Instr, KernelCode, Reg
from isa.amd.memory import DeviceMemory, Lds
from isa.amd.numerics import F32, U32, bits32, f32, f32_from_bf16, f32_from_f16
from isa.amd.salu import execute_salu
from isa.amd.state import LANES, Fault, Waves, read_scalar, read_u32, read_u64, write_v
from isa.amd.timing import MI300X
from isa.amd.valu import execute_valu

U64 = np.uint64
MAX_STEPS = 100_000  # program-counter steps per chunk of workgroups
MAX_WAVES_PER_CHUNK = 256
MAX_FINDINGS = 20
# MFMA shapes: name -> (M = N, K, input type, SIMD cycles on CDNA3)
MFMA = {
    "v_mfma_f32_32x32x8_f16": (32, 8, "f16", 32),
    "v_mfma_f32_16x16x16_f16": (16, 16, "f16", 16),
    "v_mfma_f32_32x32x8_bf16": (32, 8, "bf16", 32),
    "v_mfma_f32_16x16x16_bf16": (16, 16, "bf16", 16),
    "v_mfma_f32_32x32x8bf16_1k": (32, 8, "bf16", 32),
    "v_mfma_f32_16x16x16bf16_1k": (16, 16, "bf16", 16),
    "v_mfma_f32_32x32x2_f32": (32, 2, "f32", 64),
    "v_mfma_f32_32x32x2f32": (32, 2, "f32", 64),
    "v_mfma_f32_16x16x4_f32": (16, 4, "f32", 32),
    "v_mfma_f32_16x16x4f32": (16, 4, "f32", 32),
}


@dataclass
class Finding:
    kind: str
    message: str
    group: tuple[int, int, int]
    wave: int
    lane: int
    instruction: str
    source_line: int | None

    def __str__(self) -> str:
        where = f"line {self.source_line}: " if self.source_line else ""
        return (
            f"{where}{self.message} (workgroup {self.group}, wave {self.wave}, lane "
            f"{self.lane}, `{self.instruction}`)"
        )


@dataclass
class LaunchResult:
    findings: list[Finding] = field(default_factory=list)
    counters: dict[str, Any] = field(default_factory=dict)
    per_group: list[dict[str, float]] = field(default_factory=list)
    wall_s: float = 0.0


class KernelFault(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(str(finding))
        self.finding = finding


def launch(
    code: KernelCode,
    grid: tuple[int, int, int],
    block: tuple[int, int, int],
    kernarg: int,
    memory: DeviceMemory,
    dynamic_lds: int = 0,
    symbols: dict[str, int] | None = None,
) -> LaunchResult:
    start = time.perf_counter()
    if code.scratch_bytes:
        raise Fault(
            f"kernel '{code.name}' needs {code.scratch_bytes} bytes of scratch (spills or a "
            "local array the compiler could not keep in registers); the emulator has no "
            "scratch memory: use fewer registers or shared memory"
        )
    threads = block[0] * block[1] * block[2]
    waves_per_group = -(-threads // LANES)
    groups = [(x, y, z) for z in range(grid[2]) for y in range(grid[1]) for x in range(grid[0])]
    per_chunk = max(1, MAX_WAVES_PER_CHUNK // waves_per_group)
    result = LaunchResult()
    totals: dict[str, int] = {}
    for first in range(0, len(groups), per_chunk):
        chunk = groups[first : first + per_chunk]
        _run_chunk(
            code, chunk, grid, block, kernarg, memory, dynamic_lds, result, totals, symbols or {}
        )
    result.counters = totals
    result.wall_s = time.perf_counter() - start
    return result


class _Chunk:
    def __init__(
        self,
        code: KernelCode,
        groups: list[tuple[int, int, int]],
        block: tuple[int, int, int],
        memory: DeviceMemory,
        lds_bytes: int,
        result: LaunchResult,
    ) -> None:
        self.code = code
        self.groups = groups
        self.memory = memory
        self.result = result
        threads = block[0] * block[1] * block[2]
        self.wpg = -(-threads // LANES)
        nw = len(groups) * self.wpg
        nv = max(code.hsa.get("next_free_vgpr", 1), code.meta.get("vgpr_count", 1), 1)
        acc = code.hsa.get("accum_offset", nv)
        na = max(code.meta.get("agpr_count", 0), nv - acc, 0) + 4
        self.w = Waves(nw, nv + 4, na)
        self.group_of = np.repeat(np.arange(len(groups)), self.wpg)
        self.wave_in_group = np.tile(np.arange(self.wpg), len(groups))
        self.lds = Lds(len(groups), lds_bytes)
        self.lds_size = lds_bytes
        self.epoch = np.zeros(len(groups), np.int64)
        self.counts: dict[str, int] = {}
        self.cycles = np.zeros((nw, 4))  # simd issue, lds, (unused), global bytes
        # each wave's clock: issue cycles plus the waits s_waitcnt makes it sit through, with
        # every load completing a fixed latency after it issued (in order per counter)
        self.clock = np.zeros(nw)
        self.vm_ready = np.zeros((nw, 64))
        self.lgkm_ready = np.zeros((nw, 64))
        self.lines: set[int] = set()

    def finding(self, kind: str, message: str, instr: Instr, wave: int, lane: int) -> Finding:
        g = self.groups[int(self.group_of[wave])]
        return Finding(
            kind, message, g, int(self.wave_in_group[wave]), lane, instr.text, instr.source_line
        )

    def add(self, kind: str, message: str, instr: Instr, wave: int, lane: int) -> None:
        if len(self.result.findings) < MAX_FINDINGS:
            self.result.findings.append(self.finding(kind, message, instr, wave, lane))


def _init_state(
    ch: _Chunk, grid: tuple[int, int, int], block: tuple[int, int, int], kernarg: int
) -> None:
    w, code = ch.w, ch.code
    hsa = code.hsa
    threads = block[0] * block[1] * block[2]
    lanes = np.arange(LANES)
    tid = ch.wave_in_group[:, None] * LANES + lanes[None, :]
    valid = tid < threads
    tx = tid % block[0]
    ty = (tid // block[0]) % block[1]
    tz = tid // (block[0] * block[1])
    w.v[:, 0] = np.where(valid, tx | (ty << 10) | (tz << 20), 0).astype(U32)
    w.set_s64(np.arange(w.nwaves), 126, Waves.mask_bits(valid))
    sg = 0
    if hsa.get("user_sgpr_private_segment_buffer", 0):
        sg += 4
    if hsa.get("user_sgpr_dispatch_ptr", 0):
        raise Fault(
            f"kernel '{code.name}' reads the dispatch packet, which the emulator does not "
            "provide (use blockDim / gridDim from <hip/hip_runtime.h>)"
        )
    if hsa.get("user_sgpr_queue_ptr", 0):
        sg += 2
    if hsa.get("user_sgpr_kernarg_segment_ptr", 0):
        w.s[:, sg] = kernarg & 0xFFFFFFFF
        w.s[:, sg + 1] = kernarg >> 32
        sg += 2
    sg = max(sg, hsa.get("user_sgpr_count", sg))
    gid = np.array([ch.groups[int(g)] for g in ch.group_of], np.int64).reshape(-1, 3)
    for axis, name in enumerate(("x", "y", "z")):
        if hsa.get(f"system_sgpr_workgroup_id_{name}", 0):
            w.s[:, sg] = gid[:, axis].astype(U32)
            sg += 1


def _run_chunk(
    code: KernelCode,
    groups: list[tuple[int, int, int]],
    grid: tuple[int, int, int],
    block: tuple[int, int, int],
    kernarg: int,
    memory: DeviceMemory,
    dynamic_lds: int,
    result: LaunchResult,
    totals: dict[str, int],
    symbols: dict[str, int],
) -> None:
    lds_bytes = code.lds_bytes + dynamic_lds
    ch = _Chunk(code, groups, block, memory, lds_bytes, result)
    ch.w.symbols = symbols
    _init_state(ch, grid, block, kernarg)
    w = ch.w
    instrs = code.instrs
    n = len(instrs)
    steps = 0
    while True:
        runnable = ~w.done & ~w.barrier
        if not runnable.any():
            if not w.barrier.any():
                break
            _release_barriers(ch)
            continue
        pc = int(w.pc[runnable].min())
        ws = np.nonzero(runnable & (w.pc == pc))[0]
        if pc >= n:
            raise KernelFault(
                ch.finding(
                    "control", "execution ran past the end of the kernel", instrs[-1], int(ws[0]), 0
                )
            )
        instr = instrs[pc]
        steps += 1
        if steps > MAX_STEPS:
            raise KernelFault(
                ch.finding(
                    "cap",
                    f"the kernel exceeded the emulator's cap of {MAX_STEPS} instruction "
                    "steps per chunk of workgroups (an endless loop, or far too much work per "
                    "thread)",
                    instr,
                    int(ws[0]),
                    0,
                )
            )
        w.pc[ws] = pc + 1
        try:
            _step(ch, ws, instr)
        except Fault as fault:
            wave = fault.wave if fault.wave is not None else int(ws[0])
            raise KernelFault(
                ch.finding("fault", fault.message, fault.instr or instr, wave, fault.lane or 0)
            ) from None
        except (IndexError, KeyError, ValueError, TypeError, AssertionError) as exc:
            # an operand form the emulator does not handle: say which instruction, not a trace
            message = f"the emulator cannot execute this instruction form ({type(exc).__name__})"
            raise KernelFault(ch.finding("fault", message, instr, int(ws[0]), 0)) from None
    for k, v in ch.counts.items():
        totals[k] = totals.get(k, 0) + v
    totals["lines_touched"] = totals.get("lines_touched", 0) + len(ch.lines)
    for g in range(len(groups)):
        rows = ch.cycles[ch.group_of == g]
        result.per_group.append(
            {
                "simd_cycles": float(rows[:, 0].sum()),
                "lds_cycles": float(rows[:, 1].sum()),
                "critical_cycles": float(ch.clock[ch.group_of == g].max()) if len(rows) else 0.0,
                "bytes": float(rows[:, 3].sum()),
            }
        )


def _release_barriers(ch: _Chunk) -> None:
    w = ch.w
    released = False
    for g in range(len(ch.groups)):
        rows = ch.group_of == g
        waiting = w.barrier & rows
        if waiting.any() and np.all(w.barrier[rows] | w.done[rows]):
            w.barrier[waiting] = False
            ch.clock[waiting] = ch.clock[waiting].max()
            ch.epoch[g] += 1
            released = True
    if not released:
        wave = int(np.nonzero(w.barrier)[0][0])
        instr = ch.code.instrs[int(w.pc[wave]) - 1]
        raise KernelFault(
            ch.finding(
                "deadlock",
                "s_barrier is never reached by every wave of the workgroup",
                instr,
                wave,
                0,
            )
        )


def _count(ch: _Chunk, name: str, ws: np.ndarray, simd: float = 0.0) -> None:
    ch.counts[name] = ch.counts.get(name, 0) + len(ws)
    active = int(np.bitwise_count(ch.w.s64(ws, 126)).sum())
    ch.counts["lane_instructions"] = ch.counts.get("lane_instructions", 0) + active
    ch.clock[ws] += max(simd, 1.0)
    if simd:
        ch.cycles[ws, 0] += simd


def _step(ch: _Chunk, ws: np.ndarray, instr: Instr) -> None:
    op = instr.op
    w = ch.w
    if op.startswith("v_mfma"):
        _mfma(ch, ws, instr)
        return
    if op.startswith("v_"):
        execute_valu(w, ws, instr)
        _count(ch, "valu", ws, 4.0 if "f64" not in op else 16.0)
        return
    if op.startswith("flat_") and _flat_lds(ch, ws, instr):
        return
    if op.startswith("global_") or op.startswith("flat_"):
        _global(ch, ws, instr)
        return
    if op.startswith("buffer_") and op not in ("buffer_wbl2", "buffer_inv", "buffer_wbinvl1_vol"):
        _buffer(ch, ws, instr)
        return
    if op.startswith("ds_"):
        _ds(ch, ws, instr)
        return
    if op.startswith("s_load_") or op.startswith("s_buffer_load"):
        _smem(ch, ws, instr)
        return
    if _control(ch, ws, instr):
        return
    if execute_salu(w, ws, instr):
        _count(ch, "salu", ws, 1.0)
        return
    raise Fault(f"the emulator does not implement the instruction '{instr.raw_op}'", instr)


def _control(ch: _Chunk, ws: np.ndarray, instr: Instr) -> bool:
    w, op = ch.w, instr.op
    if op == "s_endpgm":
        w.done[ws] = True
        return True
    if op == "s_barrier":
        w.barrier[ws] = True
        _count(ch, "barrier", ws)
        return True
    if op == "s_waitcnt":
        _count(ch, "waitcnt", ws)
        if "vmcnt" in instr.mods:
            allowed = int(instr.mods["vmcnt"])
            target = np.maximum(w.vm_done[ws], w.vm_issued[ws] - allowed)
            waited = target > w.vm_done[ws]
            ready = ch.vm_ready[ws, target % 64]
            ch.clock[ws] = np.where(waited, np.maximum(ch.clock[ws], ready), ch.clock[ws])
            w.vm_done[ws] = target
        if "lgkmcnt" in instr.mods:
            allowed = int(instr.mods["lgkmcnt"])
            target = np.maximum(w.lgkm_done[ws], w.lgkm_issued[ws] - allowed)
            waited = target > w.lgkm_done[ws]
            ready = ch.lgkm_ready[ws, target % 64]
            ch.clock[ws] = np.where(waited, np.maximum(ch.clock[ws], ready), ch.clock[ws])
            w.lgkm_done[ws] = target
        if (
            w.maybe_pending
            and np.array_equal(w.vm_done, w.vm_issued)
            and np.array_equal(w.lgkm_done, w.lgkm_issued)
        ):
            w.maybe_pending = False
        return True
    if op in (
        "s_nop",
        "s_setprio",
        "s_sleep",
        "s_waitcnt_vscnt",
        "s_sethalt",
        "s_icache_inv",
        "s_dcache_wb",
        "buffer_wbl2",
        "buffer_inv",
        "s_waitcnt_depctr",
        "s_ttracedata",
    ):
        return True
    if op.startswith("s_branch") or op.startswith("s_cbranch"):
        _count(ch, "branch", ws, 1.0)
        if instr.target < 0:
            raise Fault(f"branch to an unknown label in '{instr.text}'", instr)
        if op == "s_branch":
            take = np.ones(len(ws), bool)
        elif op == "s_cbranch_scc0":
            take = ~w.scc[ws]
        elif op == "s_cbranch_scc1":
            take = w.scc[ws].copy()
        elif op == "s_cbranch_vccz":
            take = w.s64(ws, 106) == 0
        elif op == "s_cbranch_vccnz":
            take = w.s64(ws, 106) != 0
        elif op == "s_cbranch_execz":
            take = w.s64(ws, 126) == 0
        elif op == "s_cbranch_execnz":
            take = w.s64(ws, 126) != 0
        else:
            raise Fault(f"the emulator does not implement the branch '{op}'", instr)
        w.pc[ws[take]] = instr.target
        return True
    if op == "s_getpc_b64":  # code addresses are only used relative to objects: see symbol_bits
        w.set_s64(
            ws,
            instr.operands[0].index if isinstance(instr.operands[0], Reg) else 0,
            np.zeros(len(ws), U64),
        )
        return True
    if op in ("s_trap", "s_setpc_b64", "s_swappc_b64"):
        raise Fault(f"'{op}' (traps and function calls) is not supported by the emulator", instr)
    return False


# ---- memory ----


def _flat_lds(ch: _Chunk, ws: np.ndarray, instr: Instr) -> bool:
    """A flat load or store whose addresses are in the LDS aperture runs as an LDS access."""
    op, ops = instr.op, instr.operands
    kind = op.split("_")[1]
    if kind not in ("load", "store"):
        return False
    mask = ch.w.exec_mask(ws)
    addr = read_u64(ch.w, ws, ops[1 if kind == "load" else 0], instr)
    addr = addr + U64(int(instr.mods.get("offset", "0"), 0))
    hi = (addr >> U64(32))[mask]
    aperture = U64(SHARED_APERTURE >> 32)
    if not (hi == aperture).any():
        if (hi == U64(PRIVATE_APERTURE >> 32)).any():
            raise Fault("a flat access to scratch (private) memory: the emulator has none", instr)
        return False
    if not (hi == aperture).all():
        raise Fault("one flat instruction mixes LDS and global addresses", instr)
    local = (addr & U64(0xFFFFFFFF)).astype(np.int64)
    nbytes = _size_of(op)
    _lgkm_issue(ch, ws, MI300X.lds_latency_cycles)
    _vm_issue(ch, ws)
    _count(ch, "lds", ws, 0.0)
    if kind == "load":
        dst = ops[0]
        assert isinstance(dst, Reg)
        vals = _lds_access(ch, ws, local, mask, nbytes, instr, False)
        assert vals is not None
        for r in range(vals.shape[-1]):
            write_v(ch.w, ws, Reg(dst.kind, dst.index + r), vals[..., r], mask)
        _mark_pending(ch, ws, dst, "lgkm")
    else:
        nwords = max(nbytes // 4, 1)
        words = np.stack([read_u32(ch.w, ws, ops[1], instr, part=r) for r in range(nwords)], -1)
        _lds_access(ch, ws, local, mask, nbytes, instr, True, words)
    return True


def _size_of(op: str) -> int:
    for suffix, n in (
        ("dwordx4", 16),
        ("dwordx3", 12),
        ("dwordx2", 8),
        ("dword", 4),
        ("b128", 16),
        ("b96", 12),
        ("b64", 8),
        ("b32", 4),
        ("ubyte", 1),
        ("sbyte", 1),
        ("ushort", 2),
        ("sshort", 2),
        ("short", 2),
        ("byte", 1),
        ("u8", 1),
        ("i8", 1),
        ("u16", 2),
        ("i16", 2),
        ("b16", 2),
        ("b8", 1),
    ):
        if op.endswith(suffix) or f"_{suffix}_" in op + "_":
            return n
    return 4


def _mark_pending(ch: _Chunk, ws: np.ndarray, dst: Reg, counter: str) -> None:
    w = ch.w
    if dst.kind != "v":
        return
    sl = slice(dst.index, dst.index + dst.count)
    if counter == "vm":
        w.v_vm[ws, sl] = w.vm_issued[ws, None]
    else:
        w.v_lgkm[ws, sl] = w.lgkm_issued[ws, None]


def _vm_issue(ch: _Chunk, ws: np.ndarray) -> None:
    ch.w.vm_issued[ws] += 1
    ch.w.maybe_pending = True
    ch.vm_ready[ws, ch.w.vm_issued[ws] % 64] = ch.clock[ws] + MI300X.memory_latency_cycles


def _lgkm_issue(ch: _Chunk, ws: np.ndarray, latency: float) -> None:
    ch.w.lgkm_issued[ws] += 1
    ch.w.maybe_pending = True
    ch.lgkm_ready[ws, ch.w.lgkm_issued[ws] % 64] = ch.clock[ws] + latency


def _check_global(
    ch: _Chunk,
    ws: np.ndarray,
    addr: np.ndarray,
    mask: np.ndarray,
    nbytes: int,
    instr: Instr,
    what: str,
) -> None:
    flat = addr[mask]
    ok = ch.memory.check(flat, nbytes)
    if not ok.all():
        bad = int(np.argmax(~ok))
        k, lane = np.argwhere(mask)[bad]
        where = ch.memory.name_at(int(flat[bad]), nbytes)
        raise Fault(
            f"out-of-bounds global {what} of {nbytes} bytes at {where}",
            instr,
            int(ws[k]),
            int(lane),
        )
    if flat.size:
        lines = flat.astype(np.int64) >> 7
        ch.lines.update(np.unique(lines).tolist())
        rows = np.nonzero(mask)[0]
        keys = np.unique(rows.astype(np.int64) * (1 << 50) + lines)
        per_wave = np.bincount((keys >> 50).astype(np.int64), minlength=len(ws)) * 128.0
        ch.cycles[ws, 3] += per_wave
        ch.counts["global_lines"] = ch.counts.get("global_lines", 0) + int(per_wave.sum() // 128)
        ch.counts["global_bytes_requested"] = ch.counts.get("global_bytes_requested", 0) + int(
            flat.size * nbytes
        )


def _global_addr(
    ch: _Chunk, ws: np.ndarray, instr: Instr, vaddr_index: int
) -> tuple[np.ndarray, bool]:
    ops = instr.operands
    offset = int(instr.mods.get("offset", "0"), 0)
    saddr = (
        ops[-1]
        if isinstance(ops[-1], Reg) and ops[-1].kind == "s" and len(ops) > vaddr_index + 1
        else None
    )
    va = ops[vaddr_index]
    if saddr is not None:
        base = read_scalar(ch.w, ws, saddr, instr, wide=True).astype(U64)
        off = read_u32(ch.w, ws, va, instr).astype(U64)
        return (base[:, None] + off + U64(offset & 0xFFFFFFFFFFFFFFFF)).astype(
            U64
        ) if offset >= 0 else (base[:, None] + off - U64(-offset)), True
    a = read_u64(ch.w, ws, va, instr)
    return (a + U64(offset)) if offset >= 0 else (a - U64(-offset)), False


def _global(ch: _Chunk, ws: np.ndarray, instr: Instr) -> None:
    w, op, ops = ch.w, instr.op, instr.operands
    mask = w.exec_mask(ws)
    nbytes = _size_of(op)
    has_saddr = isinstance(ops[-1], Reg) and ops[-1].kind == "s"
    nops = len(ops) - (1 if has_saddr else 0)
    kind = op.split("_")[1]
    if kind == "load":
        addr, _ = _global_addr(ch, ws, instr, 1)
        _check_global(ch, ws, addr, mask, nbytes, instr, "load")
        _vm_issue(ch, ws)
        dst = ops[0]
        assert isinstance(dst, Reg)
        if mask.any():
            words = ch.memory.gather(addr[mask], max(nbytes, 4) if nbytes >= 4 else nbytes)
            if nbytes < 4:
                raw = ch.memory.data[
                    (addr[mask].astype(np.int64) - 0x7F0000000000)[:, None] + np.arange(nbytes)
                ]
                val = raw[:, 0].astype(U32) | (
                    raw[:, 1].astype(U32) << U32(8) if nbytes > 1 else U32(0)
                )
                if "sbyte" in op or "sshort" in op:
                    bits = 8 * nbytes
                    val = np.where(
                        val >> U32(bits - 1), val | U32((0xFFFFFFFF << bits) & 0xFFFFFFFF), val
                    )
                words = val[:, None]
            for r in range(words.shape[1]):
                full = np.zeros(mask.shape, U32)
                full[mask] = words[:, r]
                write_v(w, ws, Reg(dst.kind, dst.index + r), full, mask)
        _mark_pending(ch, ws, dst, "vm")
        _count(ch, "vmem_load", ws, 4.0)
        return
    if kind == "store":
        addr, _ = _global_addr(ch, ws, instr, 0)
        _check_global(ch, ws, addr, mask, nbytes, instr, "store")
        _vm_issue(ch, ws)
        nwords = max(nbytes // 4, 1)
        words = np.stack([read_u32(w, ws, ops[1], instr, part=r) for r in range(nwords)], axis=-1)
        if mask.any():
            ch.memory.scatter(addr[mask], words[mask], nbytes)
        _count(ch, "vmem_store", ws, 4.0)
        return
    if kind == "atomic":
        returns = nops == 3
        vaddr_i = 1 if returns else 0
        addr, _ = _global_addr(ch, ws, instr, vaddr_i)
        name = (
            op[len("global_atomic_") :] if op.startswith("global_") else op[len("flat_atomic_") :]
        )
        wide = name.endswith("x2")
        nb = 8 if wide else 4
        _check_global(ch, ws, addr, mask, nb, instr, "atomic")
        _vm_issue(ch, ws)
        data = read_u32(w, ws, ops[vaddr_i + 1], instr)
        cmp = (
            read_u32(w, ws, ops[vaddr_i + 1], instr, part=1) if name.startswith("cmpswap") else None
        )
        old = _atomic(ch.memory, addr, mask, data, cmp, name, instr)
        if returns:
            write_v(w, ws, ops[0], old, mask)
            _mark_pending(ch, ws, ops[0], "vm")  # type: ignore[arg-type]
        _count(ch, "vmem_atomic", ws, 4.0)
        return
    raise Fault(f"the emulator does not implement the instruction '{instr.raw_op}'", instr)


def _atomic_value(
    name: str, old: np.ndarray, data: np.ndarray, cmp: np.ndarray | None
) -> np.ndarray:
    base = name.split("_")[0]
    typ = name.split("_")[-1] if "_" in name else "u32"
    if base == "add" and typ == "f32":
        return bits32(f32(old) + f32(data))
    if base == "add":
        return old + data
    if base == "sub":
        return old - data
    if (base in ("smax", "max") and typ in ("i32",)) or base == "smax":
        return np.where(old.view(np.int32) >= data.view(np.int32), old, data)
    if base in ("smin",):
        return np.where(old.view(np.int32) <= data.view(np.int32), old, data)
    if base in ("umax",):
        return np.maximum(old, data)
    if base in ("umin",):
        return np.minimum(old, data)
    if (base == "max" and typ == "f32") or base == "fmax":
        return bits32(np.fmax(f32(old), f32(data)))
    if (base == "min" and typ == "f32") or base == "fmin":
        return bits32(np.fmin(f32(old), f32(data)))
    if base == "and":
        return old & data
    if base == "or":
        return old | data
    if base == "xor":
        return old ^ data
    if base == "swap":
        return data
    if base == "inc":
        return np.where(old >= data, U32(0), old + U32(1))
    if base == "dec":
        return np.where((old == 0) | (old > data), data, old - U32(1))
    if base == "cmpswap":
        assert cmp is not None
        return np.where(old == cmp, data, old)
    raise Fault(f"the emulator does not implement the atomic '{name}'")


def _atomic(
    memory: DeviceMemory,
    addr: np.ndarray,
    mask: np.ndarray,
    data: np.ndarray,
    cmp: np.ndarray | None,
    name: str,
    instr: Instr,
) -> np.ndarray:
    """Lane by lane in order of (wave, lane), so conflicting lanes see each other's updates."""
    old_all = np.zeros(mask.shape, U32)
    idx = np.argwhere(mask)
    flat_addr = addr[mask].astype(np.int64)
    flat_data = data[mask]
    flat_cmp = cmp[mask] if cmp is not None else None
    remaining = np.arange(len(flat_addr))
    olds = np.zeros(len(flat_addr), U32)
    while remaining.size:
        _, first = np.unique(flat_addr[remaining], return_index=True)
        take = remaining[np.sort(first)]
        a = flat_addr[take]
        cur = memory.gather(a, 4)[:, 0]
        try:
            new = _atomic_value(
                name, cur, flat_data[take], flat_cmp[take] if flat_cmp is not None else None
            )
        except Fault as fault:
            raise Fault(fault.message, instr) from None
        memory.scatter(a, new[:, None], 4)
        olds[take] = cur
        remaining = np.setdiff1d(remaining, take, assume_unique=True)
    if len(idx):
        old_all[idx[:, 0], idx[:, 1]] = olds
    return old_all


def _smem(ch: _Chunk, ws: np.ndarray, instr: Instr) -> None:
    w, ops = ch.w, instr.operands
    dst, base_op = ops[0], ops[1]
    assert isinstance(dst, Reg)
    base = read_scalar(w, ws, base_op, instr, wide=True).astype(np.int64)
    off_op = ops[2] if len(ops) > 2 else Imm(0)
    off = read_scalar(w, ws, off_op, instr).astype(np.int64)
    addr = base + off
    nbytes = 4 * dst.count
    ok = ch.memory.check(addr, nbytes)
    if not ok.all():
        k = int(np.argmax(~ok))
        raise Fault(
            f"out-of-bounds scalar load of {nbytes} bytes at {ch.memory.name_at(int(addr[k]))}",
            instr,
            int(ws[k]),
        )
    words = ch.memory.gather(addr.astype(U64), nbytes)
    w.s[ws, dst.index : dst.index + dst.count] = words
    _lgkm_issue(ch, ws, MI300X.smem_latency_cycles)
    w.s_lgkm[ws, dst.index : dst.index + dst.count] = w.lgkm_issued[ws, None]
    _count(ch, "smem", ws, 1.0)


def _buffer(ch: _Chunk, ws: np.ndarray, instr: Instr) -> None:
    w, op, ops = ch.w, instr.op, instr.operands
    mask = w.exec_mask(ws)
    nbytes = _size_of(op)
    is_load = "_load_" in op
    is_store = "_store_" in op
    if not (is_load or is_store):
        raise Fault(f"the emulator does not implement the instruction '{instr.raw_op}'", instr)
    offen = "offen" in instr.mods
    if "idxen" in instr.mods:
        raise Fault("buffer instructions with idxen are not supported by the emulator", instr)
    i = 1
    voff = np.zeros(mask.shape, U64)
    if offen:
        voff = read_u32(w, ws, ops[i], instr).astype(U64)
        i += 1
    rsrc = ops[i]
    soff_op = ops[i + 1] if len(ops) > i + 1 else Imm(0)
    assert isinstance(rsrc, Reg)
    r0 = read_scalar(w, ws, Reg("s", rsrc.index), instr).astype(U64)
    r1 = read_scalar(w, ws, Reg("s", rsrc.index + 1), instr).astype(U64)
    r2 = read_scalar(w, ws, Reg("s", rsrc.index + 2), instr).astype(U64)
    base = r0 | ((r1 & U64(0xFFFF)) << U64(32))
    soff = read_scalar(w, ws, soff_op, instr).astype(U64)
    inst_off = U64(int(instr.mods.get("offset", "0"), 0))
    offset = voff + inst_off
    in_range = (offset + U64(nbytes) <= r2[:, None]) & mask
    addr = base[:, None] + soff[:, None] + offset
    _check_global(
        ch, ws, addr, in_range, nbytes, instr, "buffer load" if is_load else "buffer store"
    )
    _vm_issue(ch, ws)
    if is_load:
        dst = ops[0]
        assert isinstance(dst, Reg)
        nwords = max(nbytes // 4, 1)
        vals = np.zeros((*mask.shape, nwords), U32)
        if in_range.any():
            vals[in_range] = ch.memory.gather(addr[in_range], nbytes)
        for r in range(nwords):
            write_v(w, ws, Reg("v", dst.index + r), vals[..., r], mask)
        _mark_pending(ch, ws, dst, "vm")
        _count(ch, "vmem_load", ws, 4.0)
    else:
        nwords = max(nbytes // 4, 1)
        words = np.stack([read_u32(w, ws, ops[0], instr, part=r) for r in range(nwords)], axis=-1)
        if in_range.any():
            ch.memory.scatter(addr[in_range], words[in_range], nbytes)
        _count(ch, "vmem_store", ws, 4.0)


# ---- LDS ----

_SWIZZLE = re.compile(r"swizzle\((\w+)(?:,([^)]*))?\)")


def _lds_check(
    ch: _Chunk,
    ws: np.ndarray,
    addr: np.ndarray,
    mask: np.ndarray,
    nbytes: int,
    instr: Instr,
    write: bool,
) -> None:
    """Bounds, races between barriers and uninitialised reads, per dword."""
    if not mask.any():
        return
    kk, lanes = np.nonzero(mask)
    a = addr[mask].astype(np.int64)
    bad = (a < 0) | (a + nbytes > ch.lds_size)
    if bad.any():
        i = int(np.argmax(bad))
        raise Fault(
            f"out-of-bounds LDS {'write' if write else 'read'} of {nbytes} bytes at byte "
            f"{int(a[i])} (the workgroup has {ch.lds_size} bytes of LDS)",
            instr,
            int(ws[kk[i]]),
            int(lanes[i]),
        )
    lds = ch.lds
    waves = ws[kk]
    groups = ch.group_of[waves]
    wid = ch.wave_in_group[waves].astype(np.int32)
    epochs = ch.epoch[groups]
    first, last = a >> 2, (a + nbytes - 1) >> 2
    for d_off in range(int((last - first).max()) + 1):
        d = first + d_off
        sel = d <= last
        g, dd, wv, ep = groups[sel], d[sel], wid[sel], epochs[sel]
        if write:
            race = ((lds.w_epoch[g, dd] == ep) & (lds.w_wave[g, dd] != wv)) | (
                (lds.r_epoch[g, dd] == ep) & (lds.r_wave[g, dd] != wv) & (lds.r_wave[g, dd] != -1)
            )
            if race.any():
                i = int(np.argmax(race))
                other = (
                    int(lds.w_wave[g[i], dd[i]])
                    if lds.w_epoch[g[i], dd[i]] == ep[i]
                    else int(lds.r_wave[g[i], dd[i]])
                )
                who = f"wave {other}" if other >= 0 else "other waves"
                ch.add(
                    "race",
                    f"LDS race: write to byte {int(dd[i]) * 4} that {who} also "
                    "accessed since the last barrier (missing __syncthreads?)",
                    instr,
                    int(waves[sel][i]),
                    int(lanes[sel][i]),
                )
            lds.w_epoch[g, dd] = ep
            lds.w_wave[g, dd] = wv
        else:
            race = (lds.w_epoch[g, dd] == ep) & (lds.w_wave[g, dd] != wv) & (lds.w_wave[g, dd] >= 0)
            if race.any():
                i = int(np.argmax(race))
                ch.add(
                    "race",
                    f"LDS race: read of byte {int(dd[i]) * 4} that wave "
                    f"{int(lds.w_wave[g[i], dd[i]])} wrote since the last barrier (missing "
                    "__syncthreads?)",
                    instr,
                    int(waves[sel][i]),
                    int(lanes[sel][i]),
                )
            fresh = lds.r_epoch[g, dd] != ep
            lds.r_wave[g[fresh], dd[fresh]] = wv[fresh]
            lds.r_epoch[g[fresh], dd[fresh]] = ep[fresh]
            stale = ~fresh
            other = stale & (lds.r_wave[g, dd] != wv)
            lds.r_wave[g[other], dd[other]] = -2
    byte_idx = a[:, None] + np.arange(nbytes)[None, :]
    gi = np.repeat(groups[:, None], nbytes, axis=1)
    if write:
        lds.init[gi, byte_idx] = True
    else:
        missing = ~lds.init[gi, byte_idx]
        if missing.any():
            i = int(np.argmax(missing.any(axis=1)))
            ch.add(
                "uninit",
                f"read of uninitialised LDS at byte {int(a[i])}",
                instr,
                int(waves[i]),
                int(lanes[i]),
            )


def _bank_cycles(addr: np.ndarray, mask: np.ndarray, nbytes: int) -> float:
    """LDS cycles of one wave's access: 128 bytes per clock, times the worst bank conflict."""
    words = max(nbytes // 4, 1)
    active = int(mask.sum())
    if not active:
        return 0.0
    base = active * words * 4 / 128.0
    a = addr[mask].astype(np.int64) >> 2
    lanes = np.nonzero(mask)[0]
    worst = 1
    for half in (0, 1):
        sel = (lanes >> 5) == half
        if sel.sum() < 2:
            continue
        dw = np.unique(a[sel])
        counts = np.bincount(dw & 31, minlength=32)
        worst = max(worst, int(counts.max()))
    return base * worst if nbytes == 4 else base


def _lds_access(
    ch: _Chunk,
    ws: np.ndarray,
    addr: np.ndarray,
    mask: np.ndarray,
    nbytes: int,
    instr: Instr,
    write: bool,
    words: np.ndarray | None = None,
) -> np.ndarray | None:
    _lds_check(ch, ws, addr, mask, nbytes, instr, write)
    lds = ch.lds
    nwords = max(nbytes // 4, 1)
    kk, _lanes = np.nonzero(mask)
    groups = ch.group_of[ws[kk]]
    a = addr[mask].astype(np.int64)
    byte_idx = a[:, None] + np.arange(nbytes)[None, :]
    gi = np.repeat(groups[:, None], nbytes, axis=1)
    for i, wv in enumerate(ws):
        ch.cycles[wv, 1] += _bank_cycles(addr[i], mask[i], nbytes)
    if write:
        assert words is not None
        raw = (
            np.ascontiguousarray(words[mask].astype(U32))
            .view(np.uint8)
            .reshape(len(a), -1)[:, :nbytes]
        )
        lds.data[gi, byte_idx] = raw
        return None
    out = np.zeros((*mask.shape, nwords), U32)
    if len(a):
        raw = lds.data[gi, byte_idx]
        if nbytes < 4:
            val = raw[:, 0].astype(U32)
            if nbytes == 2:
                val |= raw[:, 1].astype(U32) << U32(8)
            out[mask] = val[:, None]
        else:
            out[mask] = np.ascontiguousarray(raw).view(U32).reshape(len(a), nwords)
    return out


def _ds(ch: _Chunk, ws: np.ndarray, instr: Instr) -> None:
    w, op, ops = ch.w, instr.op, instr.operands
    mask = w.exec_mask(ws)
    offset = (
        int(instr.mods.get("offset", "0"), 0)
        if not instr.mods.get("offset", "0").startswith("swizzle")
        else 0
    )
    _lgkm_issue(ch, ws, MI300X.lds_latency_cycles)
    _count(ch, "lds", ws, 0.0)
    if op in ("ds_bpermute_b32", "ds_permute_b32"):
        addr = read_u32(w, ws, ops[1], instr).astype(np.int64) + offset
        data = read_u32(w, ws, ops[2], instr)
        data = np.where(mask, data, U32(0))
        lane = (addr >> 2) & 63
        rows = np.arange(len(ws))[:, None]
        if op == "ds_bpermute_b32":
            out = data[rows, lane]
        else:
            out = np.zeros(mask.shape, U32)
            for k in range(len(ws)):
                out[k, lane[k][mask[k]]] = data[k][mask[k]]
        write_v(w, ws, ops[0], out, mask)
        _mark_pending(ch, ws, ops[0], "lgkm")  # type: ignore[arg-type]
        ch.cycles[ws, 1] += 2.0
        return
    if op == "ds_swizzle_b32":
        data = np.where(mask, read_u32(w, ws, ops[1], instr), U32(0))
        src = _swizzle_lanes(instr)
        write_v(w, ws, ops[0], data[:, src], mask)
        _mark_pending(ch, ws, ops[0], "lgkm")  # type: ignore[arg-type]
        ch.cycles[ws, 1] += 2.0
        return
    if op.startswith("ds_read") or op.startswith("ds_load"):
        dst = ops[0]
        assert isinstance(dst, Reg)
        base = read_u32(w, ws, ops[1], instr).astype(np.int64)
        if op.startswith("ds_read2"):
            unit = 8 if op.endswith("b64") else 4
            if "st64" in op:
                unit *= 64
            nb = 8 if op.endswith("b64") else 4
            parts = []
            for key in ("offset0", "offset1"):
                off = int(instr.mods.get(key, "0"), 0) * unit
                parts.append(_lds_access(ch, ws, (base + off) & 0xFFFFFFFF, mask, nb, instr, False))
            vals: np.ndarray = np.concatenate([p for p in parts if p is not None], axis=-1)
        else:
            nb = _size_of(op)
            got = _lds_access(ch, ws, (base + offset) & 0xFFFFFFFF, mask, nb, instr, False)
            assert got is not None
            vals = got
            if op in ("ds_read_i8", "ds_read_i16"):
                bits = 8 if op.endswith("8") else 16
                v = vals[..., 0]
                vals = np.where(v >> U32(bits - 1), v | U32((0xFFFFFFFF << bits) & 0xFFFFFFFF), v)[
                    ..., None
                ]
        for r in range(vals.shape[-1]):
            write_v(w, ws, Reg(dst.kind, dst.index + r), vals[..., r], mask)
        _mark_pending(ch, ws, dst, "lgkm")
        return
    if op.startswith("ds_write") or op.startswith("ds_store"):
        base = read_u32(w, ws, ops[0], instr).astype(np.int64)
        if op.startswith("ds_write2"):
            unit = 8 if op.endswith("b64") else 4
            if "st64" in op:
                unit *= 64
            nb = 8 if op.endswith("b64") else 4
            for key, data_op in (("offset0", ops[1]), ("offset1", ops[2])):
                off = int(instr.mods.get(key, "0"), 0) * unit
                words = np.stack(
                    [read_u32(w, ws, data_op, instr, part=r) for r in range(nb // 4)], axis=-1
                )
                _lds_access(ch, ws, (base + off) & 0xFFFFFFFF, mask, nb, instr, True, words)
            return
        nb = _size_of(op)
        nwords = max(nb // 4, 1)
        words = np.stack([read_u32(w, ws, ops[1], instr, part=r) for r in range(nwords)], axis=-1)
        if op.endswith("d16_hi") or op.endswith("b16_d16_hi"):
            words = words >> U32(16)
        _lds_access(ch, ws, (base + offset) & 0xFFFFFFFF, mask, nb, instr, True, words)
        return
    # LDS atomics: ds_<op>[_rtn]_<type>
    name = op[3:]
    returns = "_rtn_" in name
    name = name.replace("_rtn", "")
    vi = 1 if returns else 0
    base = (read_u32(w, ws, ops[vi], instr).astype(np.int64) + offset) & 0xFFFFFFFF
    data = read_u32(w, ws, ops[vi + 1], instr)
    cmp = (
        read_u32(w, ws, ops[vi + 2], instr)
        if name.startswith("cmpst") and len(ops) > vi + 2
        else None
    )
    old = np.zeros(mask.shape, U32)
    _lds_check(ch, ws, base, mask, 4, instr, True)
    kk, ll = np.nonzero(mask)
    for k, ln in zip(kk.tolist(), ll.tolist(), strict=True):
        g = int(ch.group_of[ws[k]])
        at = int(base[k, ln])
        cur = ch.lds.data[g, at : at + 4].view(U32)[0:1].copy()
        aname = name
        if aname.startswith("cmpst"):
            new = np.where(
                cur == data[k, ln : ln + 1],
                cmp[k, ln : ln + 1] if cmp is not None else cur,
                cur,
            )
        else:
            new = _atomic_value(
                aname.replace("max_i32", "smax_i32")
                .replace("min_i32", "smin_i32")
                .replace("max_u32", "umax_u32")
                .replace("min_u32", "umin_u32")
                .replace("max_f32", "fmax_f32")
                .replace("min_f32", "fmin_f32"),
                cur,
                data[k, ln : ln + 1],
                None,
            )
        ch.lds.data[g, at : at + 4] = new.astype(U32).view(np.uint8)
        old[k, ln] = cur[0]
    if returns:
        write_v(w, ws, ops[0], old, mask)
        _mark_pending(ch, ws, ops[0], "lgkm")  # type: ignore[arg-type]
    ch.cycles[ws, 1] += 2.0


def _swizzle_lanes(instr: Instr) -> np.ndarray:
    text = instr.mods.get("offset", "0")
    lanes = np.arange(LANES)
    m = _SWIZZLE.match(text)
    if m is None:
        value = int(text, 0)
        if value & 0x8000:
            sel = [(value >> (2 * i)) & 3 for i in range(4)]
            return (lanes & ~3) + np.array(sel)[lanes & 3]
        and_m, or_m, xor_m = value & 31, (value >> 5) & 31, (value >> 10) & 31
        return (lanes & ~31) | ((((lanes & 31) & and_m) | or_m) ^ xor_m)
    mode, args = m.group(1), [a.strip() for a in (m.group(2) or "").split(",") if a.strip()]
    if mode == "QUAD_PERM":
        return (lanes & ~3) + np.array([int(a) for a in args])[lanes & 3]
    if mode == "SWAP":
        return lanes ^ int(args[0])
    if mode == "REVERSE":
        n = int(args[0])
        return (lanes & ~(n - 1)) | ((n - 1) - (lanes & (n - 1)))
    if mode == "BROADCAST":
        n, lane = int(args[0]), int(args[1])
        return (lanes & ~(n - 1)) | lane
    raise Fault(f"the emulator does not implement ds_swizzle mode {mode}", instr)


# ---- MFMA ----


def _mfma(ch: _Chunk, ws: np.ndarray, instr: Instr) -> None:
    shape = MFMA.get(instr.op)
    if shape is None:
        raise Fault(f"the emulator does not implement the instruction '{instr.raw_op}'", instr)
    for key in ("cbsz", "abid", "blgp"):
        if int(instr.mods.get(key, "0")) != 0:
            raise Fault(f"MFMA with {key} is not supported by the emulator", instr)
    m, k, typ, cycles = shape
    w = ch.w
    dst, a_op, b_op, c_op = instr.operands[:4]
    groups = 64 // m
    kpl = k // groups  # values per lane
    regs_in = 1 if typ == "f32" else (kpl + 1) // 2

    def load(op: Any) -> np.ndarray:
        raw = [read_u32(w, ws, op, instr, part=r) for r in range(regs_in)]
        vals = []
        for j in range(kpl):
            if typ == "f32":
                vals.append(f32(raw[j]))
            else:
                half = (raw[j // 2] >> U32(16 * (j % 2))) & U32(0xFFFF)
                vals.append(f32_from_f16(half) if typ == "f16" else f32_from_bf16(half))
        return np.stack(vals, axis=-1).astype(np.float64)  # (w, 64, kpl)

    a, b = load(a_op), load(b_op)
    lanes = np.arange(LANES)
    amat = np.zeros((len(ws), m, k))
    bmat = np.zeros((len(ws), k, m))
    row, grp = lanes % m, lanes // m
    for j in range(kpl):
        amat[:, row, grp * kpl + j] = a[:, :, j]
        bmat[:, grp * kpl + j, row] = b[:, :, j]
    prod = amat @ bmat  # (w, m, m)
    nregs = m * m // LANES
    r = np.arange(nregs)
    out_row = (r[:, None] // 4) * (4 * groups) + (lanes[None, :] // m) * 4 + (r[:, None] % 4)
    out_col = np.broadcast_to(lanes[None, :] % m, out_row.shape)
    mask = np.ones((len(ws), LANES), bool)
    for reg in range(nregs):
        if isinstance(c_op, Imm):
            c = np.full((len(ws), LANES), float(c_op.value))
        else:
            c = f32(read_u32(w, ws, c_op, instr, part=reg)).astype(np.float64)
        d = prod[:, out_row[reg], out_col[reg]] + c
        write_v(w, ws, dst, bits32(d.astype(F32)), mask, part=reg)
    _count(ch, "mfma", ws, float(cycles))
    ch.counts["mfma_flops"] = ch.counts.get("mfma_flops", 0) + len(ws) * 2 * m * m * k
