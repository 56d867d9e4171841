"""The cycle model of spec section 4, computed while the program runs.

Every engine instruction's start and finish are known when it is issued: it starts once it is
issued, its engine is free, and every earlier instruction it conflicts with (RAW, WAR or WAW on
the bounding interval of an S, A or D range) has finished. So one pass in program order gives
the exact schedule, and the functional results can be computed in program order too.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from isa.accel.common.memory import Block
from isa.accel.tile.machine import ENGINES, QUEUE_DEPTH


@dataclass
class SimStats:
    """What one run did and how long it took (cycles of the spec's cycle model)."""

    cycles: int = 0
    instructions: int = 0  # executed, each `endloop` iteration included
    busy: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("scalar", *ENGINES), 0))
    stalls: dict[str, int] = field(default_factory=dict)  # "dwait", "queue_full:<engine>"
    # Engine -> cause -> cycles the engine was free but its next instruction waited for an
    # earlier one (the scoreboard); a cause reads "RAW on dma" (it reads what dma writes),
    # "WAR on vector" (it overwrites what vector reads) or "WAW on matrix".
    engine_stalls: dict[str, dict[str, int]] = field(default_factory=dict)
    dma_bytes_loaded: int = 0
    dma_bytes_stored: int = 0
    macs: int = 0
    vector_ops: int = 0  # vector element operations (R * C per instruction)
    # Per source line: engine busy cycles, issue stall cycles, executions. Plain dicts, so
    # that `dataclasses.asdict` and JSON keep them intact.
    line_cycles: dict[int, int] = field(default_factory=dict)
    line_stalls: dict[int, int] = field(default_factory=dict)
    line_counts: dict[int, int] = field(default_factory=dict)

    @property
    def hot_line(self) -> int | None:
        """The source line whose instructions kept the engines busiest."""
        hot = self.hot_lines(1)
        return hot[0][0] if hot else None

    def hot_lines(self, n: int = 5) -> list[tuple[int, int]]:
        """The `n` lines with the most engine busy cycles, as (line, cycles)."""
        return sorted(self.line_cycles.items(), key=lambda item: (-item[1], item[0]))[:n]

    def utilization(self) -> dict[str, float]:
        return {
            unit: busy / self.cycles if self.cycles else 0.0 for unit, busy in self.busy.items()
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly counters."""
        return {
            "cycles": self.cycles,
            "instructions": self.instructions,
            "busy": dict(self.busy),
            "utilization": {k: round(v, 4) for k, v in self.utilization().items()},
            "stalls": dict(self.stalls),
            "engine_stalls": {e: dict(c) for e, c in self.engine_stalls.items()},
            "dma_bytes_loaded": self.dma_bytes_loaded,
            "dma_bytes_stored": self.dma_bytes_stored,
            "macs": self.macs,
            "vector_ops": self.vector_ops,
            "hot_lines": [list(item) for item in self.hot_lines()],
        }


def _add(counts: dict[Any, int], key: Any, amount: int) -> None:
    counts[key] = counts.get(key, 0) + amount


# An in-flight memory access: (finish cycle, memory, lo, hi, writes, engine).
_Access = tuple[int, str, int, int, bool, str]


class Timeline:
    """Issue cycle of the scalar unit, engine queues and the memory scoreboard."""

    def __init__(self, stats: SimStats) -> None:
        self.stats = stats
        self.now = 0  # the cycle at which the next instruction issues
        self.end = 0  # the latest finish of any engine instruction
        self.free = dict.fromkeys(ENGINES, 0)
        # Start cycles of each engine's last QUEUE_DEPTH instructions: a queue slot frees when
        # an instruction leaves the queue to start.
        self.starts: dict[str, deque[int]] = {e: deque(maxlen=QUEUE_DEPTH) for e in ENGINES}
        self.inflight: list[_Access] = []

    @property
    def cycles(self) -> int:
        return max(self.now, self.end)

    def scalar(self, cycles: int) -> None:
        self.now += cycles
        self.stats.busy["scalar"] += cycles

    def stall_until(self, cycle: int, cause: str, line: int) -> None:
        if cycle > self.now:
            stall = cycle - self.now
            _add(self.stats.stalls, cause, stall)
            _add(self.stats.line_stalls, line, stall)
            self.now = cycle

    def engine(
        self, engine: str, cost: int, reads: list[Block], writes: list[Block], line: int
    ) -> int:
        """Issue one engine instruction; returns the cycle it finishes."""
        queue = self.starts[engine]
        if len(queue) == QUEUE_DEPTH:
            self.stall_until(queue[0], f"queue_full:{engine}", line)
        issue = self.now
        accesses = [(b.mem, b.lo, b.hi, False) for b in reads]
        accesses += [(b.mem, b.lo, b.hi, True) for b in writes]
        ready = start = max(issue, self.free[engine])
        cause = ""
        keep: list[_Access] = []
        for entry in self.inflight:
            finish, mem, lo, hi, writes_it, other = entry
            if finish <= issue:
                continue  # finished before this issues, so it can never delay anything again
            keep.append(entry)
            if finish <= start:
                continue
            for a_mem, a_lo, a_hi, a_writes in accesses:
                if a_mem == mem and a_lo < hi and lo < a_hi and (a_writes or writes_it):
                    start = finish
                    kind = "WAW" if a_writes and writes_it else "WAR" if a_writes else "RAW"
                    cause = f"{kind} on {other}"
                    break
        if start > ready:
            _add(self.stats.engine_stalls.setdefault(engine, {}), cause, start - ready)
        finish = start + cost
        keep.extend((finish, mem, lo, hi, w, engine) for mem, lo, hi, w in accesses)
        self.inflight = keep
        self.free[engine] = finish
        queue.append(start)
        self.end = max(self.end, finish)
        self.stats.busy[engine] += cost
        _add(self.stats.line_cycles, line, cost)
        self.scalar(1)  # issuing takes the scalar unit one cycle
        return finish
