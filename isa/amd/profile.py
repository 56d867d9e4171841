"""The profile an agent reads for a HIP run: per launch the estimated time on MI300X, what
limits it, occupancy and the emulator's counters (instruction mix, MFMA, memory, LDS)."""

from __future__ import annotations

from typing import Any


def profile_report(counters: dict[str, Any], measure: float, roofline: float | None) -> str:
    head = f"{measure:.2f} us estimated on {counters.get('gpu_model', 'MI300X')} by the emulator"
    if roofline:
        head += f"; roofline bound {roofline:.2f} us ({100 * roofline / max(measure, 1e-12):.1f}%)"
    lines = [head]
    for i, entry in enumerate(counters.get("launches", []), start=1):
        c = entry.get("counters", {})
        occ = entry.get("occupancy", {})
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
            f"  occupancy: {occ.get('waves_per_simd', 0)} waves/SIMD, "
            f"{occ.get('groups_per_cu', 0)} workgroups/CU "
            f"(limited by {occ.get('limited_by', '-')}), "
            f"{occ.get('vgprs', 0)} VGPRs+AGPRs, {occ.get('sgprs', 0)} SGPRs, "
            f"{occ.get('lds_bytes', 0)} LDS bytes"
        )
        mix = ", ".join(
            f"{k} {c[k]}"
            for k in (
                "valu",
                "mfma",
                "salu",
                "smem",
                "vmem_load",
                "vmem_store",
                "vmem_atomic",
                "lds",
                "branch",
                "barrier",
                "waitcnt",
            )
            if c.get(k)
        )
        lines.append(f"  wave instructions: {mix}")
        if c.get("mfma"):
            lines.append(
                f"  MFMA: {c['mfma']} instructions, {c.get('mfma_flops', 0)} flops "
                "(matrix cores in use)"
            )
        else:
            lines.append("  MFMA: none (matrix cores idle)")
        req = c.get("global_bytes_requested", 0)
        lines_used = c.get("global_lines", 0)
        if req:
            lines.append(
                f"  global: {req} bytes requested in {lines_used} 128-byte lines "
                f"({req / max(lines_used * 128, 1) * 100:.0f}% of fetched bytes used)"
            )
    return "\n".join(lines)
