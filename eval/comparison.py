"""Two sides (runs, or models on one target) compared task by task, with a paired test.

Per task each side has an outcome: the share of its counted trials that are valid and the
geometric-mean speed-up of the valid ones (the leaderboard's `latest` and `geomean`, so the
figures agree with it). A side wins a task when more of its trials are valid, or, equally
valid, when its speed-up is higher by more than the tie tolerance.

Two paired tests over the tasks both sides ran, both exact:
- the sign test: wins against losses (ties dropped), two-sided binomial with p = 1/2;
- the Wilcoxon signed-rank test on log(speed-up A / speed-up B) over the tasks where both
  sides are valid with a speed-up (zero differences dropped, tied magnitudes get mid-ranks);
  its null distribution is counted exactly over the 2^n sign patterns (a subset-sum count
  over the doubled ranks), so no normal approximation is made for small suites.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from eval.leaderboard import geomean, latest
from eval.records import ERROR, VALID, TrialRecord

DEFAULT_TIE = 0.01  # speed-ups within 1% of each other are a tie
ALPHA = 0.05


class ComparisonError(ValueError):
    """The two sides cannot be compared; one sentence."""


@dataclass
class Outcome:
    """One side's result on one task."""

    trials: int
    valid: int
    status: str  # valid | invalid | error (the majority), or "k/n valid" with several seeds
    speedup: float | None
    roofline_pct: float | None
    trial_ids: list[int]


@dataclass
class TaskRow:
    task: str
    a: Outcome | None
    b: Outcome | None
    ratio: float | None  # speed-up A / speed-up B when both have one
    winner: str  # "A", "B", "tie", or "" when one side did not run the task


@dataclass
class PairedTest:
    name: str
    n: int  # pairs used
    statistic: float | None
    p_value: float | None  # two-sided; None when n == 0


@dataclass
class Comparison:
    a: str
    b: str
    rows: list[TaskRow]
    wins: int
    losses: int
    ties: int
    only_a: list[str]
    only_b: list[str]
    geomean_ratio: float | None  # over tasks where both have a speed-up
    sign_test: PairedTest
    wilcoxon: PairedTest
    tie_tolerance: float = DEFAULT_TIE
    conclusion: str = ""
    sides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def outcome(trials: Sequence[TrialRecord]) -> Outcome:
    valid = [t for t in trials if t.valid]
    if len(trials) == 1:
        status = trials[0].status
    elif len(valid) == len(trials):
        status = VALID
    else:
        status = f"{len(valid)}/{len(trials)} valid"
    rooflines = [t.roofline_pct for t in valid if t.roofline_pct is not None]
    return Outcome(
        trials=len(trials),
        valid=len(valid),
        status=status,
        speedup=geomean(t.speedup for t in valid if t.speedup is not None),
        roofline_pct=sum(rooflines) / len(rooflines) if rooflines else None,
        trial_ids=[t.id for t in trials if t.id is not None],
    )


def by_task(trials: Sequence[TrialRecord]) -> dict[str, Outcome]:
    groups: dict[str, list[TrialRecord]] = defaultdict(list)
    for trial in latest(trials):
        groups[trial.key.task].append(trial)
    return {task: outcome(group) for task, group in groups.items()}


def winner(a: Outcome, b: Outcome, tie: float = DEFAULT_TIE) -> str:
    rate_a, rate_b = a.valid / a.trials, b.valid / b.trials
    if not math.isclose(rate_a, rate_b):
        return "A" if rate_a > rate_b else "B"
    if a.speedup is None or b.speedup is None:
        if (a.speedup is None) == (b.speedup is None):
            return "tie"
        return "A" if a.speedup is not None else "B"
    if abs(math.log(a.speedup / b.speedup)) <= math.log1p(tie):
        return "tie"
    return "A" if a.speedup > b.speedup else "B"


def sign_test(wins: int, losses: int) -> PairedTest:
    """Exact two-sided sign test: P(a split at least this uneven | p = 1/2)."""
    n = wins + losses
    if n == 0:
        return PairedTest("sign test", 0, None, None)
    k = min(wins, losses)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return PairedTest("sign test", n, float(wins), min(1.0, 2 * tail))


