"""The MI300X timing model (isa/amd/TIMING.md explains every constant): per workgroup the
emulator's counters (SIMD issue cycles, LDS cycles, waited-for memory round trips, bytes),
occupancy from VGPRs / AGPRs / SGPRs / LDS, workgroups placed on 304 CUs, the busiest CU
taken; HBM and Infinity Cache bandwidth; launch overhead."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Gpu:
    name: str = "MI300X"
    cus: int = 304
    simds_per_cu: int = 4
    clock_ghz: float = 2.1
    max_waves_per_simd: int = 8
    vgprs_per_simd_lane: int = 512  # unified VGPR + AGPR file
    sgprs_per_simd: int = 800
    lds_per_cu: int = 65536
    hbm_gbps: float = 5300.0
    cache_gbps: float = 17000.0  # Infinity Cache / L2 aggregate
    memory_latency_cycles: float = 1200.0  # a global load, issue to data
    smem_latency_cycles: float = 200.0  # a scalar (constant cache) load
    lds_latency_cycles: float = 64.0
    launch_us: float = 2.0
    fp32_lanes_per_cu: int = 64  # 4 SIMDs x 16 lanes


MI300X = Gpu()


@dataclass
class Estimate:
    us: float
    limiter: str
    breakdown: dict[str, float] = field(default_factory=dict)
    occupancy: dict[str, Any] = field(default_factory=dict)


def occupancy(
    vgprs: int, agprs: int, sgprs: int, lds: int, waves_per_group: int, gpu: Gpu = MI300X
) -> dict[str, Any]:
    """Waves per SIMD and workgroups per CU the resources allow."""
    arch = -(-max(vgprs, 1) // 8) * 8
    total = arch + (-(-agprs // 8) * 8 if agprs else 0)
    by_vgpr = gpu.vgprs_per_simd_lane // max(total, 8)
    by_sgpr = gpu.sgprs_per_simd // max(-(-max(sgprs, 1) // 16) * 16, 16)
    waves_per_simd = max(0, min(gpu.max_waves_per_simd, by_vgpr, by_sgpr))
    groups_by_waves = (waves_per_simd * gpu.simds_per_cu) // max(waves_per_group, 1)
    groups_by_lds = gpu.lds_per_cu // lds if lds else 10**6
    groups = max(0, min(groups_by_waves, groups_by_lds, 32))
    if waves_per_simd == gpu.max_waves_per_simd:
        limiter = "wave slots"
    else:
        limiter = "vgprs" if by_vgpr <= by_sgpr else "sgprs"
    if groups_by_lds < groups_by_waves:
        limiter = "lds"
    return {
        "waves_per_simd": waves_per_simd,
        "groups_per_cu": groups,
        "limited_by": limiter,
        "vgprs": total,
        "sgprs": sgprs,
        "lds_bytes": lds,
    }


def estimate(
    per_group: list[dict[str, float]], unique_bytes: int, occ: dict[str, Any], gpu: Gpu = MI300X
) -> Estimate:
    if occ["groups_per_cu"] < 1:
        return Estimate(float("inf"), "resources", {}, occ)
    slots = occ["groups_per_cu"]
    cus: list[list[dict[str, float]]] = [[] for _ in range(gpu.cus)]
    for i, g in enumerate(per_group):
        cus[i % gpu.cus].append(g)  # dispatch order, round robin over the CUs
    worst = {"compute": 0.0, "lds": 0.0, "latency": 0.0}
    cu_cycles = 0.0
    for groups in cus:
        if not groups:
            continue
        simd = sum(g["simd_cycles"] for g in groups) / gpu.simds_per_cu
        lds = sum(g["lds_cycles"] for g in groups)
        rounds = -(-len(groups) // slots)
        latency = rounds * max(g["critical_cycles"] for g in groups)
        t = max(simd, lds, latency)
        if t > cu_cycles:
            cu_cycles = t
            worst = {"compute": simd, "lds": lds, "latency": latency}
    to_us = 1.0 / (gpu.clock_ghz * 1e3)
    requested = sum(g["bytes"] for g in per_group)
    parts = {
        "compute (VALU/MFMA issue)": worst["compute"] * to_us,
        "LDS": worst["lds"] * to_us,
        "memory latency": worst["latency"] * to_us,
        "HBM bandwidth": unique_bytes / (gpu.hbm_gbps * 1e3),
        "cache bandwidth": requested / (gpu.cache_gbps * 1e3),
    }
    limiter = max(parts, key=lambda k: parts[k])
    body = max(parts.values())
    parts["launch"] = gpu.launch_us
    return Estimate(gpu.launch_us + body, limiter, {k: round(v, 4) for k, v in parts.items()}, occ)
