"""A list scheduler for straight-line VLX code: packs operations into bundles.

Operations are VLX text (`vld v1, L[r6 + IN]`). Each is placed, in program order, in the
first bundle that has a free slot of its kind and where its operands are ready given the
latencies of `isa.accel.vlx.machine`, so the interlocks never stall inside the scheduled
code (they may at its start). Local-memory operations depend on each other only when their
addresses name the same buffer (the first upper-case `.equ` name in them, such as IN0 or OUT1),
which is how the kernels that use this keep their buffers apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from isa.accel.vlx.machine import LATENCY, SLOTS
from isa.accel.vlx.opcodes import OPS

_REG = re.compile(r"\b([rva]\d+)\b")
_BUFFER = re.compile(r"\b([A-Z][A-Z0-9_]*)\b")
_LOADS = ("vld", "vld1")
_STORES = ("vst", "vst1")


@dataclass
class _Op:
    text: str
    slot: str
    reads: set[str]
    writes: set[str]
    latency: int
    buffers: set[str]  # buffers named by its local address
    kind: str  # "load" | "store" | ""


def _parse(text: str) -> _Op:
    name, _, rest = text.strip().partition(" ")
    info = OPS[name]
    operands = [part.strip() for part in rest.split(",")] if rest else []
    writes_first = bool(info.latency)
    regs = _REG.findall(rest)
    first = _REG.findall(operands[0]) if operands else []
    writes = set(first[:1]) if writes_first else set()
    reads = set(regs) - writes if name != "vmac" else set(regs)
    if writes_first and len(first) > 1:  # a register inside the first operand is read
        reads |= set(first[1:])
    memory = re.search(r"L\[([^\]]*)\]", rest)
    names = _BUFFER.findall(memory.group(1)) if memory else []
    buffers = set(names[:1])
    kind = "load" if name in _LOADS else "store" if name in _STORES else ""
    latency = LATENCY[info.latency] if info.latency else 0
    return _Op(text.strip(), info.slot, reads, writes, latency, buffers, kind)


def schedule(ops: list[str]) -> list[list[str]]:
    """Bundles (lists of operation texts), in issue order; empty cycles are left out, since
    the interlocks wait for latencies by themselves."""
    parsed = [_parse(op) for op in ops]
    ready: dict[str, int] = {}  # register -> cycle its latest value is ready
    last_read: dict[str, int] = {}  # register -> latest cycle it is read
    memory: list[tuple[int, _Op]] = []
    bundles: dict[int, list[_Op]] = {}
    for op in parsed:
        cycle = 0
        for reg in op.reads:
            cycle = max(cycle, ready.get(reg, 0))
        for reg in op.writes:
            cycle = max(cycle, ready.get(reg, 0), last_read.get(reg, 0))
        if op.kind:
            for placed, other in memory:
                if not (op.buffers & other.buffers):
                    continue
                if other.kind == "store":
                    cycle = max(cycle, placed + 1)
                elif op.kind == "store":
                    cycle = max(cycle, placed)
        while sum(o.slot == op.slot for o in bundles.get(cycle, [])) >= SLOTS[op.slot]:
            cycle += 1
        bundles.setdefault(cycle, []).append(op)
        for reg in op.reads:
            last_read[reg] = max(last_read.get(reg, 0), cycle)
        for reg in op.writes:
            ready[reg] = cycle + op.latency
        if op.kind:
            memory.append((cycle, op))
    return [[o.text for o in bundles[c]] for c in sorted(bundles)]


def render(ops: list[str], indent: str = "        ") -> str:
    """Scheduled bundles as VLX source lines."""
    lines = []
    for bundle in schedule(ops):
        text = bundle[0] if len(bundle) == 1 else "{ " + " ; ".join(bundle) + " }"
        lines.append(indent + text + "\n")
    return "".join(lines)
