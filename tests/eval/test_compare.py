from __future__ import annotations

import numpy as np

from eval.compare import compare
from tasks.manifest import Tolerance

TOL = Tolerance(atol=1e-5, rtol=1e-5, norm=1e-5)


def test_exact_match_passes() -> None:
    exp = np.arange(12, dtype=np.float64).reshape(3, 4)
    m = compare("y", exp.astype(np.float32), exp, TOL)
    assert m.passed and m.wrong == 0


def test_unwritten_elements_are_reported_with_indices() -> None:
    exp = np.ones((4, 4))
    got = exp.astype(np.float32)
    got[2, 3] = np.nan
    m = compare("y", got, exp, TOL)
    assert not m.passed
    assert m.wrong == 1 and m.unwritten == 1
    assert m.worst[0]["index"] == [2, 3]
    assert "1 of 16 elements wrong" in m.describe()
    assert "[2,3] expected 1 got nan" in m.describe()


def test_worst_elements_first() -> None:
    exp = np.zeros((2, 8)) + 1.0
    got = exp.copy()
    got[0, 1] = 1.5
    got[1, 7] = 3.0
    m = compare("y", got, exp, TOL)
    assert [w["index"] for w in m.worst] == [[1, 7], [0, 1]]


def test_near_zero_outputs_do_not_pass_an_absolute_tolerance() -> None:
    # Outputs of scale 1e-3: all-zeros would pass a fixed atol of 1e-2, not an RMS-relative one.
    rng = np.random.default_rng(0)
    exp = rng.standard_normal(100) * 1e-3
    m = compare("y", np.zeros(100, np.float32), exp, Tolerance(atol=1e-2, rtol=1e-2, norm=1e-2))
    assert not m.passed


def test_shape_mismatch() -> None:
    m = compare("y", np.zeros((2, 2), np.float32), np.zeros((4,)), TOL)
    assert not m.passed and "shape" in m.worst[0]["note"]


def test_small_bias_everywhere_fails_the_norm_check() -> None:
    exp = np.full(1000, 1.0)
    got = exp * (1 + 0.9e-4)  # every element within rtol=1e-4, but the whole is biased
    m = compare("y", got, exp, Tolerance(atol=0.0, rtol=1e-4, norm=1e-5))
    assert not m.passed
