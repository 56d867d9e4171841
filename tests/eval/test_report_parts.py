"""The report's and the export's parts on hand-written inputs (test data, not trials run):
the transcript's kernel diffs, and which trials an export marks as counted."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from eval.export import COLUMNS, ExportFormat, records, to_csv, write
from eval.records import INVALID, VALID, TrialKey, TrialRecord
from eval.report.transcript import entries


def _tool(seq: int, name: str, ok: bool = True, **arguments: str) -> dict[str, object]:
    payload = {"step": seq, "name": name, "ok": ok, "arguments": arguments, "text": "done"}
    return {"seq": seq, "kind": "tool", "payload": payload}


def test_diffs_follow_writes_and_edits_from_the_stub() -> None:
    events = [
        {"seq": 0, "kind": "user", "payload": {"text": "Begin."}},
        _tool(1, "write_kernel", source="a\nb\n"),
        _tool(2, "edit_kernel", old="b", new="c"),
        _tool(3, "edit_kernel", ok=False, old="zzz", new="y"),  # refused: no diff
        _tool(4, "compile"),
    ]
    shown = entries(events, start="stub\n")
    assert [e.kind for e in shown] == ["user", "tool", "tool", "tool", "tool"]
    first, edit, refused, compile_ = shown[1:]
    assert "-stub\n" in first.diff and "+a\n" in first.diff and "+b\n" in first.diff
    assert "-b\n" in edit.diff and "+c\n" in edit.diff and " a\n" in edit.diff
    assert refused.diff == "" and refused.ok is False and compile_.diff == ""


def _trial(run: str, finished: str, status: str = VALID) -> TrialRecord:
    return TrialRecord(
        key=TrialKey(run, "relu", "tile", "emu", "llm", "m", 0),
        status=status,
        measures={"C3": 100.0},
        verdict={"configs": [{"name": "C3"}]},
        finished_at=finished,
        id=1 if run == "old" else 2,
    )


def test_export_marks_the_newest_attempt_counted(tmp_path: Path) -> None:
    trials = [_trial("old", "2026-01-01T00:00:00+00:00", INVALID), _trial("new", "2026-02-01")]
    rows = records(trials, {"relu": 1})
    assert [(r["run"], r["counted"]) for r in rows] == [("old", False), ("new", True)]
    assert list(rows[0])[: len(COLUMNS)] == list(COLUMNS)
    assert rows[1]["measures"] == {"C3": 100.0} and rows[1]["level"] == 1
    table = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert [r["counted"] for r in table] == ["False", "True"]
    assert json.loads(table[1]["measures"]) == {"C3": 100.0} and table[0]["speedup"] == ""
    pandas = pytest.importorskip("pandas")
    out = tmp_path / "t.parquet"
    write(rows, ExportFormat.parquet, out)
    frame = pandas.read_parquet(out)
    assert list(frame["counted"]) == [False, True]
    assert json.loads(frame["measures"][1]) == {"C3": 100.0}
