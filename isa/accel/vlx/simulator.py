"""Runs an assembled VLX program: results, cycles and rule checks in one pass, bundle by bundle.

Each bundle is decoded once per run into closures bound to the machine's registers, so that
executing it is a few Python calls on 16-lane NumPy arrays (never a loop over lanes).

Timing is exact under the interlocks of spec section 4: a bundle issues when every register
it reads or writes is ready, so its operations see the same values as if every earlier bundle
had completed; results are computed at issue and become visible `latency` cycles later.

Numerics: vectors are fp32; `vfma` rounds once; accumulators are fp64 and products of fp32
values are exact in them; `vrd` rounds to fp32; `vredsum` sums in fp64 and rounds once;
vexp/vrsqrt/vtanh are NumPy's fp32 functions (within 3 ulp); vrcp is a correctly rounded 1/x.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from isa.accel.common.hazards import Hazards, Transfer
from isa.accel.common.memory import Block, DramRegion, view
from isa.accel.vlx.machine import (
    BANKS,
    BRANCH_TAKEN_EXTRA,
    DMA_QUEUE,
    LANES,
    LATENCY,
    LOCAL_WORDS,
    MAX_CYCLES,
    MAX_LOOP_DEPTH,
    MEMORY_WORDS,
    NUM_ACCS,
    NUM_REGS,
    NUM_VREGS,
    SLOTS,
    dma_cycles,
)
from isa.accel.vlx.program import Bundle, Imm, Label, Lane, Mem, Op, Operand, Program, Reg, Value
from isa.accel.vlx.stats import SimStats
from isa.base import ExecutionError

Fn = Callable[[], object]

_F32_ZERO = np.float32(0)
_F32_ONE = np.float32(1)
_BASE = {"r": 0, "v": NUM_REGS, "a": NUM_REGS + NUM_VREGS}  # scoreboard index of each file
_SCOREBOARD = NUM_REGS + NUM_VREGS + NUM_ACCS
_MAC_OPS = frozenset({"vmul", "vfma", "vmac", "vmpy"})
_MEMORY_OPS = frozenset({"vld", "vld1", "vst", "vst1"})
_CONTROL = frozenset({"beq", "bne", "blt", "bge", "jmp", "halt", "loop"})


_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _wrap32(x: int) -> int:
    return ((x + 2**31) & 0xFFFFFFFF) - 2**31


_SCALAR: dict[str, Callable[[int, int], int]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a // b,
    "rem": lambda a, b: a % b,
    "min": min,
    "max": max,
    "shl": lambda a, b: a << b,
    "shr": lambda a, b: a >> b,
}

_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "beq": lambda a, b: a == b,
    "bne": lambda a, b: a != b,
    "blt": lambda a, b: a < b,
    "bge": lambda a, b: a >= b,
}

_BINARY: dict[str, Any] = {
    "vadd": np.add,
    "vsub": np.subtract,
    "vmax": np.maximum,
    "vmin": np.minimum,
}
_UNARY: dict[str, Any] = {"vexp": np.exp, "vtanh": np.tanh}


@dataclass(frozen=True, slots=True)
class _Decoded:
    fns: tuple[Fn, ...]
    deps: tuple[int, ...]  # scoreboard entries read or written
    writes: tuple[tuple[int, int, str], ...]  # (entry, latency, cause)
    line: int
    loop_ends: int
    wait_tag: int  # dwait's tag, or -1
    dma: bool
    banked: bool  # two or more local-memory accesses: bank conflicts are possible
    control: bool  # may change the next bundle (branch, jmp, halt, loop)


class _Machine:
    def __init__(
        self,
        program: Program,
        dram: np.ndarray,
        regions: Sequence[DramRegion] | None,
        max_cycles: int,
    ) -> None:
        if dram.dtype != np.float32 or dram.ndim != 1:
            raise ValueError("dram must be a 1-D float32 array")
        self.program = program
        self.dram = dram
        self.regions = tuple(regions) if regions is not None else None
        self.max_cycles = max_cycles
        self.local = np.full(LOCAL_WORDS, np.nan, dtype=np.float32)
        self.regs = [0] * NUM_REGS
        self.vregs = [np.full(LANES, np.nan, dtype=np.float32) for _ in range(NUM_VREGS)]
        self.accs = [np.full(LANES, np.nan, dtype=np.float64) for _ in range(NUM_ACCS)]
        self.tmp = np.zeros(LANES, dtype=np.float64)
        self.ready = [0] * _SCOREBOARD
        self.cause = ["scalar"] * _SCOREBOARD
        self.loops: list[list[int]] = []  # [counter register, count, iteration, body start]
        self.hazards = Hazards(MEMORY_WORDS, dram.size)
        self.dma_free = 0
        self.dma_finishes: deque[int] = deque(maxlen=DMA_QUEUE)
        self.stats = SimStats()
        self.t = 0  # issue cycle of the bundle being executed (kept for DMA bundles only)
        # [taken branch target, other next bundle (a loop with no iterations, halt)], or -1
        self.flow = [-1, -1]
        self.lines: list[int] = []  # local-memory lines touched by the bundle (bank check)
        self.decoded = [self.decode(i, b) for i, b in enumerate(program.bundles)]

    # --- decoding ---

    def decode(self, index: int, bundle: Bundle) -> _Decoded:
        fns: list[Fn] = []
        deps: list[int] = []
        banked = sum(op.name in _MEMORY_OPS for op in bundle.ops) >= 2
        writes: list[tuple[int, int, str]] = []
        wait_tag = -1
        for op in bundle.ops:
            deps.extend(_BASE[f] + i for f, i in (*op.reads, *op.writes))
            writes.extend((_BASE[f] + i, LATENCY[op.latency], op.latency) for f, i in op.writes)
            if op.name == "dwait":
                tag = op.args[0]
                wait_tag = getattr(tag, "index", -1)
                continue
            fn = self.compile_op(op, bundle, index, banked)
            if fn is not None:
                fns.append(fn)
        return _Decoded(
            tuple(fns),
            tuple(dict.fromkeys(deps)),
            tuple(writes),
            bundle.line,
            bundle.loop_ends,
            wait_tag,
            any(op.slot == "dma" for op in bundle.ops),
            banked,
            any(op.name in _CONTROL for op in bundle.ops),
        )

    def compile_op(self, op: Op, bundle: Bundle, index: int, banked: bool) -> Fn | None:
        name = op.name
        if op.slot == "scalar":
            return self.scalar(op)
        if name in ("vld", "vld1", "vst", "vst1"):
            return self.memory_op(op, banked, bundle.line)
        if op.slot in ("valu", "vmac"):
            return self.vector(op)
        if name in ("dld", "dst"):
            return self.transfer(op, bundle.line)
        if name in _COMPARE:
            return self.branch(op)
        if name == "jmp":
            target = _label(op.args[0])
            flow = self.flow
            return lambda: flow.__setitem__(0, target)
        if name == "halt":
            end = len(self.program.bundles)
            flow = self.flow
            return lambda: flow.__setitem__(1, end)
        if name == "loop":
            return self.loop(op, bundle, index + 1)
        return None  # nop

    def value_fn(self, arg: Operand) -> Callable[[], int]:
        assert isinstance(arg, Value)
        regs, reg, offset = self.regs, arg.reg, arg.offset
        if reg == 0:
            return lambda: offset
        return lambda: regs[reg] + offset

    def scalar(self, op: Op) -> Fn:
        regs = self.regs
        dest = _reg(op.args[0])
        a = op.args[1]
        assert isinstance(a, Value)
        ra, oa = a.reg, a.offset
        if op.name in ("li", "mov"):

            def move() -> None:
                x = regs[ra] + oa
                regs[dest] = x if _INT_MIN <= x <= _INT_MAX else _wrap32(x)

            return move
        b = op.args[2]
        assert isinstance(b, Value)
        rb, ob = b.reg, b.offset
        if op.name == "add":

            def add() -> None:
                x = regs[ra] + oa + regs[rb] + ob
                regs[dest] = x if _INT_MIN <= x <= _INT_MAX else _wrap32(x)

            return add
        fn, name = _SCALAR[op.name], op.name
        checked = name in ("div", "rem", "shl", "shr")

        def alu() -> None:
            x, y = regs[ra] + oa, regs[rb] + ob
            if checked:
                if name in ("div", "rem") and y == 0:
                    raise ExecutionError(f"{name} by zero: '{b}' is 0")
                if name in ("shl", "shr") and not 0 <= y < 32:
                    raise ExecutionError(f"{name} by {y}; shift amounts are 0..31")
            regs[dest] = _wrap32(fn(x, y))

        return alu

    def branch(self, op: Op) -> Fn:
        a, b = self.value_fn(op.args[0]), self.value_fn(op.args[1])
        target, compare, flow = _label(op.args[2]), _COMPARE[op.name], self.flow

        def take() -> None:
            if compare(a(), b()):
                flow[0] = target

        return take

    def loop(self, op: Op, bundle: Bundle, body: int) -> Fn:
        reg, count_fn = _reg(op.args[0]), self.value_fn(op.args[1])
        exit_index = bundle.loop_exit
        loops, regs, flow = self.loops, self.regs, self.flow
        # The body's last bundle may also end enclosing loops; skipping it must not skip that.
        enclosing_ends = self.program.bundles[exit_index - 1].loop_ends - 1

        def start() -> None:
            count = count_fn()
            if count <= 0:
                target = exit_index
                for _ in range(enclosing_ends):
                    frame = loops[-1]
                    frame[2] += 1
                    if frame[2] < frame[1]:
                        regs[frame[0]] = frame[2]
                        target = frame[3]
                        break
                    loops.pop()
                flow[1] = target
                return
            if len(loops) == MAX_LOOP_DEPTH:
                raise ExecutionError(f"loops nest more than {MAX_LOOP_DEPTH} deep")
            loops.append([reg, count, 0, body])
            regs[reg] = 0

        return start

    # --- local memory ---

    def memory_op(self, op: Op, banked: bool, line: int) -> Fn:
        """vld / vld1 / vst / vst1; in a bundle with other memory operations (`banked`), each
        records the local-memory lines it touches for the bank check."""
        name = op.name
        mem = op.args[0] if name in ("vst", "vst1") else op.args[1]
        assert isinstance(mem, Mem)
        reg, offset = mem.base.reg, mem.base.offset
        width = LANES if name in ("vld", "vst") else 1
        write = name in ("vst", "vst1")
        regs, local, hazards, lines = self.regs, self.local, self.hazards, self.lines
        spans = hazards.spans
        limit = LOCAL_WORDS - width
        verb = "writes" if write else "reads"

        def locate() -> int:
            addr = regs[reg] + offset
            if not 0 <= addr <= limit:
                raise ExecutionError(
                    f"{name} {verb} L[{addr}..{addr + width - 1}], outside local memory's "
                    f"{LOCAL_WORDS} words"
                )
            if spans and not hazards.clear("L", addr, addr + width, write):
                block = Block("L", addr, width, 1, width)
                hazards.check_onchip(name, block, write, line)
            if banked:
                lines.append(addr >> 4)
                if width == LANES and addr & 15:
                    lines.append((addr >> 4) + 1)
            return addr

        if name == "vld":
            out = self.vregs[_reg(op.args[0])]

            def vld() -> None:
                addr = locate()
                out[:] = local[addr : addr + LANES]

            return vld
        if name == "vld1":
            out = self.vregs[_reg(op.args[0])]

            def vld1() -> None:
                out.fill(local[locate()])

            return vld1
        if name == "vst":
            src = self.vregs[_reg(op.args[1])]

            def vst() -> None:
                addr = locate()
                local[addr : addr + LANES] = src

            return vst
        lane = op.args[1]
        assert isinstance(lane, Lane)
        vec, index = self.vregs[lane.index], lane.lane

        def vst1() -> None:
            local[locate()] = vec[index]

        return vst1

    # --- vector units ---

    def operand(self, arg: Operand) -> Callable[[], Any]:
        """A `vb` operand: a register (its array), a lane (its value) or an immediate."""
        if isinstance(arg, Reg):
            array = self.vregs[arg.index]
            return lambda: array
        if isinstance(arg, Lane):
            vec, lane = self.vregs[arg.index], arg.lane
            return lambda: vec[lane]
        assert isinstance(arg, Imm)
        constant = np.float32(arg.value)
        return lambda: constant

    def vector(self, op: Op) -> Fn:
        name, args, vregs, accs = op.name, op.args, self.vregs, self.accs
        if name == "vclr":
            acc = accs[_reg(args[0])]
            return lambda: acc.fill(0.0)
        if name == "vrd":
            out, acc = vregs[_reg(args[0])], accs[_reg(args[1])]
            return lambda: np.copyto(out, acc, casting="unsafe")
        if name in ("vmac", "vmpy"):
            acc, src, b = accs[_reg(args[0])], vregs[_reg(args[1])], self.operand(args[2])
            tmp = self.tmp
            if name == "vmpy":
                return lambda: np.multiply(src, b(), out=acc, dtype=np.float64)

            def vmac() -> None:
                np.multiply(src, b(), out=tmp, dtype=np.float64)
                np.add(acc, tmp, out=acc)

            return vmac
        out = vregs[_reg(args[0])]
        if name == "vmov":
            b = self.operand(args[1])
            return lambda: np.copyto(out, b())
        src = vregs[_reg(args[1])]
        if name in _BINARY:
            ufunc, b = _BINARY[name], self.operand(args[2])
            return lambda: ufunc(src, b(), out=out)
        if name == "vmul":
            b = self.operand(args[2])
            return lambda: np.multiply(src, b(), out=out)
        if name == "vfma":
            b, addend = self.operand(args[2]), vregs[_reg(args[3])]
            tmp = self.tmp

            def vfma() -> None:
                np.multiply(src, b(), out=tmp, dtype=np.float64)
                np.add(tmp, addend, out=tmp)
                np.copyto(out, tmp, casting="unsafe")

            return vfma
        if name in _UNARY:
            ufunc = _UNARY[name]
            return lambda: ufunc(src, out=out)
        if name == "vrelu":
            return lambda: np.maximum(src, _F32_ZERO, out=out)
        if name == "vrcp":
            return lambda: np.divide(_F32_ONE, src, out=out)
        if name == "vrsqrt":

            def vrsqrt() -> None:
                np.sqrt(src, out=out)
                np.divide(_F32_ONE, out, out=out)

            return vrsqrt
        if name == "vredsum":
            return lambda: out.fill(src.sum(dtype=np.float64))
        assert name == "vredmax", name
        return lambda: out.fill(src.max())

    # --- DMA ---

    def transfer(self, op: Op, line: int) -> Fn:
        tag = op.args[0]
        tag_index = getattr(tag, "index", 0)
        load = op.name == "dld"
        local_arg, dram_arg = (op.args[1], op.args[2]) if load else (op.args[2], op.args[1])
        rows_fn, cols_fn = self.value_fn(op.args[3]), self.value_fn(op.args[4])
        name = op.name

        def run() -> None:
            rows, cols = rows_fn(), cols_fn()
            if rows < 1 or cols < 1:
                raise ExecutionError(f"{name} needs rows and cols >= 1, got {rows} x {cols}")
            onchip = self.block(local_arg, rows, cols, write=load)
            dram = self.block(dram_arg, rows, cols, write=not load)
            if load:
                self.hazards.check_dram_read(name, dram, line)
                self.hazards.check_onchip(name, onchip, True, line)
                view(self.local, onchip)[...] = view(self.dram, dram)
            else:
                self.hazards.check_onchip(name, onchip, False, line)
                view(self.dram, dram)[...] = view(self.local, onchip)
            cost = dma_cycles(rows, cols)
            start = max(self.t, self.dma_free)
            finish = self.dma_free = start + cost
            self.dma_finishes.append(finish)
            self.stats.busy["dma_engine"] += cost
            self.hazards.add(Transfer(name, tag_index, line, onchip, dram, finish))
            if load:
                self.stats.dma_bytes_loaded += 4 * rows * cols
            else:
                self.stats.dma_bytes_stored += 4 * rows * cols

        return run

    def block(self, arg: Operand, rows: int, cols: int, write: bool) -> Block:
        assert isinstance(arg, Mem)
        verb = "writes" if write else "reads"
        base = self.value_fn(arg.base)()
        stride = cols if arg.stride is None else self.value_fn(arg.stride)()
        if stride < 0:
            raise ExecutionError(f"DMA {verb} {arg} with stride {stride}; strides must be >= 0")
        if write and rows > 1 and stride < cols:
            raise ExecutionError(
                f"DMA writes {rows} rows of {cols} words only {stride} apart to {arg}, so they "
                f"overlap; use a stride of at least {cols}"
            )
        block = Block(arg.mem, base, stride, rows, cols)
        if arg.mem == "L":
            if block.lo < 0 or block.hi > LOCAL_WORDS:
                raise ExecutionError(
                    f"DMA {verb} {block}, outside local memory's {LOCAL_WORDS} words"
                )
            return block
        if self.regions is None:
            if block.lo < 0 or block.hi > self.dram.size:
                raise ExecutionError(f"DMA {verb} {block}, outside DRAM's {self.dram.size} words")
            return block
        region = next((r for r in self.regions if r.holds(block)), None)
        if region is None:
            tensors = ", ".join(f"{r.name} at D[{r.start}..{r.end - 1}]" for r in self.regions)
            raise ExecutionError(f"DMA {verb} {block}, outside every tensor ({tensors})")
        if write and not region.writable:
            raise ExecutionError(
                f"dst writes {block}, inside the input tensor '{region.name}'; inputs are read-only"
            )
        return block

    # --- the issue loop ---

    def run(self) -> SimStats:
        decoded, n = self.decoded, len(self.decoded)
        ready, cause, stats, loops, regs = self.ready, self.cause, self.stats, self.loops, self.regs
        stalls, lines, flow, hazards = stats.stalls, self.lines, self.flow, self.hazards
        max_cycles, finishes = self.max_cycles, self.dma_finishes
        counts = [0] * n
        line_stalls: dict[int, int] = {}
        now = pc = 0
        d = decoded[0] if decoded else None
        try:
            with np.errstate(all="ignore"):  # inf and NaN are results, not errors
                while pc < n:
                    d = decoded[pc]
                    counts[pc] += 1
                    t, why = now, ""
                    for i in d.deps:
                        if ready[i] > t:
                            t, why = ready[i], cause[i]
                    if d.wait_tag >= 0:
                        finish = hazards.wait(d.wait_tag)
                        if finish > t:
                            t, why = finish, "dwait"
                    if d.dma:
                        if len(finishes) == DMA_QUEUE and finishes[0] > t:
                            t, why = finishes[0], "dma_queue"
                        self.t = t
                    if t > now:
                        stalls[why] = stalls.get(why, 0) + t - now
                        line_stalls[d.line] = line_stalls.get(d.line, 0) + t - now
                    for fn in d.fns:
                        fn()
                    if d.banked:
                        extra = _bank_conflicts(lines)
                        lines.clear()
                        if extra:
                            stalls["bank"] = stalls.get("bank", 0) + extra
                            line_stalls[d.line] = line_stalls.get(d.line, 0) + extra
                            t += extra
                    for i, latency, what in d.writes:
                        ready[i] = t + latency
                        cause[i] = what
                    now = t + 1
                    pc += 1
                    if d.control and (flow[0] >= 0 or flow[1] >= 0):
                        if flow[0] >= 0:
                            pc = flow[0]
                            now += BRANCH_TAKEN_EXTRA
                            stalls["branch"] = stalls.get("branch", 0) + BRANCH_TAKEN_EXTRA
                            line_stalls[d.line] = line_stalls.get(d.line, 0) + BRANCH_TAKEN_EXTRA
                        else:
                            pc = flow[1]
                        flow[0] = flow[1] = -1
                    else:
                        for _ in range(d.loop_ends):
                            frame = loops[-1]
                            frame[2] += 1
                            if frame[2] < frame[1]:
                                regs[frame[0]] = frame[2]
                                pc = frame[3]
                                break
                            loops.pop()
                    if now > max_cycles:
                        raise ExecutionError(
                            f"the kernel ran past {max_cycles:,} cycles (an endless loop?)"
                        )
        except ExecutionError as exc:
            if exc.line is None and d is not None:
                exc.line = d.line
            raise
        left = self.hazards.oldest()
        if left is not None:
            raise ExecutionError(
                f"the transfer issued at line {left.line} (tag t{left.tag}) was never waited "
                f"on; add 'dwait t{left.tag}' before the program ends",
                left.line,
            )
        self.finish(counts, line_stalls, now)
        return stats

    def finish(self, counts: list[int], line_stalls: dict[int, int], now: int) -> None:
        stats = self.stats
        stats.cycles = max(now, self.dma_free, max(self.ready))
        stats.bundles = sum(counts)
        for bundle, count in zip(self.program.bundles, counts, strict=True):
            if not count:
                continue
            for op in bundle.ops:
                stats.busy[op.slot] += count
                if op.name in _MAC_OPS:
                    stats.macs += LANES * count
            stats.line_counts[bundle.line] = stats.line_counts.get(bundle.line, 0) + count
            stats.line_cycles[bundle.line] = stats.line_cycles.get(bundle.line, 0) + count
        for line, stall in line_stalls.items():
            stats.line_cycles[line] = stats.line_cycles.get(line, 0) + stall
        assert set(stats.busy) == {*SLOTS, "dma_engine"}


def _bank_conflicts(lines: list[int]) -> int:
    """Extra cycles for the local-memory lines one bundle touched: one per access beyond the
    first to the busiest bank."""
    if len(lines) < 2:
        return 0
    if len(lines) == 2:
        return 1 if (lines[0] - lines[1]) % BANKS == 0 else 0
    banks = [0] * BANKS
    for line in lines:
        banks[line % BANKS] += 1
    return max(banks) - 1


def _reg(arg: Operand) -> int:
    assert isinstance(arg, Reg)
    return arg.index


def _label(arg: Operand) -> int:
    assert isinstance(arg, Label)
    return arg.index


def run(
    program: Program,
    dram: np.ndarray,
    *,
    regions: Sequence[DramRegion] | None = None,
    max_cycles: int = MAX_CYCLES,
) -> SimStats:
    """Run `program` on `dram` (a 1-D float32 array, written in place by `dst`).

    `regions` lists the task's tensors; when given, every DRAM access must lie inside one of
    them and writes only inside writable ones. Raises ExecutionError naming the line."""
    return _Machine(program, dram, regions, max_cycles).run()
