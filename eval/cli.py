"""The `kernelwright` command line."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box as table_box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agents.registry import UnknownAgent
from eval import leaderboard as lb
from eval.comparison import ComparisonError
from eval.export import ExportError
from eval.records import VALID, TrialKey, TrialRecord
from eval.report import ReportError
from eval.runner import RunError, RunSpec, check_spec, run_suite, skipped_tasks
from eval.store import Store, StoreError
from eval.validate import Verdict
from isa.base import Target
from isa.compile_cache import CacheConfigError
from isa.registry import UnknownTarget, backend_for, families, target_names
from tasks import Task, TaskError, all_tasks, load_suite, load_task

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="kernelwright: agents write kernels; real toolchains, emulators and a strict judge "
    "check them; a leaderboard ranks them.",
)
console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file "
        "(default: $KERNELWRIGHT_DB, else ~/.local/share/kernelwright/kernelwright.db)",
    ),
]


# Commands that compile or run candidate code, so they need the sandbox's isolation.
SANDBOXED_COMMANDS = {"run", "eval", "try", "selfcheck"}


@app.callback()
def _options(
    ctx: typer.Context,
    allow_unisolated: Annotated[
        bool,
        typer.Option(
            "--allow-unisolated",
            help="Run untrusted kernels without isolation when bubblewrap is not available "
            "(degraded mode; same as KERNELWRIGHT_ALLOW_UNISOLATED=1)",
        ),
    ] = False,
) -> None:
    from sandbox import isolation

    if allow_unisolated:
        os.environ[isolation.ALLOW_UNISOLATED_ENV] = "1"
    if ctx.invoked_subcommand in SANDBOXED_COMMANDS and (refused := isolation.refusal()):
        raise UserError(refused)


class Format(StrEnum):
    table = "table"
    json = "json"


class TrialsFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    jsonl = "jsonl"


class UserError(Exception):
    """An error the user can fix; printed as one sentence."""


def _reading_store(db: str | None, run: str | None = None) -> Store:
    """The store for a command that only reads: it never creates a database, and a run that
    is not stored is one sentence naming the runs that are."""
    store = Store(db, create=False)
    if run is not None:
        names = [r["name"] for r in store.runs()]
        if run not in names:
            store.close()
            stored = f"stored runs: {', '.join(names)}" if names else "no run is stored yet"
            raise UserError(f"no run named '{run}'; {stored}")
    return store


def _progress(on: Console) -> Progress:
    """The progress bar of `run` and `selfcheck`: one step per task or trial, the last result."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
        console=on,
    )


def _target(text: str) -> Target:
    target = Target.parse(text)
    backend_for(target)  # raises UnknownTarget with one sentence
    return target


@app.command()
def targets() -> None:
    """List the targets kernelwright can compile for, with their executors here."""
    table = Table(title="targets")
    for col in ("target", "language", "executors here", "unit"):
        table.add_column(col)
    for family in families():
        for name in target_names(family):
            target = Target.parse(name)
            try:
                backend = backend_for(target)
            except UnknownTarget as exc:  # listed by its family, not usable here (the reason)
                table.add_row(target.name, "-", f"unavailable: {exc}", "-")
                continue
            table.add_row(
                target.name, backend.language, ", ".join(backend.executors(target)), backend.unit
            )
    console.print(table)


