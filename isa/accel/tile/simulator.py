"""Runs an assembled TILE program: results, cycles and rule checks in one pass in program order.

Each instruction works on whole tiles with NumPy (strided views of the memories, never a loop
over elements). Its time comes from `timing.Timeline`, its DMA rule checks from
`hazards.Hazards`; running in program order is exact because the scoreboard and the DMA rules
make the concurrent machine behave as if it did.

Numerics: the matrix engine rounds X and W to bf16; products are exact in float64 and each
`mm`/`mma` sums in float64 and rounds to fp32 once (so results do not depend on the host's
BLAS summation order). The vector engine computes in fp32; `vfma` rounds once (a fused
multiply-add) and `vrsum` sums in float64 and rounds once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from isa.accel.common.hazards import Hazards, Transfer
from isa.accel.common.memory import Block, DramRegion, view
from isa.accel.common.numerics import bf16_round
from isa.accel.tile.machine import (
    ARRAY_DIM,
    JMP_CYCLES,
    MAX_CYCLES,
    MAX_INSTRUCTIONS,
    MAX_LOOP_DEPTH,
    MEMORY_NAMES,
    MEMORY_WORDS,
    NUM_REGS,
    SCALAR_CYCLES,
    branch_cycles,
    dma_cycles,
    mm_cycles,
    mw_cycles,
    vector_cycles,
)
from isa.accel.tile.program import Imm, Instr, Label, Mem, Operand, Program, Reg, Tag, Value
from isa.accel.tile.timing import SimStats, Timeline
from isa.base import ExecutionError

_ALU: dict[str, Callable[[int, int], int]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a // b,
    "rem": lambda a, b: a % b,
    "min": min,
    "max": max,
    "shl": lambda a, b: a << b,
    "shr": lambda a, b: a >> b,  # arithmetic: rounds down like `div`
}

_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "beq": lambda a, b: a == b,
    "bne": lambda a, b: a != b,
    "blt": lambda a, b: a < b,
    "bge": lambda a, b: a >= b,
}

_F32_ZERO = np.float32(0)
_F32_ONE = np.float32(1)

_VECTOR: dict[str, Callable[..., Any]] = {
    "vadd": np.add,
    "vsub": np.subtract,
    "vmul": np.multiply,
    "vmax": np.maximum,
    "vmin": np.minimum,
    "vfma": lambda a, b, c: (np.asarray(a, np.float64) * b + c).astype(np.float32),
    "vmov": lambda a: a,
    "vfill": lambda imm: imm,
    "vrelu": lambda a: np.maximum(a, _F32_ZERO),
    "vcvt": bf16_round,
    "vexp": np.exp,
    "vrcp": lambda a: _F32_ONE / a,
    "vrsqrt": lambda a: _F32_ONE / np.sqrt(a),
    "vtanh": np.tanh,
}


def _reduce(op: str, a: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Row sums or maxima of `a` (a tile, a row or a column) as a rows x 1 column.

    A broadcast is reduced without being expanded, so `vshape` sizes far beyond the memories
    cost no more than the words actually read."""
    if a.shape[1] == 1 and cols > 1:  # a column: every row holds one value C times
        column = a.astype(np.float64) * cols if op == "vrsum" else a
    elif op == "vrsum":
        column = a.sum(axis=1, dtype=np.float64, keepdims=True)
    else:
        column = a.max(axis=1, keepdims=True)
    return np.broadcast_to(column, (rows, 1))  # a row broadcast gives the same for every row


def _reg(arg: Operand) -> int:
    assert isinstance(arg, Reg)
    return arg.index


def _tag(arg: Operand) -> int:
    assert isinstance(arg, Tag)
    return arg.index


def _target(arg: Operand) -> int:
    assert isinstance(arg, Label)
    return arg.index


def _wrap32(x: int) -> int:
    return ((x + 2**31) & 0xFFFFFFFF) - 2**31


