"""What a new user trips over (issue 9), as a user runs it: one sentence and a non-zero exit
for every mistake, nothing cut at 80 columns, and machine-readable output for scripts."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eval.records import VALID, TrialKey, TrialRecord
from eval.store import Store
from tasks import load_task

ROOT = Path(__file__).resolve().parents[2]
LONG_MODEL = "openai-compatible:http://localhost:8000/v1/qwen3-coder-480b"
LONG_LINE = "VADD t1, t0, t0 ; a comment long enough to go well past the eightieth column END"


def kw(*args: str, db: Path, columns: int = 200) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KERNELWRIGHT_DB=str(db), COLUMNS=str(columns), NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "eval.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )


def one_sentence(proc: subprocess.CompletedProcess[str], expected: str) -> None:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1 and expected in proc.stderr, proc.stderr


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    """A database with trials of two runs, one by a model with a long name."""
    db = tmp_path / "stored.db"
    with Store(str(db)) as store:
        for run, agent, model in (("nightly-long-run-name", "llm", LONG_MODEL), ("r2", "nop", "")):
            store.save_trial(
                TrialRecord(
                    key=TrialKey(run, "attention_scores", "cuda:sm_90", "emu", agent, model, 0),
                    status=VALID,
                    speedup=1.5,
                    measures={"C1": 5.91},
                    unit="us",
                    tokens_in=1_234_567,
                    cost_usd=1.25,
                    source=f"LOAD t0, [a]\n{LONG_LINE}\n",
                    verdict={"configs": [{"name": "C1", "passed": True, "measure": 5.91}]},
                )
            )
    return db


def test_eval_of_an_empty_or_stub_kernel_shows_no_roofline_figure(
    tmp_path: Path, _private_db: Path
) -> None:
    empty = tmp_path / "e.tasm"
    empty.write_text("")
    stubs = [
        ROOT / "tasks" / "gemm" / "tile" / "stub.tasm",
        ROOT / "tasks" / "gemm" / "vlx" / "stub.vasm",
    ]
    for kernel, target in ((empty, "tile"), (stubs[0], "tile"), (stubs[1], "vlx")):
        proc = kw("eval", str(kernel), "--task", "gemm", "--target", target, db=_private_db)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 1 and "Traceback" not in out, out
        assert "roofline bound" not in out and "failed on 5 of 5 configs" in out, out


def test_eval_json_of_the_oracle_has_a_speedup_and_a_hidden_entry(_private_db: Path) -> None:
    oracle = ROOT / "tasks" / "gemm" / "tile" / "oracle.tasm"
    args = ("eval", str(oracle), "--task", "gemm", "--target", "tile", "--format", "json")
    proc = kw(*args, "--hidden", db=_private_db)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert {k: got[k] for k in ("valid", "reason", "target", "task", "executor", "unit")} == {
        "valid": True,
        "reason": None,
        "target": "tile",
        "task": "gemm",
        "executor": "emu",
        "unit": "cycles",
    }
    assert got["speedup"] > 1.0  # the pipelined oracle beats the plain template baseline
    visible = [c.name for c in load_task("gemm").visible_configs]
    assert [c["config"] for c in got["configs"]] == [*visible, "hidden"]
    assert got["configs"][-1] == {"config": "hidden", "correct": True}
    for c in got["configs"][:-1]:
        assert c["correct"] and c["time"] > 0 and 0 < c["roofline_pct"] <= 100


def test_eval_json_of_a_wrong_kernel_says_why(_private_db: Path) -> None:
    stub = ROOT / "tasks" / "gemm" / "tile" / "stub.tasm"
    proc = kw(
        "eval", str(stub), "--task", "gemm", "--target", "tile", "--format", "json", db=_private_db
    )
    assert proc.returncode == 1
    got = json.loads(proc.stdout)
    assert got["valid"] is False and got["speedup"] is None
    assert got["reason"].startswith("failed on 5 of 5 configs")
    assert all(not c["correct"] and c["roofline_pct"] is None for c in got["configs"])


def test_reading_commands_never_create_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    for args in (["leaderboard"], ["trials"], ["show", "1"]):
        proc = kw(*args, "--db", str(missing), db=missing)
        one_sentence(proc, f"no database at {missing}")
    assert not (tmp_path / "nonexistent").exists()


def test_an_unknown_run_is_named_with_the_runs_that_exist(stored: Path) -> None:
    for command in ("leaderboard", "trials"):
        proc = kw(command, "--run", "nosuchrun", db=stored)
        one_sentence(proc, "no run named 'nosuchrun'; stored runs: nightly-long-run-name, r2")


def test_trials_as_json_csv_and_jsonl(stored: Path) -> None:
    as_json = json.loads(kw("trials", "--format", "json", db=stored).stdout)
    lines = kw("trials", "--format", "jsonl", db=stored).stdout.splitlines()
    as_csv = list(csv.DictReader(io.StringIO(kw("trials", "--format", "csv", db=stored).stdout)))
    assert [json.loads(line) for line in lines] == as_json
    assert [r["run"] for r in as_json] == ["nightly-long-run-name", "r2"]
    first = as_json[0]
    assert first["model"] == LONG_MODEL and first["speedup"] == 1.5 and first["id"] == 1
    assert first["tokens_in"] == 1_234_567 and first["status"] == "valid"
    assert [r["model"] for r in as_csv] == [LONG_MODEL, ""] and as_csv[0]["speedup"] == "1.5"


def _joined(text: str) -> str:
    """The text with borders and line breaks removed: a wrapped kernel line reads whole."""
    return "".join(ch for ch in text if ch.isalnum() or ch in ":/_-.,$;")


def _whole_in_a_column(text: str, name: str) -> bool:
    """`name` is in the table, folded over lines that start at one column if need be."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        for col in range(len(line)):
            got = ""
            for below in lines[i:]:
                piece = below[col:].split(" ", 1)[0]
                if not piece or not name.startswith(got + piece):
                    break
                got += piece
                if got == name:
                    return True
    return False


