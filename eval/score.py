"""Scores of a verified candidate: speed-up against the baseline and % of roofline."""

from __future__ import annotations

import math

from eval.validate import Verdict


def geomean(values: list[float]) -> float | None:
    positive = [v for v in values if v > 0]
    if not positive:
        return None
    return math.exp(sum(math.log(v) for v in positive) / len(positive))


def speedup(measures: dict[str, float], baseline: dict[str, float]) -> float | None:
    """Geometric mean over configs of baseline time / candidate time."""
    ratios = [baseline[name] / m for name, m in measures.items() if name in baseline and m > 0]
    return geomean(ratios)


def roofline_pct(verdict: Verdict) -> float | None:
    """Mean over the scored configs: the realistic-size estimates when there are any."""
    if verdict.estimate_error and not verdict.estimates:
        return None
    scored = verdict.estimates or verdict.configs
    values = [
        c.roofline_pct for c in scored if not c.hidden and c.passed and c.roofline_pct is not None
    ]
    return sum(values) / len(values) if values else None
