"""Profile feedback: per-engine stall causes from the scoreboard, and the short report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from isa.accel.tile.backend import profile_report

Tile = Callable[..., Any]

PRODUCE_THEN_CONSUME = """
        vshape 16, 16
        vfill S[0, 16], #1
        mw    S[0, 16], 16, 16      ; waits for vfill: RAW on vector
        mm    A[0, 16], S[0, 16], 16
        vadd  A[0, 16], A[0, 16], #1 ; waits for mm: RAW on matrix
        vfill S[0, 16], #2          ; waits for mm to read S[0..]: WAR on matrix
"""


def test_engine_stalls_name_the_engine_and_the_dependency(tile: Tile) -> None:
    stats = tile(PRODUCE_THEN_CONSUME).stats
    vfill = 8 + 16
    # mw issues at cycle 2 but vfill (issued at 1) finishes at 1 + 24 = 25
    assert stats.engine_stalls["matrix"] == {"RAW on vector": 1 + vfill - 2}
    vector = stats.engine_stalls["vector"]
    assert set(vector) == {"RAW on matrix"}  # the WAR wait hides behind the vadd in order
    mm_end = 1 + vfill + 16 + (16 + 16)
    assert vector["RAW on matrix"] == mm_end - (1 + vfill)
    assert stats.to_dict()["engine_stalls"] == {e: dict(c) for e, c in stats.engine_stalls.items()}


def test_war_stall_is_counted(tile: Tile) -> None:
    source = """
        vshape 16, 16
        mw    S[0, 16], 16, 16
        vfill S[0, 16], #2          ; overwrites what mw reads
    """
    stats = tile(source).stats
    assert stats.engine_stalls["vector"] == {"WAR on matrix": 16 + 1 - 2}


def test_report_is_short_and_names_the_critical_path(tile: Tile) -> None:
    stats = tile(PRODUCE_THEN_CONSUME).stats
    counters = stats.to_dict()
    report = profile_report(counters, stats.cycles, stats.cycles / 4)
    assert "25.0% of roofline" in report
    assert "RAW on matrix" in report and "RAW on vector" in report
    assert "critical path:" in report
    assert "B/cycle achieved" in report
    assert len(report.splitlines()) <= 12 and len(report) < 1200


def test_a_dma_bound_kernel_is_reported_as_such(tile: Tile) -> None:
    import numpy as np

    source = "dld t0, S[0], D[@x], 64, 256\ndwait t0"
    stats = tile(source, inputs={"x": np.zeros((64, 256))}).stats
    report = profile_report(stats.to_dict(), stats.cycles, None)
    assert "critical path: dma" in report
    assert "dwait" in report
