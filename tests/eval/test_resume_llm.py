"""SIGKILL in the middle of a multi-trial LLM run, then the same command again: finished
trials are not repeated, the trial that was cut off restarts from its first step with its
partial transcript cleared, and every trial and every event is stored exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from eval.store import Store
from tasks import load_suite

ROOT = Path(__file__).resolve().parents[2]
RUN = "llm-resume-test"
SMOKE = len(load_suite("smoke"))
ARGS = [
    "run",
    "--suite",
    "smoke",
    "--target",
    "tile",
    "--agent",
    "llm",
    "--model",
    "scripted:oracle",
    "--seeds",
    "1",
    "--run-name",
    RUN,
]
CLEAN = ["system", "user"] + ["assistant", "tool"] * 4 + ["submit"]
ORPHANS = """
    SELECT COUNT(*) FROM events e WHERE e.run = ? AND NOT EXISTS (
        SELECT 1 FROM trials t WHERE t.run = e.run AND t.task = e.task AND t.seed = e.seed)
"""


def _counts(db: Path) -> tuple[int, int]:
    """(trials stored, events of trials not stored yet)."""
    if not db.exists():
        return 0, 0
    try:
        with sqlite3.connect(db, timeout=5) as con:
            trials = con.execute("SELECT COUNT(*) FROM trials WHERE run = ?", (RUN,)).fetchone()
            orphans = con.execute(ORPHANS, (RUN,)).fetchone()
    except sqlite3.OperationalError:  # tables not created yet
        return 0, 0
    return int(trials[0]), int(orphans[0])


def test_kill_9_mid_trial_then_restart_stores_everything_exactly_once(_private_db: Path) -> None:
    env = dict(os.environ, KERNELWRIGHT_DB=str(_private_db))
    proc = subprocess.Popen(
        [sys.executable, "-m", "eval.cli", *ARGS],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    # Wait until some trials are stored and the next one is part-way through its transcript.
    while time.monotonic() < deadline and proc.poll() is None:
        trials, orphans = _counts(_private_db)
        if trials >= 2 and orphans >= 3:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    trials_before, orphans = _counts(_private_db)
    assert 2 <= trials_before < SMOKE, f"the run was not cut mid-way ({trials_before} trials)"
    assert orphans > 0, "the kill did not land inside a trial"
    store = Store(str(_private_db))
    before = {r.key: (r.id, r.finished_at) for r in store.trials(RUN)}
    store.close()

    done = subprocess.run(
        [sys.executable, "-m", "eval.cli", *ARGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert f"{trials_before} of {SMOKE} trials already stored" in done.stdout

    store = Store(str(_private_db))
    records = store.trials(RUN)
    assert len(records) == SMOKE
    assert all(n == 1 for n in Counter((r.key.task, r.key.seed) for r in records).values())
    assert all(r.status == "valid" for r in records)
    for r in records:
        if r.key in before:  # finished before the kill: not run again
            assert (r.id, r.finished_at) == before[r.key]
        events = store.events(r.key)
        assert [e["kind"] for e in events] == CLEAN, r.key
        assert [e["seq"] for e in events] == list(range(len(CLEAN)))
    store.close()
    assert _counts(_private_db) == (SMOKE, 0)
