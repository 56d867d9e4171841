"""The TILE target: lays the task's tensors out in DRAM, assembles, simulates, and bounds."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from isa.accel.tile import machine
from isa.accel.tile.assembler import Program, assemble
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
            diagnostics={"instructions": len(program.instructions),
                         "instruction_limit": machine.MAX_PROGRAM},
        )

    def execute(
        self, target: Target, build: Build, iface: KernelInterface, inputs: dict[str, np.ndarray]
    ) -> RunResult:
        program: Program = build.artifact
        addresses, words = layout(iface)
        dram = np.full(words, np.nan, dtype=np.float32)  # outputs and padding start poisoned
        for tensor in iface.inputs:
            addr = addresses[tensor.name]
            dram[addr : addr + tensor.size] = np.asarray(inputs[tensor.name], np.float32).ravel()
        stats = run(program, dram)
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
            counters=_counters(stats),
            findings=findings,
        )

    def roofline(self, target: Target, work: Work) -> float:
        return float(max(work.macs / machine.PEAK_MACS_PER_CYCLE,
                         work.words / machine.DRAM_WORDS_PER_CYCLE))


def _counters(stats: Any) -> dict[str, Any]:
    """SimStats as plain JSON-able values."""
    data = dataclasses.asdict(stats) if dataclasses.is_dataclass(stats) else dict(vars(stats))
    return {k: v for k, v in data.items() if isinstance(v, int | float | str | list | dict)}
