"""Build the HTML report from the store: gather the leaderboard (the very rows `leaderboard
--format json` prints), the task x model matrices, the plots and one page per trial, and
render them with Jinja2 into a single self-contained file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from eval import comparison
from eval import leaderboard as lb
from eval.records import TrialRecord
from eval.report import ReportError, plots
from eval.report.transcript import Entry, entries
from eval.store import Store
from eval.validate import format_measure
from isa.base import Target
from isa.registry import UnknownTarget, backend_for
from tasks import Task, all_tasks, load_suite


@dataclass
class Column:
    agent: str
    model: str
    label: str


@dataclass
class MatrixRow:
    task: str
    level: int | None
    cells: list[comparison.Outcome | None]


@dataclass
class Matrix:
    target: str
    columns: list[Column]
    rows: list[MatrixRow]


@dataclass
class TrialPage:
    record: TrialRecord
    level: int | None
    counted: bool
    configs: list[dict[str, Any]]
    profiles: list[tuple[str, str]]  # (config, the backend's profile text)
    entries: list[Entry] = field(default_factory=list)


def family(target: str) -> str:
    return Target.parse(target).family


def select(store: Store, runs: Sequence[str] = (), suite: str | None = None) -> list[TrialRecord]:
    """The stored trials of the chosen runs (all without) and the tasks of the suite."""
    if runs:
        known = [r["name"] for r in store.runs()]
        missing = [r for r in runs if r not in known]
        if missing:
            raise ReportError(
                f"no run named {', '.join(repr(m) for m in missing)}; runs: "
                + (", ".join(known) or "none")
            )
        trials = [t for run in runs for t in store.trials(run)]
    else:
        trials = store.trials()
    if suite is not None:
        wanted = {t.id for t in load_suite(suite)}
        trials = [t for t in trials if t.key.task in wanted]
    return trials


def matrices(
    counted: Sequence[TrialRecord], table: Sequence[lb.Row], tasks: dict[str, Task]
) -> list[Matrix]:
    out = []
    for target in sorted({t.key.target for t in counted}):
        columns = [
            Column(r["agent"], r["model"], r["agent"] + (f" · {r['model']}" if r["model"] else ""))
            for r in table
            if r["target"] == target
        ]
        cells: dict[tuple[str, str, str], list[TrialRecord]] = defaultdict(list)
        for t in counted:
            if t.key.target == target:
                cells[(t.key.task, t.key.agent, t.key.model)].append(t)
        names = sorted(
            {task for task, _, _ in cells}, key=lambda n: (tasks[n].level if n in tasks else 99, n)
        )
        rows = [
            MatrixRow(
                task=name,
                level=tasks[name].level if name in tasks else None,
                cells=[
                    comparison.outcome(cells[(name, c.agent, c.model)])
                    if (name, c.agent, c.model) in cells
                    else None
                    for c in columns
                ],
            )
            for name in names
        ]
        out.append(Matrix(target, columns, rows))
    return out


def _profile_text(
    target: str, counters: dict[str, Any], measure: float, roofline: float | None
) -> str:
    plain = "\n".join(f"{k}: {v}" for k, v in counters.items())
    try:
        backend = backend_for(Target.parse(target))
    except UnknownTarget:
        return plain
    describe = getattr(backend, "profile_report", None)
    if not callable(describe):
        return plain
    try:
        return str(describe(counters, measure, roofline))
    except (ArithmeticError, KeyError, TypeError, ValueError):
        return plain  # a profile that cannot be described still shows its counters


def trial_page(
    record: TrialRecord, events: list[dict[str, Any]], tasks: dict[str, Task], counted: bool
) -> TrialPage:
    configs = list(record.verdict.get("configs", []))
    profiles = [
        (
            c["name"],
            _profile_text(
                record.key.target, c["counters"], c.get("measure") or 0.0, c.get("roofline")
            ),
        )
        for c in configs
        if not c.get("hidden") and c.get("counters") and c.get("measure")
    ]
    task = tasks.get(record.key.task)
    start = None
    if task is not None and events:
        target = Target.parse(record.key.target)
        try:
            start = task.stub(target.family, backend_for(target).source_suffix)
        except UnknownTarget:
            start = None
    level = task.level if task is not None else None
    return TrialPage(record, level, counted, configs, profiles, entries(events, start))


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("eval.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "-" if v is None else f"{v * 100:.0f}%"
    env.filters["num"] = lambda v, d=1, s="": "-" if v is None else f"{v:.{d}f}{s}"
    env.filters["cost"] = lambda v: f"${v:.4f}" if v < 1 else f"${v:.2f}"
    env.filters["measure"] = lambda v: "-" if v is None else format_measure(v)
    return env


def build(store: Store, runs: Sequence[str] = (), suite: str | None = None) -> str:
    """The report as one HTML text."""
    trials = select(store, runs, suite)
    if not trials:
        raise ReportError("no trials stored in this selection; run `kernelwright run` first")
    tasks = all_tasks()
    counted = lb.latest(trials)
    counted_ids = {id(t) for t in counted}
    table = lb.rows(trials)
    families: dict[str, list[lb.Row]] = defaultdict(list)
    for r in table:
        families[family(r["target"])].append(r)
    cmp = None
    if len(runs) == 2:
        side_a = [t for t in trials if t.key.run == runs[0]]
        side_b = [t for t in trials if t.key.run == runs[1]]
        try:
            cmp = comparison.compare_trials(runs[0], runs[1], side_a, side_b)
        except comparison.ComparisonError as exc:
            raise ReportError(str(exc)) from None
    figures = {
        "plot-speedup": plots.speedup_distribution(counted),
        "plot-level": plots.valid_rate_by_level(counted, tasks),
        "plot-cost": plots.cost_against_fast(table),
        "plot-steps": plots.steps_to_first_valid(counted),
    }
    pages = [
        trial_page(t, store.events(t.key), tasks, id(t) in counted_ids)
        for t in sorted(trials, key=lambda t: t.id or 0)
    ]
    template = _env().get_template("report.html.j2")
    return template.render(
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        runs=list(runs),
        suite=suite,
        families=dict(sorted(families.items())),
        leaderboard_json=lb.to_json(table),
        matrices=matrices(counted, table, tasks),
        plots={name: plots.html(fig, name) for name, fig in figures.items()},
        plotly_js=plots.plotly_js().replace("</script", "<\\/script"),
        comparison=cmp,
        comparison_json=comparison.to_json(cmp) if cmp else "null",
        pages=pages,
        trial_count=len(trials),
    )
