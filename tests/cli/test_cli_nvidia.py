"""`kernelwright eval` on the NVIDIA targets: a valid oracle with its profile, and planted
bugs reported as one sentence with the source line and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def kw(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KERNELWRIGHT_DB=str(db), COLUMNS="200", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "eval.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )


def test_eval_cuda_oracle_shows_microseconds_and_the_profile(_private_db: Path) -> None:
    oracle = ROOT / "tasks" / "gemv" / "cuda" / "oracle.cu"
    proc = kw("eval", str(oracle), "--task", "gemv", "--target", "cuda:sm_90", db=_private_db)
    assert proc.returncode == 0, proc.stderr
    assert "valid on all 5 configs" in proc.stdout
    assert "estimated on H100-SXM" in proc.stdout and "limited by" in proc.stdout


@pytest.mark.parametrize(
    ("fixture", "task", "expected"),
    [
        ("cuda/oob_store.cu", "silu", "line 11"),
        ("cuda/missing_sync.cu", "rmsnorm", "kernel.cu:23"),
        ("cuda/uninit_shared.cu", "silu", "kernel.cu:15"),
        ("cuda/syntax_error.cu", "silu", "line 10: nvcc"),
    ],
)
def test_eval_reports_planted_bugs_with_the_line(
    _private_db: Path, fixture: str, task: str, expected: str
) -> None:
    path = FIXTURES / fixture
    proc = kw("eval", str(path), "--task", task, "--target", "cuda:sm_90", db=_private_db)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert expected in output, output
    assert "Traceback" not in output


def test_eval_refuses_an_executor_that_is_not_here(_private_db: Path) -> None:
    oracle = ROOT / "tasks" / "silu" / "cuda" / "oracle.cu"
    args = ("eval", str(oracle), "--task", "silu", "--target", "cuda:sm_80", "--executor", "tpu")
    proc = kw(*args, db=_private_db)
    assert proc.returncode != 0
    assert "executor 'tpu' is not available" in proc.stderr
