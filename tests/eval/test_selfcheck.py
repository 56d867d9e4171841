"""Selfcheck: oracle and template valid, stub failing; unsupported tasks listed with a reason."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from eval.runner import RunSpec, skipped_tasks
from eval.selfcheck import check_tasks, run_selfcheck
from isa.base import Target
from tasks import load_task
from tasks.task import load_task_folder

TILE = Target("tile")


def _unsupported_task(tmp_path: Path) -> Path:
    folder = tmp_path / "gather"
    folder.mkdir()
    relu = load_task("relu").folder
    text = (relu / "task.toml").read_text().replace('id = "relu"', 'id = "gather"')
    text += '\n[unsupported]\ntile = "needs a data-dependent gather"\n'
    (folder / "task.toml").write_text(text)
    (folder / "reference.py").write_text((relu / "reference.py").read_text())
    return folder


def test_selfcheck_checks_oracle_template_and_stub() -> None:
    console = Console(record=True, width=200)
    assert run_selfcheck(console, TILE, [load_task("relu").restricted(["C1"])])
    text = console.export_text()
    assert "template" in text and "selfcheck passed" in text


def test_selfcheck_skips_an_unsupported_task_with_its_reason(tmp_path: Path) -> None:
    task = load_task_folder(_unsupported_task(tmp_path))
    console = Console(record=True, width=200)
    assert run_selfcheck(console, TILE, [task])
    assert "skipped: needs a data-dependent gather" in console.export_text()


def test_runner_lists_no_skipped_task_for_tile() -> None:
    assert skipped_tasks(RunSpec(suite="full", target="tile", agent="template")) == []
    skipped = skipped_tasks(RunSpec(suite="smoke", target="elsewhere", agent="template"))
    assert ("relu", "the task has no elsewhere kernels yet") in skipped


def test_selfcheck_reports_each_task_as_it_finishes() -> None:
    seen: list[str] = []
    checks = check_tasks(
        TILE, [load_task("relu").restricted(["C1"])], lambda c: seen.append(c.task)
    )
    assert seen == ["relu"]
    assert checks[0].to_json() == {
        "task": "relu",
        "oracle_valid": True,
        "template_valid": True,
        "stub_fails": True,
        "skipped": None,
        "notes": [],
        "ok": True,
    }
