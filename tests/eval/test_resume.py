"""Killing a suite run (SIGKILL) and starting it again finishes it with every trial once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from eval.store import Store
from tasks import load_suite

ROOT = Path(__file__).resolve().parents[2]
TRIALS = len(load_suite("smoke"))  # one seed per task
ARGS = [
    "run",
    "--suite",
    "smoke",
    "--target",
    "tile",
    "--agent",
    "template",
    "--run-name",
    "resume-test",
]


def _start(db: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, KERNELWRIGHT_DB=str(db))
    return subprocess.Popen(
        [sys.executable, "-m", "eval.cli", *ARGS],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    store = Store(str(db))
    try:
        return len(store.trials("resume-test"))
    finally:
        store.close()


def test_kill_and_restart_stores_every_trial_exactly_once(_private_db: Path) -> None:
    proc = _start(_private_db)
    deadline = time.monotonic() + 240
    while _stored(_private_db) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = _stored(_private_db)
    assert 2 <= killed_at < TRIALS, f"the run was not interrupted mid-way ({killed_at} trials)"

    env = dict(os.environ, KERNELWRIGHT_DB=str(_private_db))
    done = subprocess.run(
        [sys.executable, "-m", "eval.cli", *ARGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert f"{killed_at} of {TRIALS} trials already stored" in done.stdout

    store = Store(str(_private_db))
    records = store.trials("resume-test")
    store.close()
    keys = Counter((r.key.task, r.key.seed) for r in records)
    assert len(records) == TRIALS
    assert all(count == 1 for count in keys.values())
    assert all(r.status == "valid" for r in records), [
        (r.key.task, r.key.seed, r.reason) for r in records if r.status != "valid"
    ]
