"""`run --model M1 --model M2`: one run per model, every model checked before any trial."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import eval.runner
from eval.cli import app
from eval.store import Store
from tasks import load_suite


@pytest.fixture
def one_task_suite(monkeypatch: pytest.MonkeyPatch) -> None:
    """The smoke suite cut to one task, so two models' runs take seconds."""
    relu = [t for t in load_suite("smoke") if t.id == "relu"]
    monkeypatch.setattr(eval.runner, "load_suite", lambda name: relu)


def test_several_models_make_one_run_each(one_task_suite: None, _private_db: Path) -> None:
    args = ["run", "--suite", "smoke", "--target", "tile", "--agent", "llm"]
    result = CliRunner().invoke(
        app, [*args, "--model", "scripted:oracle", "--model", "scripted:stub"]
    )
    assert result.exit_code == 0, result.output
    with Store(str(_private_db)) as store:
        runs = {r["name"]: r for r in store.runs()}
        assert set(runs) == {"smoke-tile-llm-scripted_oracle", "smoke-tile-llm-scripted_stub"}
        status = {t.key.model: t.status for t in store.trials()}
    assert status == {"scripted:oracle": "valid", "scripted:stub": "invalid"}
    assert runs["smoke-tile-llm-scripted_stub"]["meta"]["model"] == "scripted:stub"


def test_a_bad_model_stops_all_runs_before_any_trial(
    one_task_suite: None, _private_db: Path
) -> None:
    args = ["run", "--suite", "smoke", "--target", "tile", "--agent", "llm", "--run-name", "x"]
    result = CliRunner().invoke(app, [*args, "--model", "scripted:oracle", "--model", "nosuch:m"])
    assert result.exit_code != 0
    assert "nosuch" in str(result.exception)
    assert not _private_db.exists()  # refused before the store was opened
