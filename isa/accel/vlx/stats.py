"""What one VLX run did and where its cycles went."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from isa.accel.vlx.machine import SLOTS

# What each stall cause means, for people and agents reading a profile.
STALL_CAUSES: dict[str, str] = {
    "load": "waiting for a vld/vld1 result",
    "valu": "waiting for a vector ALU result",
    "special": "waiting for vexp/vrcp/vrsqrt/vtanh",
    "reduce": "waiting for vredsum/vredmax",
    "vmac": "waiting for a vmul/vfma/vmac/vmpy result",
    "vrd": "waiting for vrd",
    "vclr": "waiting for vclr",
    "scalar": "waiting for a scalar result",
    "bank": "bank conflicts in local memory",
    "branch": "taken branches",
    "dwait": "dwait on a transfer",
    "dma_queue": "DMA queue full",
}


@dataclass
class SimStats:
    cycles: int = 0
    bundles: int = 0  # executed bundles (every loop iteration counts)
    busy: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*SLOTS, "dma_engine"), 0))
    stalls: dict[str, int] = field(default_factory=dict)
    dma_bytes_loaded: int = 0
    dma_bytes_stored: int = 0
    macs: int = 0
    line_cycles: dict[int, int] = field(default_factory=dict)  # issue + stall cycles per line
    line_counts: dict[int, int] = field(default_factory=dict)

    def hot_lines(self, n: int = 5) -> list[tuple[int, int]]:
        return sorted(self.line_cycles.items(), key=lambda item: (-item[1], item[0]))[:n]

    def utilization(self) -> dict[str, float]:
        """Busy share of each slot kind (operations issued / (slots x cycles)) and of the DMA
        engine (cycles transferring / cycles)."""
        if not self.cycles:
            return dict.fromkeys(self.busy, 0.0)
        return {unit: busy / (self.cycles * SLOTS.get(unit, 1)) for unit, busy in self.busy.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "cycles": self.cycles,
            "bundles": self.bundles,
            "busy": dict(self.busy),
            "utilization": {k: round(v, 4) for k, v in self.utilization().items()},
            "stalls": dict(self.stalls),
            "dma_bytes_loaded": self.dma_bytes_loaded,
            "dma_bytes_stored": self.dma_bytes_stored,
            "macs": self.macs,
            "hot_lines": [list(item) for item in self.hot_lines()],
        }
