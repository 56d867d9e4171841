"""The comparison's per-task rule and its paired tests, against numbers worked out by hand
and, where SciPy is installed, against SciPy's exact tests."""

from __future__ import annotations

import math

import pytest

from eval.comparison import (
    ComparisonError,
    Outcome,
    compare_outcomes,
    compare_trials,
    side,
    sign_test,
    wilcoxon,
    winner,
)
from eval.records import INVALID, VALID, TrialKey, TrialRecord


def out(valid: int, trials: int = 1, speedup: float | None = None) -> Outcome:
    status = VALID if valid == trials else INVALID
    return Outcome(trials, valid, status, speedup, None, [1])


def test_winner_rule() -> None:
    assert winner(out(1, speedup=1.0), out(0)) == "A"  # valid beats invalid
    assert winner(out(0), out(1, speedup=0.5)) == "B"  # even a slow valid kernel
    assert winner(out(1, speedup=2.0), out(1, speedup=1.5)) == "A"
    assert winner(out(1, speedup=1.0), out(1, speedup=1.005)) == "tie"  # within 1%
    assert winner(out(1, speedup=1.0), out(1, speedup=1.005), tie=0.001) == "B"
    assert winner(out(0), out(0)) == "tie"
    assert winner(out(2, 3, 1.0), out(1, 3, 3.0)) == "A"  # more seeds valid first


def test_sign_test_exact_binomial() -> None:
    # 8 wins, 2 losses: P(X <= 2 | n=10) = (1 + 10 + 45) / 1024; two-sided doubles it.
    assert sign_test(8, 2).p_value == pytest.approx(2 * 56 / 1024)
    assert sign_test(5, 5).p_value == 1.0
    assert sign_test(0, 0).p_value is None


def test_wilcoxon_exact_small_cases() -> None:
    # All 5 differences positive: W+ = 15, the extreme of 2^5 sign patterns: p = 2/32.
    result = wilcoxon([0.1, 0.2, 0.3, 0.4, 0.5])
    assert (result.n, result.statistic, result.p_value) == (5, 15.0, pytest.approx(2 / 32))
    # Zeros are dropped; ranks 1..3 with the smallest negative: W+ = 5, P(W+ >= 5) = 2/8.
    result = wilcoxon([0.0, -0.1, 0.2, 0.3])
    assert result.n == 3 and result.statistic == 5.0
    assert result.p_value == pytest.approx(2 * 2 / 8)
    assert wilcoxon([0.0, 0.0]).p_value is None


@pytest.mark.parametrize(
    "diffs",
    [
        [0.3, -0.1, 0.25, 0.4, -0.05, 0.6, 0.2, 0.33, -0.2, 0.45],
        [0.1, 0.1, -0.1, 0.2, 0.2, 0.3, -0.3, 0.4],  # tied magnitudes: mid-ranks
    ],
)
def test_wilcoxon_agrees_with_scipy(diffs: list[float]) -> None:
    stats = pytest.importorskip("scipy.stats")
    ours = wilcoxon(diffs)
    method = "exact" if len({abs(d) for d in diffs}) == len(diffs) else "permutation"
    if method == "exact":
        theirs = stats.wilcoxon(diffs, method="exact", alternative="two-sided")
        assert ours.p_value == pytest.approx(theirs.pvalue)
    else:  # SciPy's exact table ignores ties; count the sign patterns by brute force
        n = len(diffs)
        ranks = stats.rankdata([abs(d) for d in diffs])
        w = sum(r for r, d in zip(ranks, diffs, strict=True) if d > 0)
        totals = [sum(r for i, r in enumerate(ranks) if mask >> i & 1) for mask in range(2**n)]
        lower = sum(t <= w + 1e-9 for t in totals) / 2**n
        upper = sum(t >= w - 1e-9 for t in totals) / 2**n
        assert ours.statistic == pytest.approx(w)
        assert ours.p_value == pytest.approx(min(1.0, 2 * min(lower, upper)))


def test_compare_outcomes_counts_and_conclusion() -> None:
    a = {f"t{i}": out(1, speedup=2.0) for i in range(10)}
    b = {f"t{i}": out(1, speedup=1.0) for i in range(9)} | {"u": out(1, speedup=1.0)}
    cmp = compare_outcomes("A-run", "B-run", a, b)
    assert (cmp.wins, cmp.losses, cmp.ties) == (9, 0, 0)
    assert cmp.only_a == ["t9"] and cmp.only_b == ["u"]
    assert cmp.geomean_ratio == pytest.approx(2.0)
    assert cmp.sign_test.p_value == pytest.approx(2 / 2**9)
    assert cmp.conclusion.startswith("A (A-run) is better at the 5% level")
    even = compare_outcomes("x", "y", {"t": out(1, speedup=1.2)}, {"t": out(1, speedup=1.0)})
    assert "no significant difference" in even.conclusion  # one task proves nothing


def _trial(run: str, task: str, model: str, target: str = "tile") -> TrialRecord:
    return TrialRecord(
        key=TrialKey(run, task, target, "emu", "llm", model, 0),
        status=VALID,
        speedup=1.0,
        id=1,
        finished_at="2026-01-01T00:00:00+00:00",
    )


def test_sides_by_run_or_model_with_one_sentence_errors() -> None:
    trials = [
        _trial("r1", "relu", "m1"),
        _trial("r2", "relu", "m2"),
        _trial("r3", "relu", "m2", target="vlx"),
    ]
    runs = ["r1", "r2", "r3"]
    assert side(trials, runs, "r1") == trials[:1]
    assert side(trials, runs, "m2", target="tile") == trials[1:2]
    with pytest.raises(ComparisonError, match="several targets"):
        side(trials, runs, "m2")
    with pytest.raises(ComparisonError, match="neither a run nor a model"):
        side(trials, runs, "nosuch")
    with pytest.raises(ComparisonError, match="no task in common"):
        compare_trials("a", "b", trials[:1], [_trial("r9", "gemm", "m9")])
    assert math.isclose(compare_trials("a", "b", trials[:1], trials[1:2]).ties, 1)


def test_the_verdict_is_the_sign_tests_alone() -> None:
    # A is much faster on 8 tasks and a little slower on 2: the sign test (p = 0.109) does
    # not call it; the Wilcoxon test on the speed-ups does (p = 10/1024), and says only that.
    a = {f"t{i}": out(1, speedup=2.0 + i) for i in range(8)}
    a |= {"s0": out(1, speedup=1.0), "s1": out(1, speedup=1.0)}
    b = {f"t{i}": out(1, speedup=1.0) for i in range(8)}
    b |= {"s0": out(1, speedup=1.05), "s1": out(1, speedup=1.1)}
    cmp = compare_outcomes("A", "B", a, b)
    assert (cmp.wins, cmp.losses) == (8, 2)
    assert cmp.sign_test.p_value == pytest.approx(2 * 56 / 1024)
    assert cmp.wilcoxon.p_value == pytest.approx(10 / 1024)
    assert cmp.conclusion.startswith("no significant difference at the 5% level")
    assert cmp.conclusion.endswith("A is faster (Wilcoxon, p = 0.00977)")
