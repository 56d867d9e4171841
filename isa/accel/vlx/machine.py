"""The VLX machine in numbers: slots, latencies, sizes, limits and every cost of spec.md.

The assembler, the simulator, the backend, the template compiler and the benchmarks read
these, so the spec and the code can only disagree here.
"""

from __future__ import annotations

from isa.accel.common.numerics import cdiv

# --- state (spec section 1) ---
LOCAL_WORDS = 65_536  # local data memory L, fp32 words
LANES = 16  # fp32 lanes of a vector register; also words per bank line
BANKS = 8  # bank of word w: (w // LANES) % BANKS
NUM_REGS = 32  # r0..r31, int32; r0 reads 0
NUM_VREGS = 32  # v0..v31, 16 x fp32
NUM_ACCS = 8  # a0..a7, 16 x fp64 ("wide")
NUM_TAGS = 8  # DMA tags t0..t7

MEMORY_WORDS: dict[str, int] = {"L": LOCAL_WORDS}

# --- slots (spec section 3): how many operations of each kind one bundle may hold ---
SLOTS: dict[str, int] = {
    "scalar": 2,
    "load": 2,
    "store": 1,
    "valu": 1,
    "vmac": 1,
    "dma": 1,
    "ctl": 1,
}

# --- latencies (spec section 4): cycles from issue until a result may be read ---
LATENCY: dict[str, int] = {
    "scalar": 1,
    "load": 3,
    "valu": 2,
    "reduce": 4,
    "special": 6,  # vexp, vrcp, vrsqrt, vtanh
    "vmac": 4,
    "vrd": 2,
    "vclr": 1,
}
BRANCH_TAKEN_EXTRA = 2  # a taken branch or jmp costs this many cycles more
LOOP_SETUP = 1  # the `loop` bundle; endloop costs nothing

# --- DMA (spec section 3) ---
DMA_BASE = 32
DMA_WORDS_PER_CYCLE = 8
DMA_QUEUE = 4  # transfers issued but not finished; a fifth waits

# --- limits (spec section 5) ---
MAX_BUNDLES = 1_024  # program memory
MAX_LOOP_DEPTH = 4
MAX_CYCLES = 20_000_000

PEAK_MACS_PER_CYCLE = LANES  # the vmac slot is the only multiplier


def dma_cycles(rows: int, cols: int) -> int:
    """`dld` / `dst`: a start-up cost, one cycle per row, 8 words per cycle."""
    return DMA_BASE + rows + cdiv(rows * cols, DMA_WORDS_PER_CYCLE)


def bank(word: int) -> int:
    return (word // LANES) % BANKS


def roofline_cycles(macs: int, words: int) -> float:
    """The least cycles any kernel needs: the multiplier's peak or DRAM's bandwidth."""
    return max(macs / PEAK_MACS_PER_CYCLE, words / DMA_WORDS_PER_CYCLE)
