"""The report's plots, as Plotly figures rendered to HTML fragments (plotly.js itself is
inlined once by the template, so the report needs no network)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import plotly.graph_objects as go
import plotly.io as pio

from eval.leaderboard import Row
from eval.records import TrialRecord
from tasks import Task

CONFIG = {"displaylogo": False, "responsive": True}


def group_label(agent: str, model: str, target: str) -> str:
    return f"{agent}{' · ' + model if model else ''} · {target}"


def _groups(trials: Sequence[TrialRecord]) -> dict[str, list[TrialRecord]]:
    out: dict[str, list[TrialRecord]] = defaultdict(list)
    for t in trials:
        out[group_label(t.key.agent, t.key.model, t.key.target)].append(t)
    return dict(sorted(out.items()))


def _layout(fig: go.Figure, title: str, x: str, y: str, empty: bool) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        template="plotly_white",
        height=420,
        margin={"l": 60, "r": 20, "t": 50, "b": 60},
        legend={"orientation": "h", "y": -0.25},
    )
    if empty:
        fig.add_annotation(
            text="no data in this selection",
            showarrow=False,
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
        )
    return fig


def speedup_distribution(trials: Sequence[TrialRecord]) -> go.Figure:
    fig = go.Figure()
    empty = True
    for label, group in _groups(trials).items():
        values = [t.speedup for t in group if t.valid and t.speedup is not None]
        if values:
            empty = False
            fig.add_trace(go.Box(y=values, name=label, boxpoints="all", jitter=0.4))
    fig.update_yaxes(type="log")
    return _layout(fig, "Speed-up of valid trials (log scale)", "", "speed-up", empty)


def valid_rate_by_level(trials: Sequence[TrialRecord], tasks: dict[str, Task]) -> go.Figure:
    fig = go.Figure()
    for label, group in _groups(trials).items():
        by_level: dict[int, list[bool]] = defaultdict(list)
        for t in group:
            if t.key.task in tasks:
                by_level[tasks[t.key.task].level].append(t.valid)
        levels = sorted(by_level)
        fig.add_trace(
            go.Bar(
                x=[f"level {lv}" for lv in levels],
                y=[sum(by_level[lv]) / len(by_level[lv]) for lv in levels],
                name=label,
            )
        )
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    fig.update_layout(barmode="group")
    return _layout(fig, "Valid rate by task level", "task level", "valid rate", not trials)


def cost_against_fast(table: Sequence[Row]) -> go.Figure:
    fig = go.Figure()
    for r in table:
        fig.add_trace(
            go.Scatter(
                x=[r["cost_usd"]],
                y=[r["fast_1_0"]],
                mode="markers+text",
                text=[r["model"] or r["agent"]],
                textposition="top center",
                marker={"size": 12},
                name=group_label(r["agent"], r["model"], r["target"]),
            )
        )
    fig.update_yaxes(range=[-0.05, 1.1], tickformat=".0%")
    return _layout(
        fig,
        "Cost per trial against fast_1.0 (one point per row)",
        "mean cost per trial (USD)",
        "fast_1.0",
        not table,
    )


def steps_to_first_valid(trials: Sequence[TrialRecord]) -> go.Figure:
    fig = go.Figure()
    empty = True
    for label, group in _groups(trials).items():
        values = [t.first_valid_step for t in group if t.first_valid_step is not None]
        if values:
            empty = False
            fig.add_trace(go.Box(y=values, name=label, boxpoints="all", jitter=0.4))
    return _layout(fig, "Steps to the first valid kernel", "", "steps", empty)


def html(fig: go.Figure, div_id: str) -> str:
    out: str = pio.to_html(
        fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=CONFIG
    )
    return out


def plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    js: str = get_plotlyjs()
    return js
