"""The command line as a user runs it: a real process, real exit codes, real output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tasks import load_suite

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "tile"
ROOT = Path(__file__).resolve().parents[2]


def kw(
    *args: str, db: Path, stdin: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KERNELWRIGHT_DB=str(db), COLUMNS="200", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "eval.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=timeout,
        cwd=ROOT,
    )


def test_tasks_json_lists_the_smoke_suite(_private_db: Path) -> None:
    proc = kw("tasks", "--suite", "smoke", "--format", "json", db=_private_db)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    # smoke runs every task of the full suite on one visible config
    assert [r["id"] for r in rows] == [t.id for t in load_suite("full")]
    assert all(r["configs"] == 1 and r["hidden"] >= 1 for r in rows)
    assert {r["level"] for r in rows} == {1, 2, 3}


def test_tasks_full_suite_has_five_configs_per_task(_private_db: Path) -> None:
    proc = kw("tasks", "--suite", "full", "--format", "json", db=_private_db)
    rows = json.loads(proc.stdout)
    assert len(rows) >= 24
    assert all(r["configs"] == 5 and "tile" in r["targets"] for r in rows)


def test_targets_and_spec(_private_db: Path) -> None:
    proc = kw("targets", db=_private_db)
    assert proc.returncode == 0 and "tile" in proc.stdout
    proc = kw("spec", "tile", db=_private_db)
    assert proc.returncode == 0 and "dwait" in proc.stdout


def test_eval_oracle_is_valid(_private_db: Path) -> None:
    oracle = ROOT / "tasks" / "gemm" / "tile" / "oracle.tasm"
    proc = kw("eval", str(oracle), "--task", "gemm", "--target", "tile", db=_private_db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "valid on all 5 configs" in proc.stdout
    assert "roofline" in proc.stdout


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("syntax_error.tasm", "line 2"),
        ("unknown_instruction.tasm", "line 2: unknown instruction 'vaddd'"),
        ("out_of_range.tasm", "line 3"),
        ("unawaited_dma.tasm", "line 4"),
    ],
)
def test_eval_bad_kernels_give_one_clear_sentence(
    _private_db: Path, fixture: str, expected: str
) -> None:
    proc = kw("eval", str(FIXTURES / fixture), "--task", "silu", "--target", "tile", db=_private_db)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert expected in output, output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "missing.tasm", "--task", "silu", "--target", "tile"], "no such file"),
        (
            ["eval", str(FIXTURES / "syntax_error.tasm"), "--task", "nope", "--target", "tile"],
            "unknown task 'nope'",
        ),
        (["tasks", "--target", "vax"], "unknown target 'vax'"),
        (
            ["run", "--suite", "smoke", "--target", "tile", "--agent", "genius"],
            "unknown agent 'genius'",
        ),
        (["run", "--suite", "nope", "--target", "tile"], "unknown suite 'nope'"),
        (["leaderboard", "--db", "mysql+nodriver://x/y"], "database"),
    ],
)
def test_user_errors_are_one_sentence(_private_db: Path, args: list[str], message: str) -> None:
    proc = kw(*args, db=_private_db)
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_run_then_leaderboard_and_show(_private_db: Path) -> None:
    proc = kw("run", "--suite", "smoke", "--target", "tile", "--agent", "template", db=_private_db)
    assert proc.returncode == 0, proc.stderr
    smoke = len(load_suite("smoke"))
    assert f"{smoke} valid" in proc.stdout
    board = json.loads(kw("leaderboard", "--format", "json", db=_private_db).stdout)
    assert len(board) == 1
    row = board[0]
    assert row["agent"] == "template" and row["target"] == "tile" and row["trials"] == smoke
    assert row["valid_rate"] == 1.0
    assert row["geomean_speedup"] == pytest.approx(1.0)
    assert row["fast_1_0"] == 1.0 and row["fast_1_5"] == 0.0
    table = kw("leaderboard", db=_private_db)
    assert table.returncode == 0 and "template" in table.stdout
    again = kw("run", "--suite", "smoke", "--target", "tile", "--agent", "template", db=_private_db)
    assert f"{smoke} of {smoke} trials already stored" in again.stdout
    shown = kw("show", "1", db=_private_db)
    assert shown.returncode == 0 and "verdict" in shown.stdout and "kernel" in shown.stdout


def test_selfcheck_passes(_private_db: Path) -> None:
    # As JSON (the table is checked in tests/eval/test_selfcheck.py); the progress per task
    # goes to stderr, so stdout stays one JSON object.
    args = ("selfcheck", "--target", "tile", "--suite", "smoke", "--format", "json")
    proc = kw(*args, db=_private_db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    smoke = load_suite("smoke")
    assert report["ok"] is True and report["target"] == "tile"
    assert [t["task"] for t in report["tasks"]] == [t.id for t in smoke]
    assert all(
        t["oracle_valid"] and t["template_valid"] and t["stub_fails"] for t in report["tasks"]
    )
    assert "selfcheck on tile" in proc.stderr and f"{len(smoke)}/{len(smoke)}" in proc.stderr


def test_try_session_from_stdin(_private_db: Path) -> None:
    oracle = ROOT / "tasks" / "silu" / "tile" / "oracle.tasm"
    script = f"compile\nrun\nload {oracle}\nrun\nprofile C2\nsubmit\nquit\n"
    proc = kw("try", "silu", "--target", "tile", db=_private_db, stdin=script)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "compiled for 5 configs" in out  # the stub assembles
    assert "failed on 5 of 5 configs" in out  # ... but computes nothing
    assert "valid on all 5 configs" in out  # the oracle passes
    assert "valid on all 8 configs" in out  # ... H1 and two drawn hidden configs on submit
    assert "vector" in out  # the profile names the engines


def test_eval_shows_a_hidden_failure_only_by_kind_unless_the_owner_asks(
    _private_db: Path, tmp_path: Path
) -> None:
    from tests.adversarial.test_hidden_sizes import tile_by_rows

    kernel = tmp_path / "special.tasm"
    kernel.write_text(tile_by_rows())
    args = ("eval", str(kernel), "--task", "silu", "--target", "tile", "--hidden")
    agent = kw(*args, db=_private_db)
    assert agent.returncode == 1
    assert "a hidden configuration failed (mismatch)" in agent.stdout
    assert "hidden-draw-1 (M=" not in agent.stdout and "elements wrong" not in agent.stdout
    owner = kw(*args, "--owner", db=_private_db)
    assert owner.returncode == 1 and "(M=" in owner.stdout and "wrong" in owner.stdout
