"""Run an accelerator program in tests: lay tensors out in DRAM, assemble, run, read back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from isa.accel.common.memory import DramRegion


@dataclass
class AccelRun:
    stats: Any
    dram: np.ndarray
    addresses: dict[str, int]
    shapes: dict[str, tuple[int, ...]]

    def __getitem__(self, name: str) -> np.ndarray:
        start, shape = self.addresses[name], self.shapes[name]
        return self.dram[start : start + int(np.prod(shape))].reshape(shape)


def run_program(
    assemble: Callable[[str, dict[str, int]], Any],
    run: Callable[..., Any],
    source: str,
    inputs: Mapping[str, np.ndarray] | None = None,
    outputs: Mapping[str, tuple[int, ...]] | None = None,
    sizes: Mapping[str, int] | None = None,
    **limits: Any,
) -> AccelRun:
    """Inputs first, then outputs (NaN), contiguous from word 0; `$` sizes from `sizes`."""
    arrays = {k: np.asarray(v, np.float32) for k, v in (inputs or {}).items()}
    shapes = {k: v.shape for k, v in arrays.items()} | dict(outputs or {})
    addresses, regions, parts, cursor = {}, [], [], 0
    for name, shape in shapes.items():
        size = int(np.prod(shape))
        addresses[name] = cursor
        regions.append(DramRegion(name, cursor, size, writable=name not in arrays))
        parts.append(arrays[name].ravel() if name in arrays else np.full(size, np.nan, np.float32))
        cursor += size
    dram = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    symbols = {f"${k}": v for k, v in (sizes or {}).items()}
    symbols |= {f"@{k}": v for k, v in addresses.items()}
    stats = run(assemble(source, symbols), dram, regions=regions, **limits)
    return AccelRun(stats, dram, addresses, shapes)
