"""The TILE target: lays the task's tensors out in DRAM, assembles, simulates, and bounds."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from isa.accel.tile import machine
from isa.accel.tile.assembler import Program, assemble
from isa.accel.tile.memory import DramRegion
from isa.accel.tile.simulator import run
from isa.base import Build, KernelInterface, RunResult, Target, Work

ALIGN = 64  # words; every tensor starts on a 256-byte boundary
SPEC_PATH = Path(__file__).with_name("spec.md")


def layout(iface: KernelInterface) -> tuple[dict[str, int], int]:
    """DRAM word address of every tensor, in signature order, and the words in use."""
    addresses: dict[str, int] = {}
    cursor = 0
    for tensor in iface.tensors:
        addresses[tensor.name] = cursor
        cursor += -(-tensor.size // ALIGN) * ALIGN
    return addresses, cursor


def symbols(iface: KernelInterface) -> dict[str, int]:
    addresses, _ = layout(iface)
    table = {f"${name}": value for name, value in iface.sizes.items()}
    table.update({f"@{name}": addr for name, addr in addresses.items()})
    return table


@cache
def _spec_text() -> str:
    return SPEC_PATH.read_text()


class TileBackend:
    family = "tile"
    language = "TILE assembly"
    source_suffix = ".tasm"
    precision = "bf16"
    unit = "cycles"

    def check_target(self, target: Target) -> None:
        if target.arch is not None:
            raise ValueError(f"target 'tile' takes no architecture, got '{target.name}'")

    def executors(self, target: Target) -> tuple[str, ...]:
        return ("emu",)

    def spec(self, target: Target) -> str:
        return _spec_text()

    def build(self, target: Target, source: str, iface: KernelInterface) -> Build:
        program = assemble(source, symbols(iface))
        return Build(
            artifact=program,
            diagnostics={
                "instructions": len(program.instructions),
                "instruction_limit": machine.MAX_PROGRAM,
            },
        )

    def execute(
        self,
        target: Target,
        build: Build,
        iface: KernelInterface,
        inputs: dict[str, np.ndarray],
        executor: str = "emu",
    ) -> RunResult:
        program: Program = build.artifact
        addresses, words = layout(iface)
        dram = np.full(words, np.nan, dtype=np.float32)  # outputs and padding start poisoned
        for tensor in iface.inputs:
            addr = addresses[tensor.name]
            dram[addr : addr + tensor.size] = np.asarray(inputs[tensor.name], np.float32).ravel()
        regions = [
            DramRegion(t.name, addresses[t.name], t.size, writable=t.role == "output")
            for t in iface.tensors
        ]
        stats = run(program, dram, regions=regions)
        outputs = {
            t.name: dram[addresses[t.name] : addresses[t.name] + t.size].reshape(t.shape).copy()
            for t in iface.outputs
        }
        findings = []
        for tensor in iface.inputs:
            addr = addresses[tensor.name]
            after = dram[addr : addr + tensor.size]
            before = np.asarray(inputs[tensor.name], np.float32).ravel()
            if not np.array_equal(after, before, equal_nan=True):
                findings.append(f"the kernel modified its input '{tensor.name}'")
        return RunResult(
            outputs=outputs,
            measure=float(stats.cycles),
            unit=self.unit,
            counters=stats.to_dict(),
            findings=findings,
        )

    def profile_report(
        self, counters: dict[str, Any], measure: float, roofline: float | None
    ) -> str:
        return profile_report(counters, measure, roofline)

    def roofline(self, target: Target, work: Work, executor: str = "emu") -> float:
        return float(
            max(work.macs / machine.PEAK_MACS_PER_CYCLE, work.words / machine.DRAM_WORDS_PER_CYCLE)
        )


def profile_report(counters: dict[str, Any], cycles: float, roofline: float | None) -> str:
    """Where the cycles go, short enough for a tool result."""
    lines = []
    if roofline:
        lines.append(
            f"{cycles:.0f} cycles; roofline bound {roofline:.0f} ({100 * roofline / cycles:.1f}%)"
        )
    busy = counters.get("busy", {})
    util = counters.get("utilization", {})
    engines = ", ".join(
        f"{name} {busy.get(name, 0)} ({100 * util.get(name, 0):.0f}%)"
        for name in ("scalar", "dma", "matrix", "vector")
    )
    lines.append(f"engine busy cycles: {engines}")
    if busy:
        top = max(("dma", "matrix", "vector"), key=lambda e: busy.get(e, 0))
        lines.append(f"busiest engine: {top}")
    stalls = {k: v for k, v in counters.get("stalls", {}).items() if v}
    if stalls:
        lines.append("issue stalls: " + ", ".join(f"{k} {v}" for k, v in sorted(stalls.items())))
    loaded, stored = counters.get("dma_bytes_loaded", 0), counters.get("dma_bytes_stored", 0)
    if cycles:
        lines.append(
            f"DMA: {loaded} B loaded, {stored} B stored, "
            f"{(loaded + stored) / cycles:.1f} B/cycle achieved (peak 64)"
        )
    lines.append(
        f"instructions executed: {counters.get('instructions', 0)}, MACs: {counters.get('macs', 0)}"
    )
    hot = counters.get("hot_lines", [])
    if hot:
        lines.append("hot lines (line: engine cycles): " + ", ".join(f"{a}: {b}" for a, b in hot))
    return "\n".join(lines)