def test_nothing_is_cut_at_80_columns(stored: Path) -> None:
    tasks = kw("tasks", db=stored, columns=80).stdout
    assert all(f" {task_id} " in tasks for task_id in ("attention_scores", "depthwise_conv2d"))
    board = kw("leaderboard", db=stored, columns=80).stdout
    assert max(len(line) for line in board.splitlines()) <= 80
    for header in ("valid [CI95]", "speedup", "fast1.5", "1st valid", "tokens", "cost"):
        assert header in board
    assert "1,234,567" in board and "$1.25" in board and "…" not in board
    assert _whole_in_a_column(board, LONG_MODEL), board
    listed = kw("trials", db=stored, columns=80).stdout
    assert "…" not in listed and " attention_scores " in listed
    for name in ("nightly-long-run-name", LONG_MODEL):
        assert _whole_in_a_column(listed, name), listed
    shown = kw("show", "1", db=stored, columns=80).stdout
    assert "5.91" in shown  # microseconds keep their digits
    assert "END" in shown and _joined(LONG_LINE) in _joined(shown)


def test_try_and_eval_refuse_what_they_cannot_use(tmp_path: Path, _private_db: Path) -> None:
    binary = tmp_path / "k.tasm"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    one_sentence(
        kw("try", "relu", "--target", "tile", "--file", str(binary), db=_private_db),
        f"{binary} is not a text file",
    )
    one_sentence(
        kw("eval", "tasks", "--task", "relu", "--target", "tile", db=_private_db),
        "tasks is a folder, not a kernel file",
    )
    folder = tmp_path / "gather"
    folder.mkdir()
    relu = load_task("relu").folder
    text = (relu / "task.toml").read_text().replace('id = "relu"', 'id = "gather"')
    (folder / "task.toml").write_text(text + '\n[unsupported]\ntile = "needs a gather"\n')
    (folder / "reference.py").write_text((relu / "reference.py").read_text())
    one_sentence(
        kw("try", str(folder), "--target", "tile", db=_private_db),
        "task gather cannot run on tile: needs a gather",
    )


def test_a_bad_model_string_is_one_line_with_nothing_before(_private_db: Path) -> None:
    proc = kw(
        "run",
        "--suite",
        "smoke",
        "--target",
        "tile",
        "--agent",
        "llm",
        "--model",
        "x",
        db=_private_db,
    )
    one_sentence(proc, "'x' is not a model string")
    assert proc.stdout == ""
    proc = kw(
        "run",
        "--suite",
        "smoke",
        "--target",
        "tile",
        "--agent",
        "template",
        "--model",
        "openai:gpt-5",
        db=_private_db,
    )
    one_sentence(proc, "agent 'template' uses no model")
    assert not _private_db.exists()  # a refused run creates no database
