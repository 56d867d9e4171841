"""Stored trials as a data set: one row per trial, for pandas or a Hugging Face dataset.

Formats: Parquet (typed columns, nested verdict and measures as JSON text), JSON lines
(nested objects kept as objects) and CSV (nested objects as JSON text). `counted` says
whether the leaderboard counts the trial (the newest attempt of its key, see
`eval.leaderboard.latest`), so a reader can reproduce the leaderboard from the export.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from eval.leaderboard import latest
from eval.records import TrialRecord


class ExportFormat(StrEnum):
    parquet = "parquet"
    jsonl = "jsonl"
    csv = "csv"


class ExportError(ValueError):
    """The export cannot be written; one sentence."""


# Column name -> Arrow type name, in output order. Nested fields are JSON text in Parquet.
COLUMNS: dict[str, str] = {
    "trial": "int64",
    "run": "string",
    "task": "string",
    "level": "int64",
    "target": "string",
    "executor": "string",
    "agent": "string",
    "model": "string",
    "seed": "int64",
    "counted": "bool",
    "status": "string",
    "valid": "bool",
    "reason": "string",
    "speedup": "float64",
    "roofline_pct": "float64",
    "unit": "string",
    "measures": "json",
    "steps": "int64",
    "first_valid_step": "int64",
    "tokens_in": "int64",
    "tokens_out": "int64",
    "cost_usd": "float64",
    "wall_s": "float64",
    "started_at": "string",
    "finished_at": "string",
    "source": "string",
    "verdict": "json",
}
TRANSCRIPT_COLUMN = "transcript"  # a list of {seq, kind, payload, created_at}


def records(
    trials: Sequence[TrialRecord],
    levels: dict[str, int],
    events: Callable[[TrialRecord], list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """One plain dict per trial, nested fields as objects; with `events`, the transcript."""
    counted = {id(t) for t in latest(trials)}
    out = []
    for t in trials:
        row: dict[str, Any] = {
            "trial": t.id,
            **{name: getattr(t.key, name) for name in ("run", "task")},
            "level": levels.get(t.key.task),
            **{name: getattr(t.key, name) for name in ("target", "executor", "agent", "model")},
            "seed": t.key.seed,
            "counted": id(t) in counted,
            "status": t.status,
            "valid": t.valid,
        }
        for name in COLUMNS:
            if name not in row:
                row[name] = getattr(t, name)
        if events is not None:
            row[TRANSCRIPT_COLUMN] = events(t)
        out.append(row)
    return out


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    nested = [n for n, kind in COLUMNS.items() if kind == "json"] + [TRANSCRIPT_COLUMN]
    return {k: json.dumps(v) if k in nested else v for k, v in row.items()}


def to_jsonl(rows: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    names = list(COLUMNS) + ([TRANSCRIPT_COLUMN] if rows and TRANSCRIPT_COLUMN in rows[0] else [])
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in _flat(row).items()})
    return buffer.getvalue()


def write_parquet(rows: Sequence[dict[str, Any]], path: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(
            "Parquet export needs pyarrow (pip install 'kernelwright[data]')"
        ) from None
    types = {
        "int64": pa.int64(),
        "float64": pa.float64(),
        "bool": pa.bool_(),
        "string": pa.string(),
        "json": pa.string(),
    }
    fields = [pa.field(name, types[kind]) for name, kind in COLUMNS.items()]
    if rows and TRANSCRIPT_COLUMN in rows[0]:
        fields.append(pa.field(TRANSCRIPT_COLUMN, pa.string()))
    schema = pa.schema(fields)
    table = pa.Table.from_pylist([_flat(row) for row in rows], schema=schema)
    try:
        pq.write_table(table, path)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc}") from None


def write(rows: Sequence[dict[str, Any]], fmt: ExportFormat, out: Path | None) -> str | None:
    """Write the rows to `out`; without `out` return the text (Parquet needs a file)."""
    if fmt is ExportFormat.parquet:
        if out is None:
            raise ExportError("Parquet is binary: give a file with --out")
        write_parquet(rows, out)
        return None
    text = to_jsonl(rows) if fmt is ExportFormat.jsonl else to_csv(rows)
    if out is None:
        return text
    try:
        out.write_text(text)
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc}") from None
    return None
