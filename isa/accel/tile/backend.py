"""The TILE target: lays the task's tensors out in DRAM, assembles, simulates, and bounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from isa.accel.common.backend import AcceleratorBackend
from isa.accel.common.dram import DramImage, symbols
from isa.accel.tile import machine
from isa.accel.tile.assembler import _LABEL, Program, assemble
from isa.accel.tile.simulator import run
from isa.base import Build, KernelInterface, Target, Work


class TileBackend(AcceleratorBackend):
    family = "tile"
    language = "TILE assembly"
    source_suffix = ".tasm"
    precision = "bf16"
    spec_path = Path(__file__).with_name("spec.md")

    def build(self, target: Target, source: str, iface: KernelInterface) -> Build:
        program = assemble(source, symbols(iface))
        return Build(
            artifact=program,
            diagnostics={
                "instructions": len(program.instructions),
                "instruction_limit": machine.MAX_PROGRAM,
            },
        )

    def simulate(self, program: Program, image: DramImage) -> Any:
        return run(program, image.dram, regions=image.regions())

    def static_check(self, target: Target, source: str, forbidden: tuple[str, ...]) -> list[str]:
        """Lines that use an instruction the task forbids (e.g. `vcvt`, a bf16 downgrade)."""
        banned = {name.lower() for name in forbidden}
        findings = []
        for number, raw in enumerate(source.splitlines(), start=1):
            text = raw.split(";", 1)[0]
            while match := _LABEL.match(text):
                text = text[match.end() :]
            words = text.split(None, 1)
            if words and words[0].lower() in banned:
                findings.append(f"line {number}: '{words[0]}' is forbidden by this task")
        return findings

    def profile_report(
        self, counters: dict[str, Any], measure: float, roofline: float | None
    ) -> str:
        return profile_report(counters, measure, roofline)

    def roofline(self, target: Target, work: Work, executor: str = "emu") -> float:
        return float(
            max(work.macs / machine.PEAK_MACS_PER_CYCLE, work.words / machine.DRAM_WORDS_PER_CYCLE)
        )


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def profile_report(counters: dict[str, Any], cycles: float, roofline: float | None) -> str:
    """Where the cycles go, short enough for a tool result: the roofline, per engine busy /
    stalled / idle time with the top stall causes, the engine on the critical path, the issue
    stalls of the scalar unit, DMA traffic and bandwidth, and the hottest source lines."""
    lines = []
    if roofline and cycles >= roofline:  # a time under the bound is never credited as a share
        lines.append(
            f"{cycles:.0f} cycles; roofline bound {roofline:.0f} cycles "
            f"({100 * roofline / cycles:.1f}% of roofline)"
        )
    else:
        lines.append(f"{cycles:.0f} cycles")
    busy = counters.get("busy", {})
    engine_stalls: dict[str, dict[str, int]] = counters.get("engine_stalls", {})
    lines.append("engine  busy  stalled  idle  top stall causes")
    active: dict[str, int] = {}
    for engine in machine.ENGINES:
        b = busy.get(engine, 0)
        causes = engine_stalls.get(engine, {})
        stalled = sum(causes.values())
        idle = max(0.0, cycles - b - stalled)
        active[engine] = b + stalled
        top = sorted(
            ((c, v) for c, v in causes.items() if v >= cycles / 200), key=lambda kv: -kv[1]
        )[:2]
        why = ", ".join(f"{c} {_pct(v, cycles)}" for c, v in top) or "-"
        lines.append(
            f"{engine:<7} {_pct(b, cycles):>4}  {_pct(stalled, cycles):>7}  "
            f"{_pct(idle, cycles):>4}  {why}"
        )
    if cycles and active:
        critical = max(active, key=lambda e: (busy.get(e, 0), active[e]))
        share = busy.get(critical, 0) / cycles
        if share >= 0.6:
            lines.append(f"critical path: {critical} (busy {share:.0%} of the time)")
        else:
            lines.append(
                f"critical path: no engine is busy more than {share:.0%} of the time "
                f"({critical} the most); the rest is waiting: issue stalls and dependencies"
            )
    stalls = {k: v for k, v in counters.get("stalls", {}).items() if v}
    if stalls:
        top = sorted(stalls.items(), key=lambda kv: -kv[1])[:3]
        lines.append(
            "scalar issue stalled: " + ", ".join(f"{k} {v} ({_pct(v, cycles)})" for k, v in top)
        )
    loaded, stored = counters.get("dma_bytes_loaded", 0), counters.get("dma_bytes_stored", 0)
    if cycles:
        peak = 4 * machine.DRAM_WORDS_PER_CYCLE
        rate = (loaded + stored) / cycles
        lines.append(
            f"DMA: {loaded} B loaded, {stored} B stored, {rate:.1f} B/cycle achieved "
            f"({100 * rate / peak:.0f}% of the peak {peak})"
        )
    lines.append(
        f"instructions executed: {counters.get('instructions', 0)}, MACs: {counters.get('macs', 0)}"
    )
    hot = counters.get("hot_lines", [])
    if hot:
        lines.append("hot lines (line: engine cycles): " + ", ".join(f"{a}: {b}" for a, b in hot))
    return "\n".join(lines)