def wilcoxon(differences: Sequence[float]) -> PairedTest:
    """Exact two-sided Wilcoxon signed-rank test; the statistic is W+ (sum of the ranks of
    the positive differences). Zeros are dropped; tied magnitudes get their mean rank, and
    the null distribution is exact for those ranks (each sign + or - with probability 1/2)."""
    d = np.asarray([x for x in differences if x != 0.0], dtype=np.float64)
    n = int(d.size)
    if n == 0:
        return PairedTest("Wilcoxon signed-rank", 0, None, None)
    magnitude = np.abs(d)
    order = np.argsort(magnitude, kind="stable")
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.arange(1, n + 1, dtype=np.float64)
    for value in np.unique(magnitude):  # mid-ranks for ties
        tied = magnitude == value
        ranks[tied] = ranks[tied].mean()
    doubled = np.rint(ranks * 2).astype(np.int64)  # mid-ranks are multiples of 1/2
    w_plus = int(doubled[d > 0].sum())
    total = int(doubled.sum())
    counts = np.zeros(total + 1, dtype=object)  # exact integers: 2^n overflows int64 past 62
    counts[0] = 1
    for r in doubled:
        counts[r:] = counts[r:] + counts[: total + 1 - r]
    lower = sum(counts[: w_plus + 1])
    upper = sum(counts[w_plus:])
    p = min(1.0, 2 * min(lower, upper) / 2**n)
    return PairedTest("Wilcoxon signed-rank", n, w_plus / 2, float(p))


def compare_outcomes(
    a_name: str,
    b_name: str,
    a: dict[str, Outcome],
    b: dict[str, Outcome],
    tie: float = DEFAULT_TIE,
) -> Comparison:
    rows: list[TaskRow] = []
    for task in sorted(set(a) | set(b)):
        oa, ob = a.get(task), b.get(task)
        ratio = None
        if oa and ob and oa.speedup and ob.speedup:
            ratio = oa.speedup / ob.speedup
        rows.append(TaskRow(task, oa, ob, ratio, winner(oa, ob, tie) if oa and ob else ""))
    wins = sum(r.winner == "A" for r in rows)
    losses = sum(r.winner == "B" for r in rows)
    ties = sum(r.winner == "tie" for r in rows)
    ratios = [r.ratio for r in rows if r.ratio is not None]
    cmp = Comparison(
        a=a_name,
        b=b_name,
        rows=rows,
        wins=wins,
        losses=losses,
        ties=ties,
        only_a=[r.task for r in rows if r.b is None],
        only_b=[r.task for r in rows if r.a is None],
        geomean_ratio=geomean(ratios),
        sign_test=sign_test(wins, losses),
        wilcoxon=wilcoxon([math.log(x) for x in ratios]),
        tie_tolerance=tie,
    )
    cmp.conclusion = conclude(cmp)
    return cmp


def compare_trials(
    a_name: str,
    b_name: str,
    a: Sequence[TrialRecord],
    b: Sequence[TrialRecord],
    tie: float = DEFAULT_TIE,
) -> Comparison:
    if not a or not b:
        empty = a_name if not a else b_name
        raise ComparisonError(f"'{empty}' has no stored trials to compare")
    cmp = compare_outcomes(a_name, b_name, by_task(a), by_task(b), tie)
    if not any(r.winner for r in cmp.rows):
        raise ComparisonError(f"'{a_name}' and '{b_name}' have no task in common")
    cmp.sides = {"A": describe_side(a), "B": describe_side(b)}
    return cmp


def describe_side(trials: Sequence[TrialRecord]) -> dict[str, Any]:
    keys = [t.key for t in trials]
    return {
        name: sorted({getattr(k, name) for k in keys})
        for name in ("run", "agent", "model", "target", "executor")
    }


