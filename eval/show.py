"""Render one stored trial for a person: summary, per-config verdict, transcript, kernel."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from agents.transcript import render_event
from eval.records import VALID, TrialRecord
from eval.validate import format_measure


def _fmt(value: float | None, spec: str) -> str:
    return format(value, spec) if value is not None else "-"


def render_trial(console: Console, record: TrialRecord, events: list[dict[str, Any]]) -> None:
    k = record.key
    colour = "green" if record.status == VALID else "red"
    head = Table.grid(padding=(0, 2))
    head.add_row("trial", str(record.id), "run", k.run)
    head.add_row("task", k.task, "target", f"{k.target} ({k.executor})")
    head.add_row("agent", k.agent, "model", k.model or "-")
    head.add_row("status", f"[{colour}]{record.status}[/]", "speed-up", _fmt(record.speedup, ".2f"))
    head.add_row("roofline %", _fmt(record.roofline_pct, ".1f"), "steps", str(record.steps))
    head.add_row(
        "tokens", str(record.tokens_in + record.tokens_out), "cost", f"${record.cost_usd:.4f}"
    )
    head.add_row("wall", f"{record.wall_s:.2f} s", "finished", record.finished_at)
    console.print(Panel(head, title=f"trial {record.id}"))
    if record.reason:
        console.print(f"reason: {record.reason}", markup=False, highlight=False)
    configs = record.verdict.get("configs", [])
    if configs:
        table = Table(title="verdict")
        for col in ("config", "result", record.unit or "measure", "detail"):
            table.add_column(col)
        for c in configs:
            table.add_row(
                c["name"] + (" (hidden)" if c.get("hidden") else ""),
                "[green]correct[/]" if c["passed"] else "[red]wrong[/]",
                format_measure(c["measure"]) if c.get("measure") is not None else "-",
                c.get("summary", ""),
            )
        console.print(table)
    if events:
        console.print(f"[bold]transcript[/] ({len(events)} events)")
        for event in events:
            console.print(render_event(event))
    if record.source:
        # Long kernel lines wrap (under their line number) rather than being cut at the edge.
        kernel = Syntax(record.source, "nasm", line_numbers=True, word_wrap=True)
        console.print(Panel(kernel, title="kernel"))


def transcript_jsonl(record: TrialRecord, events: list[dict[str, Any]]) -> str:
    """The transcript as JSON lines, one event each, with the trial it belongs to; the
    format `scripted:replay:PATH` reads back."""
    trial = {"trial": record.id, **{k: v for k, v in vars(record.key).items()}}
    return "".join(json.dumps({**trial, **event}) + "\n" for event in events)
