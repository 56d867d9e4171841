"""The TILE machine in numbers: sizes, limits and every cost formula of spec.md, in one place.

The assembler, the simulator, the backend and the benchmarks all read these, so the spec and
the code can only disagree here.
"""

from __future__ import annotations

from isa.accel.common.numerics import cdiv

# --- state (spec section 1) ---
SCRATCHPAD_WORDS = 65_536
ACCUMULATOR_WORDS = 16_384
NUM_REGS = 16
NUM_TAGS = 8
ARRAY_DIM = 16  # the systolic array is ARRAY_DIM x ARRAY_DIM; K and N of `mw` are 1..16
VECTOR_LANES = 16

MEMORY_WORDS: dict[str, int] = {"S": SCRATCHPAD_WORDS, "A": ACCUMULATOR_WORDS}
MEMORY_NAMES: dict[str, str] = {"S": "scratchpad", "A": "accumulator", "D": "DRAM"}

# --- limits (spec section 5) ---
MAX_PROGRAM = 4_096
MAX_LOOP_DEPTH = 4
QUEUE_DEPTH = 8
MAX_CYCLES = 20_000_000
MAX_INSTRUCTIONS = 2_000_000

# --- costs (spec sections 3 and 4) ---
SCALAR_CYCLES = 1
BRANCH_TAKEN_EXTRA = 2
JMP_CYCLES = 3
DMA_BASE = 64
DMA_WORDS_PER_CYCLE = 16
MW_CYCLES = 16
MM_FILL = 16  # pipeline fill and drain of the systolic array
VECTOR_BASE = 8
PEAK_MACS_PER_CYCLE = ARRAY_DIM * ARRAY_DIM
DRAM_WORDS_PER_CYCLE = 16

ENGINES = ("dma", "matrix", "vector")
TRANSCENDENTAL = frozenset({"vexp", "vrcp", "vrsqrt", "vtanh"})


def branch_cycles(taken: bool) -> int:
    return SCALAR_CYCLES + (BRANCH_TAKEN_EXTRA if taken else 0)


def dma_cycles(rows: int, cols: int) -> int:
    """`dld` / `dst`: a fixed start-up cost, one cycle per row, 16 words per cycle."""
    return DMA_BASE + rows + cdiv(rows * cols, DMA_WORDS_PER_CYCLE)


def mw_cycles() -> int:
    return MW_CYCLES


def mm_cycles(m: int) -> int:
    """`mm` / `mma` over M rows: one row per cycle once the array is full."""
    return m + MM_FILL


def vector_cycles(op: str, rows: int, cols: int) -> int:
    n = cdiv(rows * cols, VECTOR_LANES)
    return VECTOR_BASE + (2 * n if op in TRANSCENDENTAL else n)


def roofline_cycles(macs: int, words: int) -> float:
    """The least cycles any kernel needs: the matrix engine's peak or the memory's."""
    return max(macs / PEAK_MACS_PER_CYCLE, words / DRAM_WORDS_PER_CYCLE)
