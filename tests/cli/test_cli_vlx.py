"""The command line on the VLX target: its spec, a valid kernel, and bad kernels that get one
clear sentence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "vlx"


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


def test_vlx_is_a_target_with_a_spec(_private_db: Path) -> None:
    proc = kw("targets", db=_private_db)
    assert proc.returncode == 0 and "VLX assembly" in proc.stdout
    proc = kw("spec", "vlx", db=_private_db)
    assert proc.returncode == 0 and "bundle" in proc.stdout and "vmac" in proc.stdout


def test_eval_vlx_oracle_prints_the_profile(_private_db: Path) -> None:
    oracle = ROOT / "tasks" / "rmsnorm" / "vlx" / "oracle.vasm"
    proc = kw("eval", str(oracle), "--task", "rmsnorm", "--target", "vlx", db=_private_db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "valid on all 5 configs" in proc.stdout
    for text in ("roofline bound", "operations issued per slot", "top stall causes", "DMA:"):
        assert text in proc.stdout


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("overfull_bundle.vasm", "line 2: the bundle has 3 operations for the scalar slot"),
        ("unknown_operation.vasm", "line 3: unknown operation 'vexpp' (did you mean 'vexp'?)"),
        ("out_of_range.vasm", "line 3: vld reads L[65528..65543], outside local memory"),
        ("dma_race.vasm", "line 3: vld reads L[0..15], the destination of the dld at line 2"),
    ],
)
def test_eval_bad_vlx_kernels_give_one_clear_sentence(
    _private_db: Path, fixture: str, expected: str
) -> None:
    proc = kw("eval", str(FIXTURES / fixture), "--task", "silu", "--target", "vlx", db=_private_db)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert expected in output, output
    assert "Traceback" not in output
