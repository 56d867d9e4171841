"""The DMA rules of the TILE and VLX specs: what may not be touched until a transfer is waited on.

The simulator copies data when a transfer is issued, in program order. That equals the
asynchronous hardware only while programs keep these rules, so a broken rule is an error
naming both lines instead of a silent race.

Pending transfers are tracked per word, so every check costs one look at the block's words,
however many transfers are pending: `owner` maps an on-chip word to the pending `dld` writing
it (those never overlap anything else pending, by the rules), `readers` and `dram_writers`
count the pending `dst` reading an on-chip word and writing a DRAM word.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from isa.accel.common.memory import Block, overlaps, view
from isa.base import ExecutionError


@dataclass(frozen=True)
class Transfer:
    op: str  # "dld" | "dst"
    tag: int
    line: int
    onchip: Block
    dram: Block
    finish: int

    def fix(self) -> str:
        return f"before that transfer was waited on; add 'dwait t{self.tag}' before it"


class Hazards:
    def __init__(self, memories: Mapping[str, int], dram_words: int) -> None:
        self.pending: dict[int, Transfer] = {}
        self.next_id = 1
        self.owner = {mem: np.zeros(n, dtype=np.int32) for mem, n in memories.items()}
        self.readers = {mem: np.zeros(n, dtype=np.int32) for mem, n in memories.items()}
        self.dram_words = dram_words
        self.dram_writers: np.ndarray | None = None  # allocated at the first `dst`
        self.loads = 0
        self.stores = 0
        self.spans: dict[int, tuple[str, str, int, int]] = {}  # id -> (op, mem, lo, hi) on chip

    def clear(self, mem: str, lo: int, hi: int, write: bool) -> bool:
        """Whether an on-chip access to words [lo, hi) surely breaks no rule: a quick test on
        the bounding intervals of pending transfers, before the exact per-word check."""
        for op, span_mem, span_lo, span_hi in self.spans.values():
            if span_mem == mem and lo < span_hi and span_lo < hi and (write or op == "dld"):
                return False
        return True

    def check_onchip(self, op: str, block: Block, write: bool, line: int) -> None:
        """An access to on-chip memory by any instruction (transfers included)."""
        if self.clear(block.mem, block.lo, block.hi, write):
            return
        if self.loads:
            ids = view(self.owner[block.mem], block)
            if ids.any():
                t = self.pending[int(ids[ids != 0][0])]
                verb = "writes" if write else "reads"
                raise ExecutionError(
                    f"{op} {verb} {block}, the destination of the dld at line {t.line} "
                    f"(tag t{t.tag}), {t.fix()}",
                    line,
                )
        if write and self.stores and view(self.readers[block.mem], block).any():
            t = self._first("dst", lambda t: overlaps(t.onchip, block))
            raise ExecutionError(
                f"{op} writes {block}, the source of the dst at line {t.line} (tag t{t.tag}), "
                f"{t.fix()}",
                line,
            )

    def check_dram_read(self, op: str, block: Block, line: int) -> None:
        """A `dld` reading DRAM."""
        if self.dram_writers is not None and self.stores and view(self.dram_writers, block).any():
            t = self._first("dst", lambda t: overlaps(t.dram, block))
            raise ExecutionError(
                f"{op} reads {block}, which the dst at line {t.line} (tag t{t.tag}) writes, "
                f"{t.fix()}",
                line,
            )

    def add(self, transfer: Transfer) -> None:
        tid = self.next_id
        self.next_id += 1
        self.pending[tid] = transfer
        self.spans[tid] = (transfer.op, transfer.onchip.mem, transfer.onchip.lo, transfer.onchip.hi)
        self._mark(tid, transfer, +1)

    def wait(self, tag: int) -> int:
        """Forget every transfer tagged `tag`; returns the cycle the last of them finishes."""
        done = [tid for tid, t in self.pending.items() if t.tag == tag]
        finish = 0
        for tid in done:
            transfer = self.pending.pop(tid)
            del self.spans[tid]
            self._mark(tid, transfer, -1)
            finish = max(finish, transfer.finish)
        return finish

    def oldest(self) -> Transfer | None:
        """The earliest transfer never waited on, if any."""
        return min(self.pending.values(), key=lambda t: t.line, default=None)

    def _mark(self, tid: int, t: Transfer, sign: int) -> None:
        if t.op == "dld":
            view(self.owner[t.onchip.mem], t.onchip)[...] = tid if sign > 0 else 0
            self.loads += sign
            return
        view(self.readers[t.onchip.mem], t.onchip)[...] += sign
        if self.dram_writers is None:
            self.dram_writers = np.zeros(self.dram_words, dtype=np.int32)
        view(self.dram_writers, t.dram)[...] += sign
        self.stores += sign

    def _first(self, op: str, hit: Callable[[Transfer], bool]) -> Transfer:
        return next(t for t in self.pending.values() if t.op == op and hit(t))
