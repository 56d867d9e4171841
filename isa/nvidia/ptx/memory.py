"""Global memory of the emulated device: named allocations at 256-byte aligned addresses,
separated by guard gaps, filled with a poison pattern, bounds-checked per allocation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GLOBAL_BASE = 1 << 40  # first device address; small integers are never valid pointers
ALIGN = 256
GUARD = 256  # unallocated bytes between allocations, so an overrun cannot land in a neighbour
POISON = 0xFF  # every new byte: NaN as f32/f64/f16, -1 as an integer


@dataclass(frozen=True)
class Allocation:
    name: str
    addr: int
    nbytes: int
    read_only: bool = False  # a task's input: the first store to it is a fault

    @property
    def end(self) -> int:
        return self.addr + self.nbytes


class DeviceMemory:
    """Device global memory. Addresses are plain ints (what a kernel receives as a pointer)."""

    def __init__(self) -> None:
        self.data = np.full(1 << 16, POISON, dtype=np.uint8)
        self.allocations: list[Allocation] = []
        self._next = GLOBAL_BASE
        self._starts = np.zeros(0, dtype=np.uint64)
        self._ends = np.zeros(0, dtype=np.uint64)
        self._read_only = np.zeros(0, dtype=bool)
        self._any_read_only = False

    def alloc(self, nbytes: int, name: str = "", read_only: bool = False) -> int:
        """Reserve `nbytes` (poisoned) and return the device address; a `read_only` one
        (an input) may be written by the host but never by a kernel."""
        if nbytes < 0:
            raise ValueError(f"cannot allocate a negative size ({nbytes} bytes)")
        addr = self._next
        self._next = addr + -(-max(nbytes, 1) // ALIGN) * ALIGN + GUARD
        self._grow(self._next - GLOBAL_BASE)
        label = name or f"buffer{len(self.allocations)}"
        self.allocations.append(Allocation(label, addr, nbytes, read_only))
        self._starts = np.array([a.addr for a in self.allocations], dtype=np.uint64)
        self._ends = np.array([a.end for a in self.allocations], dtype=np.uint64)
        self._read_only = np.array([a.read_only for a in self.allocations], dtype=bool)
        self._any_read_only = bool(self._read_only.any())
        return addr

    def alloc_array(self, array: np.ndarray, name: str = "", read_only: bool = False) -> int:
        """Allocate room for `array`, copy it in, return the address."""
        addr = self.alloc(array.nbytes, name, read_only)
        self.write(addr, array)
        return addr

    def write(self, addr: int, array: np.ndarray | bytes) -> None:
        raw = np.frombuffer(bytes(array), dtype=np.uint8) if isinstance(array, bytes) else None
        if raw is None:
            raw = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
        self._check_host(addr, raw.size)
        off = addr - GLOBAL_BASE
        self.data[off : off + raw.size] = raw

    def read(
        self, addr: int, nbytes_or_dtype: int | np.dtype | type | str, shape: tuple[int, ...] = ()
    ) -> np.ndarray:
        """`read(addr, nbytes)` gives uint8 bytes; `read(addr, dtype, shape)` a typed copy."""
        dtype: np.dtype
        if isinstance(nbytes_or_dtype, int):
            dtype, count = np.dtype(np.uint8), nbytes_or_dtype
        else:
            dtype = np.dtype(nbytes_or_dtype)
            count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        nbytes = count * dtype.itemsize
        self._check_host(addr, nbytes)
        off = addr - GLOBAL_BASE
        out = self.data[off : off + nbytes].copy().view(dtype)
        return out.reshape(shape) if not isinstance(nbytes_or_dtype, int) else out

    def find(self, addr: int) -> Allocation | None:
        """The allocation that holds `addr`, if any."""
        for a in self.allocations:
            if a.addr <= addr < a.end:
                return a
        return None

    def nearest(self, addr: int) -> Allocation | None:
        """The allocation that starts at or before `addr` (the one an overrun came from)."""
        best = None
        for a in self.allocations:
            if a.addr <= addr:
                best = a
        return best

    def in_bounds(self, addrs: np.ndarray, width: int) -> np.ndarray:
        """Per address: do bytes [addr, addr + width) lie inside one allocation?"""
        return self.check(addrs, width)[0]

    def check(self, addrs: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Per address: in bounds (as `in_bounds`), and in a read-only allocation (None when
        there is none), from one search."""
        a = addrs.astype(np.uint64, copy=False)
        if self._starts.size == 0:
            return np.zeros(a.shape, dtype=bool), None
        idx = np.searchsorted(self._starts, a, side="right").astype(np.int64) - 1
        ok = idx >= 0
        idx = np.maximum(idx, 0)
        inside = ok & (a + np.uint64(width) <= self._ends[idx])
        frozen = self._read_only[idx] & inside if self._any_read_only else None
        return inside, frozen

    def _check_host(self, addr: int, nbytes: int) -> None:
        for a in self.allocations:
            if a.addr <= addr and addr + nbytes <= a.end:
                return
        raise ValueError(f"host access of {nbytes} bytes at {addr:#x} is outside every allocation")

    def _grow(self, size: int) -> None:
        if size <= self.data.size:
            return
        new = np.full(max(size, 2 * self.data.size), POISON, dtype=np.uint8)
        new[: self.data.size] = self.data
        self.data = new