@app.command()
def tasks(
    suite: Annotated[str | None, typer.Option(help="Only the tasks of this suite")] = None,
    target: Annotated[str | None, typer.Option(help="Only tasks that support this target")] = None,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """List tasks (id, level, visible configs, targets)."""
    chosen = load_suite(suite) if suite else list(all_tasks().values())
    skipped: list[tuple[str, str]] = []
    if target:
        family = _target(target).family
        skipped = [(t.id, why) for t in chosen if (why := t.unsupported_reason(family)) is not None]
        chosen = [t for t in chosen if t.supports(family)]
    rows: list[dict[str, Any]] = [
        {
            "id": t.id,
            "level": t.level,
            "title": t.title,
            "configs": len(t.visible_configs),
            "hidden": len(t.hidden_configs),
            "targets": sorted(f for f in families() if t.supports(f)),
            "unsupported": dict(t.manifest.unsupported),
        }
        for t in chosen
    ]
    if format is Format.json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title=f"tasks{f' in suite {suite}' if suite else ''}")
    table.add_column("id", no_wrap=True)  # ids are typed back: never cut (the title wraps)
    for col in ("level", "title", "configs", "hidden", "targets"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["id"],
            str(r["level"]),
            r["title"],
            str(r["configs"]),
            str(r["hidden"]),
            ", ".join(r["targets"]),
        )
    console.print(table)
    for task_id, reason in skipped:
        console.print(f"not on {target}: {task_id}: {reason}", markup=False, highlight=False)


@app.command()
def spec(target: Annotated[str, typer.Argument(help="Target, e.g. tile")]) -> None:
    """Print a target's ISA / language reference (what the agent reads)."""
    t = _target(target)
    console.print(backend_for(t).spec(t), markup=False, highlight=False, soft_wrap=True)


@app.command()
def run(
    suite: Annotated[str, typer.Option(help="Suite to run (smoke, core, full)")],
    target: Annotated[str, typer.Option(help="Target, e.g. tile")],
    agent: Annotated[str, typer.Option(help="Agent: template, oracle, nop, llm")] = "template",
    model: Annotated[
        list[str] | None,
        typer.Option(
            help="Model for the llm agent: openai:M, anthropic:M, "
            "openai-compatible:URL/M, scripted:oracle, scripted:replay:FILE; "
            "repeat it to run several models on the suite, one run each"
        ),
    ] = None,
    run_name: Annotated[
        str,
        typer.Option(
            "--run-name",
            help="Name of the run; the same name resumes it (default: suite-target-agent[-model])",
        ),
    ] = "",
    executor: Annotated[str, typer.Option(help="emu or gpu (default: the best available)")] = "",
    seeds: Annotated[int, typer.Option(help="Trials per task")] = 1,
    jobs: Annotated[
        int | None,
        typer.Option(
            help="Trials in parallel (local: default 1; ray: most in flight, default no cap)"
        ),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="local (a pool on this machine) or ray (a Ray cluster)")
    ] = "local",
    ray_address: Annotated[
        str,
        typer.Option(
            "--ray-address",
            help="ray: the cluster to join (auto, HOST:PORT, ray://HOST:PORT); "
            "default: start a Ray runtime on this machine",
        ),
    ] = "",
    db: DbOption = None,
) -> None:
    """Run a suite: every task of it with one agent on one target; resumable. With several
    --model, one run per model, one after the other (each resumable on its own)."""
    specs = [
        RunSpec(
            suite=suite,
            target=_target(target).name,
            agent=agent,
            model=m,
            run_name=f"{run_name}-{m.replace(':', '_').replace('/', '_')}"
            if run_name and len(model or []) > 1
            else run_name,
            executor=executor,
            seeds=seeds,
            jobs=jobs if jobs is not None else (0 if engine == "ray" else 1),
            engine=engine,
            ray_address=ray_address,
        )
        for m in (model or [""])
    ]
    for spec_ in specs:
        check_spec(spec_)  # every model is checked before the first trial starts
    store = Store(db)
    for spec_ in specs:
        _run_one(spec_, store)


