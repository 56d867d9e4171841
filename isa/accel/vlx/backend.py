"""The VLX target: lays the task's tensors out in DRAM, assembles, simulates, and bounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from isa.accel.common.backend import AcceleratorBackend
from isa.accel.common.dram import DramImage, symbols
from isa.accel.vlx import machine
from isa.accel.vlx.assembler import assemble
from isa.accel.vlx.program import Program
from isa.accel.vlx.simulator import run
from isa.accel.vlx.stats import STALL_CAUSES
from isa.base import Build, KernelInterface, Target, Work


class VlxBackend(AcceleratorBackend):
    family = "vlx"
    language = "VLX assembly"
    source_suffix = ".vasm"
    precision = "fp32"
    spec_path = Path(__file__).with_name("spec.md")

    def build(self, target: Target, source: str, iface: KernelInterface) -> Build:
        program = assemble(source, symbols(iface))
        return Build(
            artifact=program,
            diagnostics={"bundles": len(program.bundles), "bundle_limit": machine.MAX_BUNDLES},
        )

    def simulate(self, program: Program, image: DramImage) -> Any:
        return run(program, image.dram, regions=image.regions())

    def profile_report(
        self, counters: dict[str, Any], measure: float, roofline: float | None
    ) -> str:
        return profile_report(counters, measure, roofline)

    def roofline(self, target: Target, work: Work, executor: str = "emu") -> float:
        return float(machine.roofline_cycles(work.macs, work.words))


def profile_report(counters: dict[str, Any], cycles: float, roofline: float | None) -> str:
    """Where the cycles go, short enough for a tool result."""
    lines = []
    if roofline and cycles >= roofline:  # a time under the bound is never credited as a share
        lines.append(
            f"{cycles:.0f} cycles; roofline bound {roofline:.0f} ({100 * roofline / cycles:.1f}%)"
        )
    busy = counters.get("busy", {})
    util = counters.get("utilization", {})
    slots = ", ".join(
        f"{slot} {busy.get(slot, 0)} ({100 * util.get(slot, 0):.0f}%)" for slot in machine.SLOTS
    )
    lines.append(f"operations issued per slot (share of slot-cycles busy): {slots}")
    bundles = counters.get("bundles", 0)
    stalls = {k: v for k, v in counters.get("stalls", {}).items() if v}
    stalled = sum(stalls.values())
    ops = sum(busy.get(slot, 0) for slot in machine.SLOTS)
    per_bundle = f" ({ops / bundles:.1f} operations each)" if bundles else ""
    lines.append(f"bundles issued: {bundles}{per_bundle}; stall cycles: {stalled}")
    if stalls:
        top = sorted(stalls.items(), key=lambda kv: -kv[1])[:4]
        lines.append(
            "top stall causes: " + ", ".join(f"{STALL_CAUSES.get(k, k)} {v}" for k, v in top)
        )
    loaded, stored = counters.get("dma_bytes_loaded", 0), counters.get("dma_bytes_stored", 0)
    if cycles:
        dma = busy.get("dma_engine", 0)
        peak = 4 * machine.DMA_WORDS_PER_CYCLE
        lines.append(
            f"DMA: {loaded} B loaded, {stored} B stored, {(loaded + stored) / cycles:.1f} B/cycle "
            f"achieved (peak {peak}); DMA engine busy {dma} cycles ({100 * dma / cycles:.0f}%)"
        )
        units = {
            "the DMA engine": dma,
            "the vmac slot": busy.get("vmac", 0),
            "the valu slot": busy.get("valu", 0),
            "the load slots": busy.get("load", 0) / machine.SLOTS["load"],
            "the store slot": busy.get("store", 0),
        }
        unit, used = max(units.items(), key=lambda kv: kv[1])
        share = 100 * used / cycles
        if share >= 60:
            lines.append(f"bottleneck: {unit}, busy {share:.0f}% of the cycles")
        else:
            lines.append(
                f"bottleneck: no unit is busy more than {share:.0f}% of the cycles ({unit}); "
                "latencies, stalls and sparse bundles dominate"
            )
    lines.append(f"MACs: {counters.get('macs', 0)}")
    hot = counters.get("hot_lines", [])
    if hot:
        lines.append("hot lines (line: cycles): " + ", ".join(f"{a}: {b}" for a, b in hot))
    return "\n".join(lines)
