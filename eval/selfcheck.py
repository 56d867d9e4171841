"""Selfcheck: on one target, every task's oracle and template baseline must be valid and its
stub must fail; a task that says it cannot run on the target is listed with its reason."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from agents.base import AgentError
from agents.template import template_source
from eval.validate import verify
from isa.base import Target
from isa.registry import backend_for
from tasks import Task


def run_selfcheck(console: Console, target: Target, tasks: list[Task]) -> bool:
    backend = backend_for(target)
    table = Table(title=f"selfcheck on {target.name}")
    for col in ("task", "oracle", "template", "nop (stub)", "note"):
        table.add_column(col)
    all_ok = True
    with console.status("checking...") as status:
        for task in tasks:
            status.update(f"checking {task.id}")
            reason = task.unsupported_reason(target.family)
            if reason is not None:
                table.add_row(task.id, "-", "-", "-", f"skipped: {reason}")
                continue
            oracle = task.oracle(target.family, backend.source_suffix)
            stub = task.stub(target.family, backend.source_suffix)
            notes = []
            oracle_ok = stub_fails = False
            if oracle is None:
                notes.append("no oracle")
            else:
                verdict = verify(task, target, oracle, hidden=True)
                oracle_ok = verdict.valid
                if not oracle_ok:
                    notes.append(f"oracle: {verdict.reason}")
            template_ok = False
            try:
                baseline = template_source(task.id, target.family)
            except AgentError as exc:
                notes.append(str(exc))
            else:
                template = verify(task, target, baseline, hidden=True)
                template_ok = template.valid
                if not template_ok:
                    notes.append(f"template: {template.reason}")
            if stub is None:
                notes.append("no stub")
            else:
                stub_fails = not verify(task, target, stub, hidden=False).valid
                if not stub_fails:
                    notes.append("the stub passes: the task checks nothing")
            ok = oracle_ok and template_ok and stub_fails
            all_ok = all_ok and ok
            table.add_row(
                task.id,
                "[green]valid[/]" if oracle_ok else "[red]FAIL[/]",
                "[green]valid[/]" if template_ok else "[red]FAIL[/]",
                "[green]fails[/]" if stub_fails else "[red]PASSES[/]",
                "; ".join(notes),
            )
    console.print(table)
    console.print("[green]selfcheck passed[/]" if all_ok else "[red]selfcheck failed[/]")
    return all_ok
