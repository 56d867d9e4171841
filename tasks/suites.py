"""Named suites (lists of task ids) and the task index."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from tasks.task import TASKS_DIR, Task, TaskError, load_task_folder

SUITES_FILE = TASKS_DIR / "suites.toml"


@cache
def all_tasks() -> dict[str, Task]:
    found: dict[str, Task] = {}
    for folder in sorted(p for p in TASKS_DIR.iterdir() if (p / "task.toml").is_file()):
        task = load_task_folder(folder)
        found[task.id] = task
    return found


def load_task(ref: str) -> Task:
    """A task by id, or by path to a task folder."""
    path = Path(ref)
    if (path / "task.toml").is_file():
        return load_task_folder(path.resolve())
    tasks = all_tasks()
    if ref not in tasks:
        raise TaskError(f"unknown task '{ref}'; see `kernelwright tasks` for the list")
    return tasks[ref]


@cache
def suite_names() -> dict[str, list[str]]:
    data = tomllib.loads(SUITES_FILE.read_text())
    return {name: list(ids) for name, ids in data.get("suites", {}).items()}


@cache
def suite_configs() -> dict[str, list[str]]:
    """Suite -> the visible configs it keeps of every task (absent: all five)."""
    data = tomllib.loads(SUITES_FILE.read_text())
    return {name: list(names) for name, names in data.get("configs", {}).items()}


def load_suite(name: str) -> list[Task]:
    suites = suite_names()
    if name not in suites:
        raise TaskError(f"unknown suite '{name}'; known suites: {', '.join(sorted(suites))}")
    tasks = [load_task(task_id) for task_id in suites[name]]
    keep = suite_configs().get(name)
    return [t.restricted(keep) for t in tasks] if keep else tasks