def _run_one(spec_: RunSpec, store: Store) -> None:
    for task_id, reason in skipped_tasks(spec_):
        console.print(f"skipping {task_id}: {reason}", markup=False, highlight=False)
    progress = _progress(console)
    bar: dict[str, Any] = {}

    def on_plan(planned: int, skipped: int) -> None:
        if skipped:
            console.print(
                f"resuming run '{spec_.name()}': {skipped} of {planned} trials already stored"
            )
        bar["id"] = progress.add_task(spec_.name(), total=planned, completed=skipped, last="")

    def on_trial(record: TrialRecord) -> None:
        mark = "[green]valid[/]" if record.status == VALID else f"[red]{record.status}[/]"
        progress.update(bar["id"], advance=1, last=f"{record.key.task}: {mark}")
        if record.status != VALID:
            progress.console.print(
                f"  {record.key.task}: {record.status}: {record.reason}",
                markup=False,
                highlight=False,
            )

    def on_refused(key: TrialKey, reason: str) -> None:
        progress.console.print(f"  {key.task}: not run: {reason}", markup=False, highlight=False)

    try:
        with progress:
            summary = run_suite(
                spec_, store, on_trial=on_trial, on_plan=on_plan, on_refused=on_refused
            )
    except KeyboardInterrupt:
        stored = len(store.trials(spec_.name()))
        err_console.print(
            f"cancelled: run '{spec_.name()}' has {stored} trials stored and its outstanding "
            "trials were stopped; the same command resumes it"
        )
        raise typer.Exit(130) from None
    valid = sum(1 for r in store.trials(summary.run) if r.status == VALID)
    console.print(
        f"run '{summary.run}': {summary.planned} trials, {valid} valid "
        f"({len(summary.done)} run now, {summary.skipped} resumed)"
    )
    if summary.refused:
        err_console.print(
            f"{len(summary.refused)} trials were refused by Ray nodes that cannot isolate "
            "candidates and are not stored; the same command runs them once those nodes can"
        )
        raise typer.Exit(1)


