"""Device memory for the AMDGCN emulator: one flat byte image with named allocations and a
bounds check on every access, and the LDS of a chunk of workgroups with the shadow state the
sanitizer needs (initialised bytes, last writer and readers per dword in each barrier epoch)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BASE = 0x7F0000000000  # first device address (64-bit, like a real GPU's)
ALIGN = 256
GUARD = 4096


@dataclass
class Allocation:
    name: str
    start: int
    size: int


@dataclass
class DeviceMemory:
    data: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))
    allocations: list[Allocation] = field(default_factory=list)
    top: int = 0

    def alloc(self, size: int, name: str) -> int:
        start = self.top
        self.top = start + ((max(size, 1) + ALIGN - 1) // ALIGN) * ALIGN + GUARD
        if self.top > self.data.size:
            grown = np.zeros(max(self.top, 2 * self.data.size), np.uint8)
            grown[: self.data.size] = self.data
            self.data = grown
        self.allocations.append(Allocation(name, start, size))
        return BASE + start

    def alloc_bytes(self, payload: bytes | np.ndarray, name: str) -> int:
        raw = (
            np.frombuffer(bytes(payload), np.uint8)
            if isinstance(payload, bytes)
            else payload.view(np.uint8).ravel()
        )
        address = self.alloc(raw.size, name)
        self.data[address - BASE : address - BASE + raw.size] = raw
        return address

    def read(self, address: int, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
        n = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        off = address - BASE
        return self.data[off : off + n].view(dtype).reshape(shape)

    def check(self, addresses: np.ndarray, nbytes: int) -> np.ndarray:
        """True per address whose `nbytes` lie inside one allocation."""
        if not self.allocations:
            return np.zeros(addresses.shape, bool)
        starts = np.array([BASE + a.start for a in self.allocations], np.int64)
        ends = starts + np.array([a.size for a in self.allocations], np.int64)
        addr = addresses.astype(np.int64)
        idx = np.searchsorted(starts, addr, side="right") - 1
        ok = idx >= 0
        idx = np.maximum(idx, 0)
        return ok & (addr >= starts[idx]) & (addr + nbytes <= ends[idx])

    def name_at(self, address: int, nbytes: int = 1) -> str:
        best = None
        for a in self.allocations:
            if BASE + a.start <= address:
                best = a
        if best is None:
            return "no buffer"
        end = BASE + best.start + best.size
        if address + nbytes <= end:
            return f"'{best.name}' (byte {address - BASE - best.start} of {best.size})"
        if address < end:
            return (
                f"bytes {address - BASE - best.start}..{address - BASE - best.start + nbytes - 1}"
                f" of '{best.name}', past its end ({best.size} bytes)"
            )
        return f"{address - end} bytes past the end of '{best.name}' ({best.size} bytes)"

    def gather(self, addresses: np.ndarray, nbytes: int) -> np.ndarray:
        """(n,) addresses -> (n, nbytes // 4) uint32 (any alignment)."""
        off = addresses.astype(np.int64) - BASE
        idx = off[:, None] + np.arange(nbytes, dtype=np.int64)[None, :]
        return (
            self.data[idx].view(np.uint32).reshape(len(addresses), nbytes // 4)
            if nbytes >= 4
            else self.data[idx].astype(np.uint32)
        )

    def scatter(self, addresses: np.ndarray, words: np.ndarray, nbytes: int) -> None:
        off = addresses.astype(np.int64) - BASE
        idx = off[:, None] + np.arange(nbytes, dtype=np.int64)[None, :]
        raw = (
            np.ascontiguousarray(words.astype(np.uint32))
            .view(np.uint8)
            .reshape(len(addresses), -1)[:, :nbytes]
        )
        self.data[idx.ravel()] = raw.ravel()


@dataclass
class Lds:
    """The LDS of `groups` workgroups, `size` bytes each, with the sanitizer's shadow."""

    groups: int
    size: int
    data: np.ndarray = field(init=False)
    init: np.ndarray = field(init=False)
    w_wave: np.ndarray = field(init=False)
    w_epoch: np.ndarray = field(init=False)
    r_wave: np.ndarray = field(init=False)
    r_epoch: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n = max(self.size, 4)
        dwords = (n + 3) // 4
        self.data = np.zeros((self.groups, dwords * 4), np.uint8)
        self.init = np.zeros((self.groups, dwords * 4), bool)
        self.w_wave = np.full((self.groups, dwords), -1, np.int32)
        self.w_epoch = np.full((self.groups, dwords), -1, np.int64)
        self.r_wave = np.full((self.groups, dwords), -1, np.int32)
        self.r_epoch = np.full((self.groups, dwords), -1, np.int64)
