"""The MI300X timing model: occupancy from registers and LDS, the busiest CU sets the time,
idle workgroups never make a kernel faster, and the gemm oracle's profile shows MFMA."""

from __future__ import annotations

import numpy as np

from isa.amd.profile import profile_report
from isa.amd.timing import MI300X, estimate, occupancy
from isa.base import Target
from isa.registry import backend_for
from tasks import load_task
from tests.isa.amd.conftest import needs_clang


def test_occupancy_limits() -> None:
    assert occupancy(32, 0, 20, 0, 4)["waves_per_simd"] == 8
    assert occupancy(32, 0, 20, 0, 4)["limited_by"] == "wave slots"
    heavy = occupancy(128, 128, 20, 0, 4)  # 256 of the 512 unified registers
    assert heavy["waves_per_simd"] == 2 and heavy["limited_by"] == "vgprs"
    lds = occupancy(16, 0, 20, 40000, 4)  # one 40 KB workgroup per CU
    assert lds["groups_per_cu"] == 1 and lds["limited_by"] == "lds"


def _group(simd: float, critical: float) -> dict[str, float]:
    return {"simd_cycles": simd, "lds_cycles": 0.0, "critical_cycles": critical, "bytes": 0.0}


def test_the_busiest_cu_sets_the_time_and_idle_groups_never_help() -> None:
    occ = occupancy(32, 0, 20, 0, 4)
    busy = [_group(4000.0, 5000.0)] * MI300X.cus
    base = estimate(busy, 0, occ).us
    padded = estimate(busy + [_group(4.0, 10.0)] * MI300X.cus, 0, occ).us
    assert padded >= base
    # latency-bound: a second workgroup on a CU runs alongside the first (hidden)...
    assert estimate([*busy, _group(4000.0, 5000.0)], 0, occ).us == base
    # ...compute-bound: it adds to that CU's issue cycles, which now sets the time
    heavy = [_group(40000.0, 5000.0)] * MI300X.cus
    assert estimate([*heavy, _group(40000.0, 5000.0)], 0, occ).us > estimate(heavy, 0, occ).us


@needs_clang
def test_gemm_oracle_profile_shows_mfma() -> None:
    task = load_task("gemm")
    cfg = task.config("C2")
    target = Target.parse("hip:gfx942")
    backend = backend_for(target)
    source = task.oracle("hip", ".hip")
    assert source is not None
    iface = task.interface(cfg)
    result = backend.execute(
        target,
        backend.build(target, source, iface),
        iface,
        task.make_inputs(cfg, np.random.default_rng(0)),
    )
    report = profile_report(result.counters, result.measure, None)
    assert "matrix cores in use" in report and "limited by" in report
