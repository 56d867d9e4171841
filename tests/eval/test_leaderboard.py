"""Leaderboard figures on hand-built trials, checked against numbers worked out by hand."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from eval.leaderboard import latest, render_table, rows, to_json, wilson
from eval.records import ERROR, INVALID, VALID, TrialKey, TrialRecord


def trial(
    agent: str,
    model: str,
    task: str,
    status: str,
    speedup: float | None = None,
    *,
    run: str = "r2",
    executor: str = "emu",
    seed: int = 0,
    roofline: float | None = None,
    steps: int = 0,
    first_valid: int | None = None,
    tokens: tuple[int, int] = (0, 0),
    cost: float = 0.0,
    finished: str = "2025-02-01T00:00:00+00:00",
) -> TrialRecord:
    return TrialRecord(
        key=TrialKey(run, task, "tile", executor, agent, model, seed),
        status=status,
        speedup=speedup,
        roofline_pct=roofline,
        steps=steps,
        first_valid_step=first_valid,
        tokens_in=tokens[0],
        tokens_out=tokens[1],
        cost_usd=cost,
        finished_at=finished,
    )


OLD = "2025-01-01T00:00:00+00:00"

TRIALS = [
    # loop / m1: four counted trials, three valid with speed-ups 1, 4 and 2.25.
    trial("loop", "m1", "add", VALID, 1.0, roofline=50, steps=4, first_valid=2,
          tokens=(100, 50), cost=0.01),
    trial("loop", "m1", "gemm", VALID, 4.0, roofline=80, steps=6, first_valid=4,
          tokens=(200, 100), cost=0.03),
    trial("loop", "m1", "softmax", INVALID, None, steps=10, tokens=(300, 0), cost=0.02),
    trial("loop", "m1", "add", VALID, 2.25, executor="gpu", seed=1, steps=2, first_valid=1,
          tokens=(50, 50), cost=0.04),
    # An older run's softmax was valid; the newer invalid attempt replaces it.
    trial("loop", "m1", "softmax", VALID, 9.0, run="r1", roofline=99, finished=OLD),
    # loop / m2: nothing valid.
    trial("loop", "m2", "add", INVALID, steps=20, tokens=(1000, 10), cost=0.5),
    trial("loop", "m2", "gemm", ERROR, steps=0),
    # oracle: the baseline itself, speed-up exactly 1.0.
    trial("oracle", "-", "add", VALID, 1.0, roofline=40),
    # loop / m3: same valid rate as m1 but a lower geomean, so it ranks after m1.
    trial("loop", "m3", "add", VALID, 1.1),
    trial("loop", "m3", "gemm", VALID, 1.1),
    trial("loop", "m3", "softmax", VALID, 1.1),
    trial("loop", "m3", "scan", INVALID),
]  # fmt: skip


def by_model(model: str) -> dict[str, object]:
    return next(dict(r) for r in rows(TRIALS) if r["model"] == model)


def test_order() -> None:
    assert [(r["agent"], r["model"]) for r in rows(TRIALS)] == [
        ("oracle", "-"),
        ("loop", "m1"),
        ("loop", "m3"),
        ("loop", "m2"),
    ]


def test_figures_of_a_mixed_group() -> None:
    row = by_model("m1")
    assert row["executor"] == "emu,gpu"
    assert row["trials"] == 4
    assert row["valid_rate"] == 0.75
    assert row["valid_rate_ci"] == pytest.approx([0.300642, 0.954413], abs=1e-6)
    assert row["geomean_speedup"] == pytest.approx(9 ** (1 / 3))  # (1 * 4 * 2.25) ** (1/3)
    assert row["fast_1_0"] == 0.75  # 1.0 counts: >=
    assert row["fast_1_5"] == 0.5
    assert row["roofline_pct"] == 65.0  # (50 + 80) / 2; the valid trial without one is skipped
    assert row["mean_steps"] == 5.5
    assert row["first_valid_step"] == pytest.approx(7 / 3)
    assert row["tokens"] == 212.5  # (150 + 300 + 300 + 100) / 4
    assert row["cost_usd"] == pytest.approx(0.025)


def test_group_without_valid_trials() -> None:
    row = by_model("m2")
    assert row["valid_rate"] == 0.0
    assert row["valid_rate_ci"] == pytest.approx([0.0, 0.657620], abs=1e-6)
    assert row["geomean_speedup"] is None
    assert row["roofline_pct"] is None and row["first_valid_step"] is None
    assert row["fast_1_0"] == 0.0 and row["fast_1_5"] == 0.0
    assert row["mean_steps"] == 10.0 and row["tokens"] == 505.0 and row["cost_usd"] == 0.25


def test_baseline_counts_for_fast_1_0() -> None:
    row = by_model("-")
    assert row["fast_1_0"] == 1.0 and row["fast_1_5"] == 0.0
    assert row["geomean_speedup"] == 1.0
    assert row["valid_rate_ci"] == pytest.approx([0.206549, 1.0], abs=1e-6)


def test_newest_attempt_wins() -> None:
    counted = latest(TRIALS)
    softmax = [t for t in counted if t.key.model == "m1" and t.key.task == "softmax"]
    assert len(softmax) == 1 and softmax[0].status == INVALID
    assert len(counted) == len(TRIALS) - 1  # different seeds or executors are not replaced


def test_wilson_edges() -> None:
    assert wilson(0, 0) == [0.0, 1.0]
    assert wilson(2, 4) == pytest.approx([0.150039, 0.849961], abs=1e-6)


def test_render_and_json() -> None:
    table = rows(TRIALS)
    console = Console(record=True, width=200)
    console.print(render_table(table))
    text = console.export_text()
    assert "75% [30,95]" in text
    assert "2.08x" in text and "1.00x" in text
    assert "65%" in text and "$0.0250" in text and "212" in text
    m2_line = next(line for line in text.splitlines() if " m2 " in line)
    assert m2_line.count(" - ") >= 3  # no speed-up, roofline or first valid step
    assert json.loads(to_json(table)) == [dict(r) for r in table]
    assert rows([]) == []
