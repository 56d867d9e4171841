"""Blocks of memory: the strided 2-D regions that TILE instructions read and write."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided


@dataclass(frozen=True, slots=True)
class Block:
    """`rows` rows of `cols` words, `stride` words apart, from word `base` of memory `mem`.

    Strides are never negative, so the block lies in its bounding interval [lo, hi)."""

    mem: str  # "S" | "A" | "D"
    base: int
    stride: int
    rows: int
    cols: int

    @property
    def lo(self) -> int:
        return self.base

    @property
    def hi(self) -> int:
        return self.base + (self.rows - 1) * self.stride + self.cols

    @property
    def words(self) -> int:
        return self.rows * self.cols

    @property
    def contiguous(self) -> bool:
        return self.rows == 1 or self.stride == self.cols

    def __str__(self) -> str:
        return f"{self.mem}[{self.lo}..{self.hi - 1}]"

    def indices(self) -> np.ndarray:
        rows = self.base + self.stride * np.arange(self.rows, dtype=np.int64)
        return (rows[:, None] + np.arange(self.cols, dtype=np.int64)).ravel()


def view(array: np.ndarray, block: Block) -> np.ndarray:
    """A rows x cols view of `array` (writable; the caller has checked the bounds)."""
    if block.contiguous:
        return array[block.lo : block.hi].reshape(block.rows, block.cols)
    segment = array[block.lo : block.hi]
    step = array.itemsize
    return as_strided(segment, (block.rows, block.cols), (block.stride * step, step))


def overlaps(a: Block, b: Block) -> bool:
    """Whether two blocks share a word (exact, not just their bounding intervals)."""
    if a.mem != b.mem or a.hi <= b.lo or b.hi <= a.lo:
        return False
    if a.contiguous and b.contiguous:
        return True
    return bool(np.intersect1d(a.indices(), b.indices()).size)


@dataclass(frozen=True)
class DramRegion:
    """A task tensor in DRAM: words [start, start + size). Inputs are not writable."""

    name: str
    start: int
    size: int
    writable: bool = True

    @property
    def end(self) -> int:
        return self.start + self.size

    def holds(self, block: Block) -> bool:
        return self.start <= block.lo and block.hi <= self.end
