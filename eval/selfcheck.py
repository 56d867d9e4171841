"""Selfcheck: on one target, every task's oracle and template baseline must be valid and its
stub must fail; a task that says it cannot run on the target is listed with its reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from agents.base import AgentError
from agents.template import template_source
from eval.validate import verify
from isa.base import Target
from isa.registry import backend_for
from tasks import Task


@dataclass
class TaskCheck:
    """One task's selfcheck; the three results are None when the task is skipped."""

    task: str
    oracle_valid: bool | None = None
    template_valid: bool | None = None
    stub_fails: bool | None = None
    skipped: str | None = None  # why the task cannot run on the target
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.skipped is not None or bool(
            self.oracle_valid and self.template_valid and self.stub_fails
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def check_task(target: Target, task: Task) -> TaskCheck:
    reason = task.unsupported_reason(target.family)
    if reason is not None:
        return TaskCheck(task.id, skipped=reason)
    backend = backend_for(target)
    check = TaskCheck(task.id, oracle_valid=False, template_valid=False, stub_fails=False)
    oracle = task.oracle(target.family, backend.source_suffix)
    if oracle is None:
        check.notes.append("no oracle")
    else:
        verdict = verify(task, target, oracle, hidden=True)
        check.oracle_valid = verdict.valid
        if not verdict.valid:
            check.notes.append(f"oracle: {verdict.reason}")
    try:
        baseline = template_source(task.id, target.family)
    except AgentError as exc:
        check.notes.append(str(exc))
    else:
        template = verify(task, target, baseline, hidden=True)
        check.template_valid = template.valid
        if not template.valid:
            check.notes.append(f"template: {template.reason}")
    stub = task.stub(target.family, backend.source_suffix)
    if stub is None:
        check.notes.append("no stub")
    else:
        check.stub_fails = not verify(task, target, stub, hidden=False).valid
        if not check.stub_fails:
            check.notes.append("the stub passes: the task checks nothing")
    return check


def check_tasks(
    target: Target, tasks: list[Task], on_task: Callable[[TaskCheck], None] | None = None
) -> list[TaskCheck]:
    checks = []
    for task in tasks:
        checks.append(check_task(target, task))
        if on_task is not None:
            on_task(checks[-1])
    return checks


def render(console: Console, target: Target, checks: list[TaskCheck]) -> None:
    table = Table(title=f"selfcheck on {target.name}")
    for col in ("task", "oracle", "template", "nop (stub)"):
        table.add_column(col, overflow="fold")
    table.add_column("note", overflow="fold", ratio=1)
    for c in checks:
        if c.skipped is not None:
            table.add_row(c.task, "-", "-", "-", f"skipped: {c.skipped}")
            continue
        table.add_row(
            c.task,
            "[green]valid[/]" if c.oracle_valid else "[red]FAIL[/]",
            "[green]valid[/]" if c.template_valid else "[red]FAIL[/]",
            "[green]fails[/]" if c.stub_fails else "[red]PASSES[/]",
            "; ".join(c.notes),
        )
    console.print(table)
    ok = all(c.ok for c in checks)
    console.print("[green]selfcheck passed[/]" if ok else "[red]selfcheck failed[/]")


def run_selfcheck(
    console: Console,
    target: Target,
    tasks: list[Task],
    on_task: Callable[[TaskCheck], None] | None = None,
) -> bool:
    """Check every task, then print the table; True when every task passes."""
    checks = check_tasks(target, tasks, on_task)
    render(console, target, checks)
    return all(c.ok for c in checks)
