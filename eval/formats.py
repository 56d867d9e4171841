"""Machine-readable output of the commands that print results: `eval --format json`, `trials
--format json|csv|jsonl`, `selfcheck --format json`. One function builds each object, so a
field is added in one place; the README lists the fields."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from eval.records import TrialRecord
from eval.validate import Verdict


def eval_object(
    verdict: Verdict,
    *,
    task: str,
    target: str,
    executor: str,
    unit: str,
    speedup: float | None,
) -> dict[str, Any]:
    """`eval --format json`: the verdict, the speed-up against the task's baseline on the same
    target and executor (as the leaderboard computes it; null unless valid), and one entry
    per visible config; the hidden configs are one entry `{config: "hidden", correct}`."""
    configs: list[dict[str, Any]] = [
        {
            "config": c.name,
            "correct": c.passed,
            "time": c.measure,
            "roofline_pct": c.roofline_pct,
        }
        for c in verdict.configs
        if not c.hidden
    ]
    hidden = [c for c in verdict.configs if c.hidden]
    if hidden:
        configs.append({"config": "hidden", "correct": all(c.passed for c in hidden)})
    return {
        "valid": verdict.valid,
        "reason": None if verdict.valid else verdict.reason,
        "target": target,
        "task": task,
        "executor": executor,
        "unit": unit,
        "speedup": speedup if verdict.valid else None,
        "configs": configs,
    }


TRIAL_FIELDS = (
    "id",
    "run",
    "task",
    "target",
    "executor",
    "agent",
    "model",
    "seed",
    "status",
    "reason",
    "speedup",
    "roofline_pct",
    "unit",
    "steps",
    "first_valid_step",
    "tokens_in",
    "tokens_out",
    "cost_usd",
    "wall_s",
    "started_at",
    "finished_at",
)


def trial_row(record: TrialRecord) -> dict[str, Any]:
    """One stored trial as a flat row (no source, verdict or transcript: `show` has those)."""
    values = {**vars(record.key), **record.to_json()}
    return {name: values[name] for name in TRIAL_FIELDS}


def trials_text(records: list[TrialRecord], fmt: str) -> str:
    """The trials as `json` (one list), `jsonl` (one object a line) or `csv` (a header row)."""
    rows = [trial_row(r) for r in records]
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(row) + "\n" for row in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=TRIAL_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    raise ValueError(f"unknown format '{fmt}'")
