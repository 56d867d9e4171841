"""What a warp waits on: the cycles each instruction of a kernel adds to one warp's path when
it issues in order, from a static scoreboard over the program (see TIMING.md).

An instruction issues one cycle after the previous one, or later when a register it reads is
not ready yet (its producer's latency has not passed) or when the warp already has as many
global loads in flight as it may. So independent instructions overlap (instruction-level
parallelism), independent loads overlap up to the in-flight limit (memory-level
parallelism), and dependent chains pay every latency. Loops are walked twice and the second
walk is kept, so dependences carried round a loop (an accumulator) count in steady state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from isa.nvidia.machines import GpuSpec
from isa.nvidia.ptx.module import Addr, NotPred, Operand, PredPair, Reg, Vec
from isa.nvidia.ptx.program import Op

NO_DEST = {"st", "red", "bar", "barrier", "bra", "membar", "fence", "prefetch", "prefetchu", "cp"}
NO_DEST |= {"ret", "exit", "trap", "brkpt", "nanosleep", "discard", "applypriority", "pmevent"}


@dataclass(frozen=True)
class PathCosts:
    """Per instruction: cycles added to the warp's path when global loads take the DRAM
    latency (`dram`) or hit in the caches (`hit`)."""

    dram: np.ndarray
    hit: np.ndarray


def _regs(operand: Operand) -> list[str]:
    if isinstance(operand, Reg):
        return [operand.name]
    if isinstance(operand, Addr):
        return [operand.base.name] if isinstance(operand.base, Reg) else []
    if isinstance(operand, Vec):
        return [r for item in operand.items for r in _regs(item)]
    if isinstance(operand, PredPair):
        return [r.name for r in (operand.first, operand.second) if r is not None]
    if isinstance(operand, NotPred):
        return [operand.reg.name]
    return []


def _reads_writes(op: Op) -> tuple[list[str], list[str]]:
    ins = op.ins
    reads = [ins.guard] if ins.guard else []
    if ins.base in NO_DEST or not ins.operands:
        return reads + [r for o in ins.operands for r in _regs(o)], []
    writes = _regs(ins.operands[0])
    reads += [r for o in ins.operands[1:] for r in _regs(o)]
    if ins.base in ("mma", "wgmma"):
        reads += writes  # accumulators are read too
    return reads, writes


def _latency(op: Op, g: GpuSpec, load_latency: int) -> int:
    k = op.klass
    if k == "ld_global":
        return load_latency
    if k == "ld_shared":
        return g.shared_latency_cycles
    if k == "local":
        return g.cache_hit_latency_cycles
    if k == "atomic":
        return g.atomic_cycles
    if k == "fp64":
        return g.fp64_latency_cycles
    if k == "sfu":
        return g.sfu_latency_cycles
    if k == "tensor":
        return g.tensor_latency_cycles
    if k == "warp":
        return g.shared_latency_cycles
    return g.alu_latency_cycles


def _loops(program: list[Op]) -> dict[int, int]:
    """Loop head -> last instruction of the loop (the furthest back-edge to that head)."""
    loops: dict[int, int] = {}
    for i, op in enumerate(program):
        if op.kind == "bra" and 0 <= op.target <= i:
            loops[op.target] = max(loops.get(op.target, i), i)
    return loops


def _walk(program: list[Op], g: GpuSpec, load_latency: int) -> np.ndarray:
    n = len(program)
    costs = np.zeros(n, dtype=np.float64)
    lat = [_latency(op, g, load_latency) for op in program]
    rw = [_reads_writes(op) for op in program]
    loops = _loops(program)
    ready: dict[str, float] = {}
    in_flight: list[float] = []
    limit = max(g.loads_in_flight_per_warp, 1)
    clock = 0.0

    def run(start: int, stop: int) -> int:
        nonlocal clock, in_flight
        i = start
        while i < stop:
            end = loops.get(i)
            if end is not None and end < stop and not (i == start and end == stop - 1):
                for _ in range(2):
                    run(i, end + 1)
                i = end + 1
                continue
            op = program[i]
            reads, writes = rw[i]
            t = clock + 1.0
            for r in reads:
                t = max(t, ready.get(r, 0.0))
            if op.klass == "ld_global":
                in_flight = [c for c in in_flight if c > t]
                if len(in_flight) >= limit:
                    t = max(t, sorted(in_flight)[len(in_flight) - limit])
            if op.kind == "bar":
                t += g.barrier_cycles
            costs[i] = t - clock
            clock = t
            done = t + lat[i]
            for w in writes:
                ready[w] = done
            if op.klass == "ld_global":
                in_flight.append(done)
            i += 1
        return i

    i = 0
    while i < n:
        end = loops.get(i)
        if end is not None:
            for _ in range(2):
                run(i, end + 1)
            i = end + 1
        else:
            run(i, i + 1)
            i += 1
    return costs


def path_costs(program: list[Op], g: GpuSpec) -> PathCosts:
    return PathCosts(
        dram=_walk(program, g, g.dram_latency_cycles),
        hit=_walk(program, g, g.cache_hit_latency_cycles),
    )
