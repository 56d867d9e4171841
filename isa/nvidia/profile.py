"""The profile an agent reads for an NVIDIA run: per launch, the time, what limits it, and
the counters behind it (emulator) or the timing statistics (GPU)."""

from __future__ import annotations

from typing import Any


def profile_report(counters: dict[str, Any], measure: float, roofline: float | None) -> str:
    lines = []
    head = f"{measure:.2f} us"
    if counters.get("executor") == "emu" and counters.get("sampled"):
        head += (
            f" estimated on {counters.get('gpu_model', 'the modelled GPU')} at this realistic "
            "size from a sample of blocks (scored)"
        )
    elif counters.get("executor") == "emu":
        head += f" estimated on {counters.get('gpu_model', 'the modelled GPU')} by the emulator"
    else:
        head += f" measured on {counters.get('device', 'the GPU')} (median)"
    if roofline:
        head += f"; roofline bound {roofline:.2f} us ({100 * roofline / max(measure, 1e-12):.1f}%)"
    lines.append(head)
    timing = counters.get("timing")
    if timing:
        lines.append(
            f"timing: {timing['iterations']} iterations, median {timing['median_us']:.2f} us, "
            f"min {timing['min_us']:.2f}, max {timing['max_us']:.2f}, "
            f"relative standard error {100 * timing['rse']:.2f}%"
        )
    for i, entry in enumerate(counters.get("launches", []), start=1):
        c = entry.get("counters", {})
        lines.append(
            f"launch {i}: {entry['kernel']} grid {tuple(entry['grid'])} block "
            f"{tuple(entry['block'])}: {entry['us']:.2f} us, limited by {entry['limiter']}"
        )
        breakdown = entry.get("breakdown_us", {})
        if breakdown:
            parts = ", ".join(
                f"{k} {v:.2f}" for k, v in sorted(breakdown.items(), key=lambda kv: -kv[1])
            )
            lines.append(f"  limits (us): {parts}")
        lines.append(
            f"  occupancy {100 * entry.get('occupancy', 0):.0f}%, "
            f"{entry.get('blocks_per_sm', 0)} blocks/SM, {entry.get('waves', 0):.2f} waves, "
            f"{entry.get('registers', 0)} registers/thread"
        )
        if "imbalance" in entry:
            emulated, blocks = entry.get("blocks_emulated", 0), entry.get("blocks", 0)
            sample = f"{emulated} of {blocks} blocks emulated, " if emulated < blocks else ""
            lines.append(
                f"  {sample}busiest SM runs {entry.get('busiest_sm_blocks', 0)} blocks, "
                f"{entry['imbalance']:.2f}x the mean SM's time"
            )
        if c:
            mix = ", ".join(f"{k} {v}" for k, v in sorted(c.get("warp_instructions", {}).items()))
            lines.append(f"  warp instructions: {c.get('total_warp_instructions', 0)} ({mix})")
            loads, stores = c.get("global_load_requests", 0), c.get("global_store_requests", 0)
            lines.append(
                f"  global: {loads} load requests -> {c.get('global_load_sectors', 0)} sectors, "
                f"{stores} store requests -> {c.get('global_store_sectors', 0)} sectors "
                f"({_per_request(c)} sectors/request; 4 is fully coalesced fp32)"
            )
            lines.append(
                f"  shared: {c.get('shared_load_requests', 0)} loads, "
                f"{c.get('shared_store_requests', 0)} stores, "
                f"{c.get('shared_bank_conflicts', 0)} bank-conflict replays; "
                f"barriers {c.get('barriers', 0)}"
            )
    return "\n".join(lines)


def _per_request(c: dict[str, Any]) -> str:
    requests = c.get("global_load_requests", 0) + c.get("global_store_requests", 0)
    sectors = c.get("global_load_sectors", 0) + c.get("global_store_sectors", 0)
    return f"{sectors / requests:.1f}" if requests else "-"
