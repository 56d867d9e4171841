"""A share of roofline over 100% is never shown, and a wrong or empty kernel has none
(issue 9: an empty TILE file crashed `eval`; the stub claimed 6,553,600% of roofline)."""

from __future__ import annotations

import pytest

from eval.validate import ConfigVerdict
from isa.accel.tile.backend import profile_report as tile_profile
from isa.accel.vlx.backend import profile_report as vlx_profile


@pytest.mark.parametrize("profile", [tile_profile, vlx_profile], ids=["tile", "vlx"])
def test_an_empty_or_impossible_time_has_no_share_of_roofline(profile: object) -> None:
    assert callable(profile)
    for cycles in (0.0, 1.0):  # an empty kernel; a stub that halts at once
        report = profile({}, cycles, 65536.0)
        assert "roofline bound" not in report, report
    assert "(50.0%" in profile({}, 200.0, 100.0)


def test_only_a_correct_config_has_a_roofline_pct() -> None:
    wrong = ConfigVerdict("C1", hidden=False, passed=False, measure=1.0, roofline=65536.0)
    right = ConfigVerdict("C1", hidden=False, passed=True, measure=400.0, roofline=100.0)
    assert wrong.roofline_pct is None
    assert right.roofline_pct == pytest.approx(25.0)