@app.command("eval")
def eval_(
    file: Annotated[Path, typer.Argument(help="Kernel source file", exists=False)],
    task: Annotated[str, typer.Option(help="Task id or task folder")],
    target: Annotated[str, typer.Option(help="Target, e.g. tile")],
    hidden: Annotated[bool, typer.Option(help="Also check the hidden configs")] = False,
    executor: Annotated[str, typer.Option(help="emu or gpu (default: the best available)")] = "",
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    db: DbOption = None,
    owner: Annotated[
        bool, typer.Option(help="Show hidden configs' sizes and failure details (task owner)")
    ] = False,
) -> None:
    """Compile and validate a kernel file on every visible config; exit 0 only if valid."""
    from agents.tools import Toolbox
    from eval.files import FileProblem, read_kernel

    try:
        source = read_kernel(file)
    except FileProblem as exc:
        raise UserError(str(exc)) from None
    t = _target(target)
    task_ = load_task(task)
    box = Toolbox(task_, t, source=source)
    from eval.validate import format_measure, verify

    available = backend_for(t).executors(t)
    if executor and executor not in available:
        raise UserError(
            f"executor '{executor}' is not available for {t.name} here; "
            f"available: {', '.join(available)}"
        )
    executor = executor or available[0]
    verdict = verify(task_, t, source, hidden=hidden, executor=executor)
    if format is Format.json:
        print(json.dumps(_eval_json(task_, t, executor, verdict, db), indent=2))
        raise typer.Exit(0 if verdict.valid else 1)
    if not verdict.compiled:
        err_console.print(f"error: {verdict.reason}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    if verdict.configs and all(c.error for c in verdict.configs):
        # The kernel fails to run on every config: one sentence, not one per config.
        first = verdict.configs[0]
        err_console.print(
            f"error: {first.error} ({first.name})", markup=False, highlight=False, soft_wrap=True
        )
        raise typer.Exit(1)
    table = Table(title=f"{task_.id} on {t.name}")
    for col in ("config", "result", backend_for(t).unit, "roofline %"):
        table.add_column(col)
    for c in verdict.configs:
        pct = c.roofline_pct
        table.add_row(
            c.name + (" (hidden)" if c.hidden else ""),
            "[green]correct[/]" if c.passed else "[red]wrong[/]",
            format_measure(c.measure) if c.measure is not None else "-",
            f"{pct:.1f}" if pct is not None and c.passed else "-",
        )
    console.print(table)
    _print_estimates(verdict, t)
    for c in verdict.configs:
        if not c.passed:
            # A hidden failure shows only its kind, unless the owner asks for the detail.
            sizes = ", ".join(f"{k}={v}" for k, v in c.sizes.items())
            text = (
                f"{c.name} ({sizes}): {c.summary}"
                if c.hidden and owner
                else f"{c.name}: {c.public_summary()}"
            )
            console.print(text, markup=False, highlight=False, soft_wrap=True)
    last = [c for c in verdict.configs if not c.hidden and c.measure is not None]
    if last:
        c = last[-1]
        console.print(f"\nprofile of {c.name}:", style="bold")
        console.print(
            # A wrong result has no share of roofline: its time means nothing.
            box.backend_profile(c.counters, c.measure or 0.0, c.roofline if c.passed else None),
            markup=False,
            highlight=False,
        )
    console.print(verdict.reason, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(0 if verdict.valid else 1)


def _eval_json(
    task: Task, target: Target, executor: str, verdict: Verdict, db: str | None
) -> dict[str, Any]:
    """`eval --format json`; the speed-up is the leaderboard's, against the baseline measured
    (and cached in the store) on the same target and executor."""
    from eval.baseline import baseline_measures
    from eval.formats import eval_object
    from eval.score import speedup

    ratio = None
    if verdict.valid:
        with Store(db) as store:
            base = baseline_measures(task, target, executor, store)
        ratio = speedup(verdict.visible_measures(), base) if base else None
    return eval_object(
        verdict,
        task=task.id,
        target=target.name,
        executor=executor,
        unit=backend_for(target).unit,
        speedup=ratio,
    )


def _print_estimates(verdict: Any, t: Target) -> None:
    """The realistic-size estimates a speed-up is scored on (emu on NVIDIA), after the
    emulated configs that judged correctness."""
    if verdict.estimate_error:
        console.print(
            f"no realistic-size estimate: {verdict.estimate_error}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if not verdict.estimates:
        return
    from eval.validate import format_measure

    table = Table(title="realistic-size estimates (sampled blocks; scored)")
    for col in ("config", "sizes", backend_for(t).unit, "roofline %", "blocks emulated"):
        table.add_column(col)
    for c in verdict.estimates:
        pct = c.roofline_pct
        launches = c.counters.get("launches", [])
        emulated = sum(int(e.get("blocks_emulated", 0)) for e in launches)
        total = sum(int(e.get("blocks", 0)) for e in launches)
        table.add_row(
            c.name,
            c.summary.split(":")[0],
            format_measure(c.measure) if c.measure is not None else "-",
            f"{pct:.1f}" if pct is not None else "-",
            f"{emulated} of {total}",
        )
    console.print(table)


@app.command("try")
def try_(
    task: Annotated[str, typer.Argument(help="Task id")],
    target: Annotated[str, typer.Option(help="Target, e.g. tile")],
    file: Annotated[
        Path | None, typer.Option(help="Start from this kernel instead of the stub")
    ] = None,
    model: Annotated[
        str, typer.Option(help="Work beside this model (e.g. scripted:oracle, openai:gpt-5)")
    ] = "",
) -> None:
    """Work on one task interactively, alone or beside a model: step, hint, take over."""
    from agents.models import ModelConfigError
    from agents.session import Session
    from eval.files import FileProblem, read_kernel

    try:
        source = read_kernel(file) if file else None
    except FileProblem as exc:
        raise UserError(str(exc)) from None
    task_, target_ = load_task(task), _target(target)
    if (why := task_.unsupported_reason(target_.family)) is not None:
        raise UserError(f"task {task_.id} cannot run on {target_.name}: {why}")
    try:
        session = Session(task_, target_, source=source, model=model or None)
    except ModelConfigError as exc:
        raise UserError(str(exc)) from None
    session.loop()


@app.command()
def leaderboard(
    db: DbOption = None,
    run: Annotated[str | None, typer.Option(help="Only this run")] = None,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Rank (agent, model, target) groups by validity and speed-up, from the stored trials."""
    store = _reading_store(db, run)
    rows = lb.rows(store.trials(run))
    if format is Format.json:
        print(lb.to_json(rows))
        return
    if not rows:
        console.print("no trials stored yet; run `kernelwright run --suite smoke --target tile`")
        return
    console.print(lb.render_table(rows, width=console.width))


@app.command()
def show(
    trial: Annotated[int, typer.Argument(help="Trial id (see `kernelwright trials`)")],
    db: DbOption = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Print the transcript as JSON lines instead")
    ] = False,
) -> None:
    """Show one trial: its verdict, scores, transcript and kernel."""
    from eval.show import render_trial, transcript_jsonl

    store = _reading_store(db)
    record = store.get_trial(trial)
    if record is None:
        raise UserError(f"no trial with id {trial}")
    if jsonl:
        sys.stdout.write(transcript_jsonl(record, store.events(record.key)))
        return
    render_trial(console, record, store.events(record.key))


@app.command()
def trials(
    db: DbOption = None,
    run: Annotated[str | None, typer.Option(help="Only this run")] = None,
    format: Annotated[
        TrialsFormat, typer.Option("--format", help="table, json, csv or jsonl")
    ] = TrialsFormat.table,
) -> None:
    """List stored trials with their ids."""
    from eval.formats import trials_text

    store = _reading_store(db, run)
    records = store.trials(run)
    if format is not TrialsFormat.table:
        sys.stdout.write(trials_text(records, format.value))
        return
    # One run goes in the title, so its name is not repeated on every row; nothing is cut:
    # headers keep their width and long names wrap.
    runs = {r.key.run for r in records}
    one_run = next(iter(runs)) if len(runs) == 1 else None
    table = Table(
        title=f"trials of run {one_run}" if one_run else "trials",
        box=table_box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )
    columns = ["id", "task", "target", "agent", "model", "status", "speedup"]
    if one_run is None:
        columns.insert(1, "run")
    for col in columns:
        # Ids are typed back (`show ID`, `--task`): never folded; the rest wraps.
        fixed = col in ("id", "task")
        table.add_column(col, overflow="fold", no_wrap=fixed, min_width=len(col))
    for r in records:
        cells = {
            "id": str(r.id),
            "run": r.key.run,
            "task": r.key.task,
            "target": r.key.target
            if r.key.executor == "emu"
            else f"{r.key.target}/{r.key.executor}",
            "agent": r.key.agent,
            "model": r.key.model or "-",
            "status": r.status,
            "speedup": f"{r.speedup:.2f}x" if r.speedup else "-",
        }
        table.add_row(*(cells[col] for col in columns))
    console.print(table)


@app.command()
def report(
    db: DbOption = None,
    run: Annotated[
        list[str] | None, typer.Option(help="Only this run (repeatable; two runs add a comparison)")
    ] = None,
    suite: Annotated[str | None, typer.Option(help="Only the tasks of this suite")] = None,
    out: Annotated[Path, typer.Option(help="HTML file to write")] = Path("report.html"),
) -> None:
    """Write a self-contained HTML report: leaderboards, task matrices, plots, trial pages."""
    from eval.reading import open_existing
    from eval.report.build import build

    html = build(open_existing(db), run or [], suite)
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    console.print(f"report written to {out} ({len(html) / 1e6:.1f} MB); it opens offline")


@app.command("compare")
def compare_(
    a: Annotated[str, typer.Argument(help="Side A: a run name, or a model string")],
    b: Annotated[str, typer.Argument(help="Side B: a run name, or a model string")],
    db: DbOption = None,
    target: Annotated[str | None, typer.Option(help="Only trials on this target")] = None,
    suite: Annotated[str | None, typer.Option(help="Only the tasks of this suite")] = None,
    tie: Annotated[
        float, typer.Option(help="Speed-ups within this fraction of each other tie")
    ] = 0.01,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Compare two runs (or two models) task by task, with wins/losses/ties and paired tests."""
    from eval import comparison
    from eval.reading import open_existing

    store = open_existing(db)
    trials = store.trials()
    runs = [r["name"] for r in store.runs()]
    tasks_ = [t.id for t in load_suite(suite)] if suite else None
    name = _target(target).name if target else None
    side_a = comparison.side(trials, runs, a, name, tasks_)
    side_b = comparison.side(trials, runs, b, name, tasks_)
    result = comparison.compare_trials(a, b, side_a, side_b, tie)
    if format is Format.json:
        print(comparison.to_json(result))
        return
    console.print(comparison.render(result))


@app.command("export")
def export_(
    format: Annotated[str, typer.Option("--format", help="parquet, jsonl or csv")],
    db: DbOption = None,
    run: Annotated[str | None, typer.Option(help="Only this run")] = None,
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: stdout; parquet needs one)")
    ] = None,
    transcripts: Annotated[
        bool, typer.Option("--transcripts", help="Add each trial's transcript (JSON) as a column")
    ] = False,
) -> None:
    """Export stored trials, one row each, as Parquet, JSON lines or CSV."""
    from eval import export
    from eval.reading import open_existing

    try:
        fmt = export.ExportFormat(format)
    except ValueError:
        raise UserError(f"unknown format '{format}'; use parquet, jsonl or csv") from None
    store = open_existing(db)
    if run is not None and run not in (names := [r["name"] for r in store.runs()]):
        raise UserError(f"no run named '{run}'; runs: {', '.join(names) or 'none'}")
    levels = {t.id: t.level for t in all_tasks().values()}
    events = (lambda t: store.events(t.key)) if transcripts else None
    rows = export.records(store.trials(run), levels, events)
    text = export.write(rows, fmt, out)
    if text is not None:
        sys.stdout.write(text)
    else:
        err_console.print(f"{len(rows)} trials written to {out}")


@app.command()
def selfcheck(
    target: Annotated[str, typer.Option(help="Target to check")] = "tile",
    suite: Annotated[str, typer.Option(help="Suite to check")] = "smoke",
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Every task's oracle must be valid and its stub (nop) must fail; exit 1 otherwise."""
    from eval.selfcheck import TaskCheck, check_tasks, render
    from sandbox import get_sandbox

    t, chosen = _target(target), load_suite(suite)
    sandbox = get_sandbox().describe()
    # Progress goes where it cannot spoil the JSON on stdout.
    shown = err_console if format is Format.json else console
    if format is Format.table:
        console.print(f"sandbox {sandbox}", markup=False, highlight=False, soft_wrap=True)
    progress = _progress(shown)
    bar = progress.add_task(f"selfcheck on {t.name}", total=len(chosen), last="")

    def on_task(check: TaskCheck) -> None:
        mark = "skipped" if check.skipped else "[green]ok[/]" if check.ok else "[red]FAIL[/]"
        progress.update(bar, advance=1, last=f"{check.task}: {mark}")

    with progress:
        checks = check_tasks(t, chosen, on_task)
    ok = all(c.ok for c in checks)
    if format is Format.json:
        report = {
            "target": t.name,
            "suite": suite,
            "sandbox": sandbox,
            "ok": ok,
            "tasks": [c.to_json() for c in checks],
        }
        print(json.dumps(report, indent=2))
    else:
        render(console, t, checks)
    raise typer.Exit(0 if ok else 1)


KNOWN_ERRORS: tuple[type[Exception], ...] = (
    UserError,
    TaskError,
    UnknownTarget,
    UnknownAgent,
    StoreError,
    RunError,
    CacheConfigError,
    ReportError,
    ComparisonError,
    ExportError,
)


def main() -> None:
    try:
        app()
    except KNOWN_ERRORS as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print(
            "interrupted; stored trials are kept and the run resumes when started again"
        )
        sys.exit(130)


if __name__ == "__main__":
    main()
