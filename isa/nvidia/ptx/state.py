"""The state of one chunk of blocks being emulated: registers, geometry, shared and local
memory with their sanitizer shadows, and where findings and counters go."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from isa.nvidia.ptx.errors import PtxFault
from isa.nvidia.ptx.memory import DeviceMemory
from isa.nvidia.ptx.module import Instruction, Kernel
from isa.nvidia.ptx.numerics import storage
from isa.nvidia.ptx.results import Counters, EmuLimits, Finding

SHARED_WINDOW = 1 << 32  # generic addresses [SHARED_WINDOW, +4 GiB) are shared memory
LOCAL_WINDOW = 2 << 32  # generic addresses [LOCAL_WINDOW, +4 GiB) are local memory
WINDOW_SIZE = 1 << 32


@dataclass
class Report:
    """Findings and counters of a whole launch (shared by its chunks)."""

    counters: Counters
    limits: EmuLimits
    findings: list[Finding] = field(default_factory=list)
    dropped: int = 0
    seen: set[tuple[str, int]] = field(default_factory=set)
    touched: np.ndarray | None = None  # one flag per 32-byte sector of global memory
    bank_cache: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what is allowed but worth knowing
    printed: list[str] = field(default_factory=list)  # printf output, in order
    printed_bytes: int = 0
    printed_dropped: int = 0


class ChunkState:
    """`n` threads: `nblocks` blocks of `tpb` threads each (padded to whole warps)."""

    def __init__(
        self,
        kernel: Kernel,
        memory: DeviceMemory,
        report: Report,
        block: tuple[int, int, int],
        grid: tuple[int, int, int],
        block_ids: np.ndarray,  # linear block ids of this chunk
        shared_bytes: int,
        params: bytes,
        symbols: dict[str, int],
        dynamic_shared_bytes: int,
    ) -> None:
        self.kernel = kernel
        self.mem = memory
        self.report = report
        self.block = block
        self.grid = grid
        threads = block[0] * block[1] * block[2]
        self.threads_per_block = threads
        self.tpb = -(-threads // 32) * 32
        self.nblocks = int(block_ids.size)
        self.n = self.nblocks * self.tpb
        n = self.n
        lin = np.tile(np.arange(self.tpb, dtype=np.int64), self.nblocks)
        self.blk = np.repeat(np.arange(self.nblocks, dtype=np.int64), self.tpb)
        self.block_ids = block_ids
        self.first_touch: np.ndarray | None = None  # per block: sectors it touched first
        # per block: global sectors requested by loads (row 0) and stores (row 1)
        self.block_sectors: np.ndarray | None = None
        bid = block_ids[self.blk]
        self.live = lin < threads
        self.thread_linear = lin
        self.tid = (
            (lin % block[0]).astype(np.uint32),
            ((lin // block[0]) % block[1]).astype(np.uint32),
            (lin // (block[0] * block[1])).astype(np.uint32),
        )
        self.ctaid = (
            (bid % grid[0]).astype(np.uint32),
            ((bid // grid[0]) % grid[1]).astype(np.uint32),
            (bid // (grid[0] * grid[1])).astype(np.uint32),
        )
        self.lane = (lin % 32).astype(np.uint32)
        self.warp_in_block = (lin // 32).astype(np.uint32)
        self.gwarp = np.arange(n, dtype=np.int64) // 32  # warp index within the chunk
        self.nwarps = n // 32
        self.regs: dict[str, np.ndarray] = {}
        self.reg_dtype: dict[str, np.dtype] = {}
        for name, ptype in kernel.registers.items():
            dt = storage(ptype)
            self.reg_dtype[name] = dt
            self.regs[name] = np.zeros(n, dtype=dt)
        self.params = params
        self.symbols = symbols
        self.dynamic_shared_bytes = dynamic_shared_bytes
        # shared memory and its shadows (per byte): initialised, writer warp, reader warp
        self.shared_size = shared_bytes
        sz = max(shared_bytes, 1) * self.nblocks
        self.shared = np.zeros(-(-sz // 16) * 16, dtype=np.uint8)
        self.sh_init = np.zeros(sz, dtype=bool)
        self.sh_pending = np.zeros(sz, dtype=bool)
        self.sh_writer = np.full(sz, -1, dtype=np.int32)  # warp in chunk, -1: none
        self.sh_reader = np.full(sz, -1, dtype=np.int32)  # warp, -1: none, -2: several
        self.shadow_dirty = False
        self.local_size = -(-kernel.local_bytes // 16) * 16
        self.local = np.zeros(max(self.local_size, 16) * n, dtype=np.uint8)
        self.cp_groups: list[list[np.ndarray]] = [[]]
        self.cp_async_used = False
        self.all_idx = np.arange(n)  # shared byte indices per group
        self.special_cache: dict[str, np.ndarray] = {}
        self.steps = 0
        self.clock = 0

    # ------------------------------------------------------------ helpers

    def active(self, mask: np.ndarray | None) -> np.ndarray:
        """Indices of the threads in `mask` (all threads when None)."""
        if mask is None:
            return self.all_idx
        return np.flatnonzero(mask)

    def write(self, name: str, value: np.ndarray | np.generic, mask: np.ndarray | None) -> None:
        dt = self.reg_dtype[name]
        v = np.asarray(value)
        if v.dtype != dt:
            if v.dtype.itemsize == dt.itemsize and dt != np.bool_ and v.dtype != np.bool_:
                v = v.view(dt)
            elif v.dtype.kind == "f":
                v = v.view(storage_of(v.dtype)).astype(dt)
            else:
                v = v.astype(dt)
        if mask is None:
            self.regs[name] = v if v.shape == (self.n,) else np.full(self.n, v, dtype=dt)
        else:
            self.regs[name] = np.where(mask, v, self.regs[name])

    def write_at(self, name: str, idx: np.ndarray, value: np.ndarray) -> None:
        """Write `value` (one per index) to the threads `idx`."""
        dt = self.reg_dtype[name]
        v = np.asarray(value)
        if v.dtype != dt:
            v = v.view(dt) if v.dtype.itemsize == dt.itemsize and dt != np.bool_ else v.astype(dt)
        if idx.size == self.n:
            self.regs[name] = v.copy() if v.base is not None else v
        else:
            new = self.regs[name].copy()
            new[idx] = v
            self.regs[name] = new

    def thread_of(self, i: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        b = (int(self.ctaid[0][i]), int(self.ctaid[1][i]), int(self.ctaid[2][i]))
        t = (int(self.tid[0][i]), int(self.tid[1][i]), int(self.tid[2][i]))
        return b, t

    def finding(self, kind: str, message: str, ins: Instruction, thread: int) -> Finding:
        block, tid = self.thread_of(thread)
        f = Finding(
            kind=kind,
            message=message,
            block=block,
            thread=tid,
            ptx_line=ins.line,
            instruction=ins.text,
            source=ins.source,
            source_line=ins.source_line,
        )
        key = (kind, ins.line)
        rep = self.report
        if key not in rep.seen:
            rep.seen.add(key)
            if len(rep.findings) < rep.limits.max_findings:
                rep.findings.append(f)
            else:
                rep.dropped += 1
        return f

    def note(self, kind: str, message: str, ins: Instruction, thread: int) -> None:
        """Something the kernel may do, but should know about (not a finding: findings
        reject a run). Once per kind and instruction."""
        key = ("note:" + kind, ins.line)
        rep = self.report
        if key in rep.seen or len(rep.notes) >= rep.limits.max_findings:
            return
        rep.seen.add(key)
        block, _ = self.thread_of(thread)
        where = ins.source or f"ptx line {ins.line}"
        rep.notes.append(f"{where}: {message} (block {block}, `{ins.text}`)")

    def fault(self, kind: str, message: str, ins: Instruction, thread: int) -> PtxFault:
        f = self.finding(kind, message, ins, thread)
        findings = list(self.report.findings)
        if f not in findings:
            findings.append(f)
        return PtxFault(
            str(f),
            line=ins.line,
            findings=findings,
            counters=self.report.counters,
            printed="".join(self.report.printed),
        )

    def reset_shadow(self, blocks: np.ndarray | None = None) -> None:
        """A barrier: forget who wrote and read shared memory (in `blocks`, default all)."""
        if not self.shadow_dirty:
            return
        if blocks is None:
            self.sh_writer.fill(-1)
            self.sh_reader.fill(-1)
            self.shadow_dirty = False
            return
        size = max(self.shared_size, 1)
        self.sh_writer.reshape(self.nblocks, size)[blocks] = -1
        self.sh_reader.reshape(self.nblocks, size)[blocks] = -1


def storage_of(dt: np.dtype) -> np.dtype:
    return np.dtype(f"u{dt.itemsize}")
