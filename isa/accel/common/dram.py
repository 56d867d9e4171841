"""The DRAM image of a kernel run: where each task tensor lives, the `$`/`@` symbols a kernel
is assembled with, inputs written in and outputs read back (section 6 of both specs)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from isa.accel.common.memory import DramRegion
from isa.base import KernelInterface

ALIGN = 64  # words; every tensor starts on a 256-byte boundary


def layout(iface: KernelInterface) -> tuple[dict[str, int], int]:
    """DRAM word address of every tensor, in signature order, and the words in use."""
    addresses: dict[str, int] = {}
    cursor = 0
    for tensor in iface.tensors:
        addresses[tensor.name] = cursor
        cursor += -(-tensor.size // ALIGN) * ALIGN
    return addresses, cursor


def symbols(iface: KernelInterface) -> dict[str, int]:
    """`$SIZE` for every size of the config and `@tensor` for every tensor's address."""
    addresses, _ = layout(iface)
    table = {f"${name}": value for name, value in iface.sizes.items()}
    table.update({f"@{name}": addr for name, addr in addresses.items()})
    return table


@dataclass
class DramImage:
    """A DRAM array holding the inputs, with outputs and padding poisoned (NaN)."""

    iface: KernelInterface
    dram: np.ndarray
    addresses: dict[str, int]

    @classmethod
    def create(cls, iface: KernelInterface, inputs: dict[str, np.ndarray]) -> DramImage:
        addresses, words = layout(iface)
        dram = np.full(words, np.nan, dtype=np.float32)
        for tensor in iface.inputs:
            addr = addresses[tensor.name]
            dram[addr : addr + tensor.size] = np.asarray(inputs[tensor.name], np.float32).ravel()
        return cls(iface, dram, addresses)

    def regions(self) -> list[DramRegion]:
        return [
            DramRegion(t.name, self.addresses[t.name], t.size, writable=t.role == "output")
            for t in self.iface.tensors
        ]

    def outputs(self) -> dict[str, np.ndarray]:
        return {
            t.name: self._words(t.name, t.size).reshape(t.shape).copy() for t in self.iface.outputs
        }

    def findings(self, inputs: dict[str, np.ndarray]) -> list[str]:
        """Inputs the kernel changed (they are read-only)."""
        return [
            f"the kernel modified its input '{t.name}'"
            for t in self.iface.inputs
            if not np.array_equal(
                self._words(t.name, t.size),
                np.asarray(inputs[t.name], np.float32).ravel(),
                equal_nan=True,
            )
        ]

    def _words(self, name: str, size: int) -> np.ndarray:
        return self.dram[self.addresses[name] : self.addresses[name] + size]