def conclude(cmp: Comparison) -> str:
    """One sentence a user can act on. The verdict is the sign test's (it covers every task
    both ran, validity included); choosing the smaller of two p-values would overstate the
    evidence, so the Wilcoxon test only adds what the speed-ups of tasks both solved say."""
    sign, rank = cmp.sign_test, cmp.wilcoxon
    if sign.p_value is None:
        verdict = "no task separates the two sides (all ties)"
    elif sign.p_value < ALPHA:
        better, name = ("A", cmp.a) if cmp.wins > cmp.losses else ("B", cmp.b)
        verdict = (
            f"{better} ({name}) is better at the 5% level "
            f"(sign test over {sign.n} tasks, p = {sign.p_value:.3g})"
        )
    else:
        verdict = (
            f"no significant difference at the 5% level (sign test, p = {sign.p_value:.3g}): "
            "the difference may be luck"
        )
    if rank.p_value is None:
        return verdict
    faster = "A" if (cmp.geomean_ratio or 1.0) > 1.0 else "B"
    if rank.p_value < ALPHA:
        detail = f"{faster} is faster (Wilcoxon, p = {rank.p_value:.3g})"
    else:
        detail = f"the speed-ups do not differ significantly (Wilcoxon, p = {rank.p_value:.3g})"
    return f"{verdict}; on the {rank.n} tasks both solved, {detail}"


def _verdict(o: Outcome | None) -> Text:
    if o is None:
        return Text("-", "dim")
    style = "green" if o.status == VALID else ("yellow" if o.status == ERROR else "red")
    return Text(o.status, style)


def _speed(o: Outcome | None) -> str:
    return "-" if o is None or o.speedup is None else f"{o.speedup:.2f}x"


def _p(test: PairedTest) -> str:
    if test.p_value is None:
        return f"{test.name}: no pairs"
    return f"{test.name}: n = {test.n}, statistic = {test.statistic:g}, p = {test.p_value:.3g}"


def render(cmp: Comparison) -> RenderableType:
    table = Table(
        title=f"A = {cmp.a}   B = {cmp.b}",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        show_edge=False,
    )
    for col in ("task", "A", "A speedup", "B", "B speedup", "A/B", "winner"):
        table.add_column(col, justify="right" if "speedup" in col or col == "A/B" else "left")
    for r in cmp.rows:
        table.add_row(
            r.task,
            _verdict(r.a),
            _speed(r.a),
            _verdict(r.b),
            _speed(r.b),
            "-" if r.ratio is None else f"{r.ratio:.2f}",
            r.winner or ("only A" if r.b is None else "only B"),
        )
    ratio = "-" if cmp.geomean_ratio is None else f"{cmp.geomean_ratio:.3f}"
    lines = [
        f"A wins {cmp.wins}, B wins {cmp.losses}, ties {cmp.ties} "
        f"(tie: speed-ups within {cmp.tie_tolerance:.0%}); geomean speed-up A/B = {ratio}",
        _p(cmp.sign_test),
        _p(cmp.wilcoxon) + " (on log speed-up ratios, tasks valid on both sides)",
    ]
    if cmp.only_a or cmp.only_b:
        lines.append(
            f"not compared: only A ran {len(cmp.only_a)} task(s), only B ran {len(cmp.only_b)}"
        )
    lines.append(cmp.conclusion)
    return Group(table, Text("\n".join(lines)))


def to_json(cmp: Comparison) -> str:
    return json.dumps(cmp.to_json(), indent=2)


def side(
    trials: Sequence[TrialRecord],
    runs: Sequence[str],
    name: str,
    target: str | None = None,
    tasks: Sequence[str] | None = None,
) -> list[TrialRecord]:
    """The trials one side of a comparison names: a run, else a model string (or the name of
    an agent that uses no model), on one target and optionally the tasks of one suite."""
    if name in runs:
        chosen = [t for t in trials if t.key.run == name]
    else:
        chosen = [
            t for t in trials if t.key.model == name or (not t.key.model and t.key.agent == name)
        ]
        if not chosen:
            raise ComparisonError(
                f"'{name}' is neither a run nor a model of a stored trial; runs: "
                + (", ".join(runs) or "none")
            )
    if target is not None:
        chosen = [t for t in chosen if t.key.target == target]
    if tasks is not None:
        wanted = set(tasks)
        chosen = [t for t in chosen if t.key.task in wanted]
    on = sorted({t.key.target for t in chosen})
    if len(on) > 1:
        raise ComparisonError(
            f"'{name}' has trials on several targets ({', '.join(on)}); choose one with --target"
        )
    agents = sorted({(t.key.agent, t.key.model) for t in chosen})
    if len(agents) > 1 and name not in runs:
        shown = ", ".join(f"{a}/{m}" for a, m in agents)
        raise ComparisonError(f"'{name}' names several agents ({shown}); compare runs instead")
    return chosen
