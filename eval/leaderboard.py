"""The leaderboard: stored trials summarised per (agent, model, target).

Pure functions over `TrialRecord`s, so the terminal table, the JSON export and the HTML
report all show the same numbers, recomputed from the store every time.

Which trials count: when the same trial was run more than once (several runs of one suite,
or a rerun after a fix), only the newest attempt counts, by `finished_at`. "The same trial"
is the same (task, agent, model, target, executor, seed): trials that differ only by seed
are independent samples and all count; the run name is ignored.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from statistics import fmean
from typing import TypedDict

from rich import box
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table

from eval.records import TrialRecord

Z_95 = 1.959963984540054  # two-sided 95% normal quantile


class Row(TypedDict):
    agent: str
    model: str
    target: str
    executor: str  # comma-joined when the group ran on several executors
    trials: int
    valid_rate: float  # 0..1
    valid_rate_ci: list[float]  # Wilson 95% interval [lo, hi]
    geomean_speedup: float | None  # over valid trials that have a speed-up
    fast_1_0: float  # share of all trials that are valid with speed-up >= 1.0
    fast_1_5: float  # ... >= 1.5
    roofline_pct: float | None  # mean over valid trials
    mean_steps: float
    first_valid_step: float | None  # mean over trials that reached a valid candidate
    tokens: float  # mean tokens in + out per trial
    cost_usd: float  # mean per trial


def latest(trials: Iterable[TrialRecord]) -> list[TrialRecord]:
    """The newest attempt of each (task, agent, model, target, executor, seed)."""
    newest: dict[tuple[object, ...], TrialRecord] = {}
    for trial in trials:
        k = trial.key
        ident = (k.task, k.agent, k.model, k.target, k.executor, k.seed)
        if ident not in newest or _age(trial) > _age(newest[ident]):
            newest[ident] = trial
    return list(newest.values())


def _age(trial: TrialRecord) -> tuple[str, int]:
    # ISO 8601 UTC strings sort in time order; the store id breaks ties (later saved wins).
    return trial.finished_at, trial.id if trial.id is not None else -1


def wilson(successes: int, n: int, z: float = Z_95) -> list[float]:
    """Wilson score interval for a proportion: unlike the normal approximation it stays
    inside [0, 1] and is sensible for the small n and extreme rates leaderboards have."""
    if n == 0:
        return [0.0, 1.0]
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return [max(0.0, centre - half), min(1.0, centre + half)]


def fast_p(trials: Sequence[TrialRecord], p: float) -> float:
    """KernelBench's fast_p: the share of all trials that are valid and at least p times
    as fast as the baseline (>=, so the baseline itself counts for fast_1.0)."""
    hits = sum(1 for t in trials if t.valid and t.speedup is not None and t.speedup >= p)
    return hits / len(trials)


def geomean(values: Iterable[float]) -> float | None:
    logs = [math.log(v) for v in values if v > 0 and math.isfinite(v)]
    return math.exp(fmean(logs)) if logs else None


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return fmean(values) if values else None


def summarise(trials: Sequence[TrialRecord]) -> Row:
    """One leaderboard row from the trials of one (agent, model, target) group."""
    first = trials[0].key
    valid = [t for t in trials if t.valid]
    return Row(
        agent=first.agent,
        model=first.model,
        target=first.target,
        executor=",".join(sorted({t.key.executor for t in trials})),
        trials=len(trials),
        valid_rate=len(valid) / len(trials),
        valid_rate_ci=wilson(len(valid), len(trials)),
        geomean_speedup=geomean(t.speedup for t in valid if t.speedup is not None),
        fast_1_0=fast_p(trials, 1.0),
        fast_1_5=fast_p(trials, 1.5),
        roofline_pct=_mean(t.roofline_pct for t in valid if t.roofline_pct is not None),
        mean_steps=fmean(t.steps for t in trials),
        first_valid_step=_mean(
            t.first_valid_step for t in trials if t.first_valid_step is not None
        ),
        tokens=fmean(t.tokens_in + t.tokens_out for t in trials),
        cost_usd=fmean(t.cost_usd for t in trials),
    )


def rows(trials: Iterable[TrialRecord]) -> list[Row]:
    """Leaderboard rows, best first: by valid rate, then geomean speed-up (none last)."""
    groups: dict[tuple[str, str, str], list[TrialRecord]] = defaultdict(list)
    for trial in latest(trials):
        groups[(trial.key.agent, trial.key.model, trial.key.target)].append(trial)
    table = [summarise(group) for group in groups.values()]
    table.sort(key=lambda r: (r["agent"], r["model"], r["target"]))
    table.sort(key=lambda r: (r["valid_rate"], r["geomean_speedup"] or -math.inf), reverse=True)
    return table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _num(value: float | None, digits: int = 1, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{suffix}"


def _cost(value: float) -> str:
    return f"${value:.4f}" if value < 1 else f"${value:.2f}"


USAGE_HEADERS = ("1st valid", "tokens", "cost")


def render_table(
    table: Sequence[Row], title: str = "Leaderboard", width: int | None = None
) -> RenderableType:
    """A Rich table for the terminal: percentages, 2-decimal speed-ups, '-' where a figure
    does not exist (e.g. no valid trial, so no speed-up). Token and cost columns appear only
    when some group used a model; when they do not fit in `width` columns they move to a
    second table under the first. Nothing is cut: headers keep their width, names wrap."""
    with_usage = any(r["tokens"] or r["cost_usd"] for r in table)
    full = _board(table, title, with_usage, with_scores=True)
    if (
        not with_usage
        or width is None
        or Measurement.get(_MEASURE, _MEASURE.options, full).maximum <= width
    ):
        return full
    return Group(
        _board(table, title, False, with_scores=True),
        _board(table, "usage", True, with_scores=False),
    )


_MEASURE = Console(width=10_000)  # only to measure a table's natural width


def _board(table: Sequence[Row], title: str, with_usage: bool, with_scores: bool) -> Table:
    out = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 0), pad_edge=False, show_edge=False)
    for header in ("agent", "model", "target"):
        out.add_column(header, overflow="fold", min_width=len(header))
    headers = ("n", "valid [CI95]", "speedup", "fast1", "fast1.5", "roof%", "steps")
    for header in headers if with_scores else ():
        out.add_column(header, justify="right", no_wrap=True, min_width=len(header))
    for header in USAGE_HEADERS if with_usage else ():
        out.add_column(header, justify="right", no_wrap=True, min_width=len(header))
    for r in table:
        lo, hi = r["valid_rate_ci"]
        target = r["target"] if r["executor"] in ("", "emu") else f"{r['target']}/{r['executor']}"
        cells = [r["agent"], r["model"] or "-", target]
        if with_scores:
            cells += [
                str(r["trials"]),
                f"{_pct(r['valid_rate'])} [{lo * 100:.0f},{hi * 100:.0f}]",
                _num(r["geomean_speedup"], 2, "x"),
                _pct(r["fast_1_0"]),
                _pct(r["fast_1_5"]),
                _num(r["roofline_pct"], 0, "%"),
                _num(r["mean_steps"]),
            ]
        if with_usage:
            cells += [
                _num(r["first_valid_step"]),
                f"{r['tokens']:,.0f}",
                _cost(r["cost_usd"]),
            ]
        out.add_row(*cells)
    return out


def to_json(table: Sequence[Row]) -> str:
    return json.dumps(list(table), indent=2)