class _Machine:
    def __init__(
        self,
        program: Program,
        dram: np.ndarray,
        regions: Sequence[DramRegion] | None,
        max_cycles: int,
        max_instructions: int,
    ) -> None:
        if dram.dtype != np.float32 or dram.ndim != 1:
            raise ValueError("dram must be a 1-D float32 array")
        for region in regions or ():
            if region.start < 0 or region.end > dram.size:
                raise ValueError(f"DRAM region '{region.name}' lies outside the DRAM array")
        self.program = program
        self.dram = dram
        self.regions = tuple(regions) if regions is not None else None
        self.max_cycles = max_cycles
        self.max_instructions = max_instructions
        self.memories = {m: np.full(n, np.nan, dtype=np.float32) for m, n in MEMORY_WORDS.items()}
        self.memories["D"] = dram
        self.regs = [0] * NUM_REGS
        self.pc = 0
        self.loops: list[list[int]] = []  # [counter register, count, iteration]
        self.shape: tuple[int, int] | None = None
        self.weights: np.ndarray | None = None  # bf16 values of W (K x N), as float64
        self.stats = SimStats()
        self.timing = Timeline(self.stats)
        self.hazards = Hazards(MEMORY_WORDS, dram.size)
        self.ins = Instr("nop", (), 0)
        self.handlers: dict[str, Callable[[Instr], None]] = {
            "li": self._li,
            "mov": self._li,
            **dict.fromkeys(_ALU, self._alu),
            "loop": self._loop,
            "endloop": self._endloop,
            **dict.fromkeys(_COMPARE, self._branch),
            "jmp": self._jmp,
            "vshape": self._vshape,
            "dwait": self._dwait,
            "nop": self._nop,
            "halt": self._halt,
            "dld": self._dld,
            "dst": self._dst,
            "mw": self._mw,
            "mm": self._mm,
            "mma": self._mm,
            **dict.fromkeys((*_VECTOR, "vrsum", "vrmax"), self._vector),
        }

    def run(self) -> SimStats:
        instructions = self.program.instructions
        stats, timing = self.stats, self.timing
        with np.errstate(all="ignore"):  # inf and NaN are results, not errors
            while self.pc < len(instructions):
                ins = self.ins = instructions[self.pc]
                self.pc += 1
                stats.instructions += 1
                if stats.instructions > self.max_instructions:
                    raise self.fail(
                        f"the kernel executed more than {self.max_instructions:,} instructions "
                        "(an endless loop?)"
                    )
                self.handlers[ins.op](ins)
                stats.line_counts[ins.line] = stats.line_counts.get(ins.line, 0) + 1
                if timing.now > self.max_cycles or timing.end > self.max_cycles:
                    raise self.fail(
                        f"the kernel ran past {self.max_cycles:,} cycles (an endless loop?)"
                    )
        left = self.hazards.oldest()
        if left is not None:
            raise ExecutionError(
                f"the transfer issued at line {left.line} (tag t{left.tag}) was never waited "
                f"on; add 'dwait t{left.tag}' before the program ends",
                left.line,
            )
        stats.cycles = timing.cycles
        return stats

    def fail(self, message: str) -> ExecutionError:
        return ExecutionError(message, self.ins.line)

    def value(self, arg: Operand) -> int:
        assert isinstance(arg, Value)
        return self.regs[arg.reg] + arg.offset

    def write(self, arg: Operand, x: int) -> None:
        self.regs[_reg(arg)] = _wrap32(x)

    # --- scalar unit ---

    def _li(self, ins: Instr) -> None:
        self.write(ins.args[0], self.value(ins.args[1]))
        self.timing.scalar(SCALAR_CYCLES)

    def _alu(self, ins: Instr) -> None:
        rd, a_arg, arg = ins.args
        a, b = self.value(a_arg), self.value(arg)
        if ins.op in ("div", "rem") and b == 0:
            raise self.fail(f"{ins.op} by zero: '{arg}' is 0")
        if ins.op in ("shl", "shr") and not 0 <= b < 32:
            raise self.fail(f"{ins.op} by {b}; shift amounts are 0..31")
        self.write(rd, _ALU[ins.op](a, b))
        self.timing.scalar(SCALAR_CYCLES)

    def _loop(self, ins: Instr) -> None:
        rd, arg = ins.args
        count = self.value(arg)
        self.timing.scalar(SCALAR_CYCLES)
        if count <= 0:
            self.pc = ins.link
            return
        if len(self.loops) == MAX_LOOP_DEPTH:
            raise self.fail(f"loops nest more than {MAX_LOOP_DEPTH} deep")
        self.loops.append([_reg(rd), count, 0])
        self.regs[_reg(rd)] = 0

    def _endloop(self, ins: Instr) -> None:
        # No cycles: the hardware loop costs nothing per iteration.
        if not self.loops:
            raise self.fail("'endloop' reached with no loop running")
        frame = self.loops[-1]
        frame[2] += 1
        if frame[2] < frame[1]:
            self.regs[frame[0]] = frame[2]
            self.pc = ins.link
        else:
            self.loops.pop()

    def _branch(self, ins: Instr) -> None:
        a, b, label = ins.args
        taken = _COMPARE[ins.op](self.value(a), self.value(b))
        if taken:
            self.pc = _target(label)
        self.timing.scalar(branch_cycles(taken))

    def _jmp(self, ins: Instr) -> None:
        self.pc = _target(ins.args[0])
        self.timing.scalar(JMP_CYCLES)

    def _vshape(self, ins: Instr) -> None:
        rows, cols = self.value(ins.args[0]), self.value(ins.args[1])
        if rows < 1 or cols < 1:
            raise self.fail(f"vshape needs rows and cols >= 1, got {rows} x {cols}")
        self.shape = (rows, cols)
        self.timing.scalar(SCALAR_CYCLES)

    def _dwait(self, ins: Instr) -> None:
        finish = self.hazards.wait(_tag(ins.args[0]))
        self.timing.stall_until(finish, "dwait", ins.line)
        self.timing.scalar(SCALAR_CYCLES)

    def _nop(self, ins: Instr) -> None:
        self.timing.scalar(SCALAR_CYCLES)

    def _halt(self, ins: Instr) -> None:
        self.timing.scalar(SCALAR_CYCLES)
        self.pc = len(self.program.instructions)

    # --- operands in memory ---

    def block(self, arg: Operand, rows: int, cols: int, default_stride: int, write: bool) -> Block:
        """The block an operand names, checked against its memory's bounds (or tensors)."""
        assert isinstance(arg, Mem)
        op, verb = self.ins.op, "writes" if write else "reads"
        base = self.value(arg.base)
        stride = default_stride if arg.stride is None else self.value(arg.stride)
        if stride < 0:
            raise self.fail(f"{op} {verb} {arg} with stride {stride}; strides must be >= 0")
        if write and rows > 1 and stride < cols:
            raise self.fail(
                f"{op} writes {rows} rows of {cols} words only {stride} apart to {arg}, so they "
                f"overlap; use a stride of at least {cols}"
            )
        block = Block(arg.mem, base, stride, rows, cols)
        if arg.mem == "D":
            self.check_dram(block, verb)
            return block
        name, size = MEMORY_NAMES[arg.mem], MEMORY_WORDS[arg.mem]
        if block.lo < 0:
            raise self.fail(f"{op} {verb} {block}, below word 0 of the {name}")
        if block.hi > size:
            raise self.fail(f"{op} {verb} {block}, beyond the {name}'s {size} words")
        return block

    def check_dram(self, block: Block, verb: str) -> None:
        op = self.ins.op
        if self.regions is None:
            if block.lo < 0 or block.hi > self.dram.size:
                raise self.fail(f"{op} {verb} {block}, outside DRAM's {self.dram.size} words")
            return
        region = next((r for r in self.regions if r.holds(block)), None)
        if region is None:
            tensors = ", ".join(f"{r.name} at D[{r.start}..{r.end - 1}]" for r in self.regions)
            raise self.fail(f"{op} {verb} {block}, outside every tensor ({tensors})")
        if verb == "writes" and not region.writable:
            raise self.fail(
                f"{op} writes {block}, inside the input tensor '{region.name}'; inputs are "
                "read-only"
            )

    def counts(self, rows_arg: Operand, cols_arg: Operand) -> tuple[int, int]:
        rows, cols = self.value(rows_arg), self.value(cols_arg)
        if rows < 1 or cols < 1:
            raise self.fail(f"{self.ins.op} needs rows and cols >= 1, got {rows} x {cols}")
        return rows, cols

    def touch(self, block: Block, write: bool) -> np.ndarray:
        """Check an on-chip access against pending transfers; returns its view."""
        self.hazards.check_onchip(self.ins.op, block, write, self.ins.line)
        return view(self.memories[block.mem], block)

    # --- DMA engine ---

    def _dld(self, ins: Instr) -> None:
        tag, dst, src, rows_arg, cols_arg = ins.args
        rows, cols = self.counts(rows_arg, cols_arg)
        onchip = self.block(dst, rows, cols, cols, write=True)
        dram = self.block(src, rows, cols, cols, write=False)
        self.hazards.check_dram_read(ins.op, dram, ins.line)
        self.touch(onchip, write=True)[...] = view(self.dram, dram)
        finish = self.timing.engine("dma", dma_cycles(rows, cols), [dram], [onchip], ins.line)
        self.hazards.add(Transfer("dld", _tag(tag), ins.line, onchip, dram, finish))
        self.stats.dma_bytes_loaded += 4 * rows * cols

    def _dst(self, ins: Instr) -> None:
        tag, dst, src, rows_arg, cols_arg = ins.args
        rows, cols = self.counts(rows_arg, cols_arg)
        dram = self.block(dst, rows, cols, cols, write=True)
        onchip = self.block(src, rows, cols, cols, write=False)
        view(self.dram, dram)[...] = self.touch(onchip, write=False)
        finish = self.timing.engine("dma", dma_cycles(rows, cols), [onchip], [dram], ins.line)
        self.hazards.add(Transfer("dst", _tag(tag), ins.line, onchip, dram, finish))
        self.stats.dma_bytes_stored += 4 * rows * cols

    # --- matrix engine ---

    def _mw(self, ins: Instr) -> None:
        tile, k_arg, n_arg = ins.args
        k, n = self.value(k_arg), self.value(n_arg)
        if not (1 <= k <= ARRAY_DIM and 1 <= n <= ARRAY_DIM):
            raise self.fail(f"mw needs 1 <= K, N <= {ARRAY_DIM}, got K={k}, N={n}")
        block = self.block(tile, k, n, n, write=False)
        self.weights = bf16_round(self.touch(block, write=False)).astype(np.float64)
        self.timing.engine("matrix", mw_cycles(), [block], [], ins.line)

    def _mm(self, ins: Instr) -> None:
        out_arg, x_arg, m_arg = ins.args
        if self.weights is None:
            raise self.fail(f"{ins.op} before any mw; load the weights with 'mw' first")
        m = self.value(m_arg)
        if m < 1:
            raise self.fail(f"{ins.op} needs M >= 1, got {m}")
        k, n = self.weights.shape
        x = self.block(x_arg, m, k, k, write=False)
        out = self.block(out_arg, m, n, n, write=True)
        product = bf16_round(self.touch(x, write=False)).astype(np.float64) @ self.weights
        target = self.touch(out, write=True)
        accumulate = ins.op == "mma"
        if accumulate:
            product += target
        target[...] = product
        reads = [x, out] if accumulate else [x]
        self.timing.engine("matrix", mm_cycles(m), reads, [out], ins.line)
        self.stats.macs += m * k * n

    # --- vector engine ---

    def _vector(self, ins: Instr) -> None:
        op = ins.op
        if self.shape is None:
            raise self.fail(f"{op} before any vshape; set the shape with 'vshape rows, cols'")
        rows, cols = self.shape
        dst_arg, *source_args = ins.args
        reduce = op in ("vrsum", "vrmax")
        reads: list[Block] = []
        sources: list[Any] = []
        for arg in source_args:
            if isinstance(arg, Imm):
                sources.append(np.float32(arg.value))
                continue
            block = self.source(arg, rows, cols)
            reads.append(block)
            sources.append(self.touch(block, write=False))
        if reduce:
            dst = self.block(dst_arg, rows, 1, 1, write=True)
            result = _reduce(op, sources[0], rows, cols)
        else:
            dst = self.block(dst_arg, rows, cols, cols, write=True)
            result = _VECTOR[op](*sources)
        self.touch(dst, write=True)[...] = result
        self.timing.engine("vector", vector_cycles(op, rows, cols), reads, [dst], ins.line)
        self.stats.vector_ops += rows * cols

    def source(self, arg: Operand, rows: int, cols: int) -> Block:
        """A vector source: a rows x cols tile, a row of `cols` values or a column of `rows`."""
        assert isinstance(arg, Mem)
        if arg.axis == "row":
            return self.block(arg, 1, cols, cols, write=False)
        if arg.axis == "col":
            return self.block(arg, rows, 1, 1, write=False)
        return self.block(arg, rows, cols, cols, write=False)


def run(
    program: Program,
    dram: np.ndarray,
    *,
    regions: Sequence[DramRegion] | None = None,
    max_cycles: int = MAX_CYCLES,
    max_instructions: int = MAX_INSTRUCTIONS,
) -> SimStats:
    """Run `program` on `dram` (a 1-D float32 array, written in place by `dst`).

    `regions` lists the task's tensors; when given, every DRAM access must lie inside one of
    them and writes only inside writable ones. Raises ExecutionError naming the line."""
    return _Machine(program, dram, regions, max_cycles, max_instructions).run()
