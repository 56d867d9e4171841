"""Helpers for VLX tests: lay tensors out in DRAM, assemble, run, read outputs back."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest

from isa.accel.vlx.assembler import assemble
from isa.accel.vlx.simulator import run
from tests.isa.accel_run import AccelRun, run_program

run_vlx = partial(run_program, assemble, run)


@pytest.fixture
def vlx() -> Callable[..., AccelRun]:
    return run_vlx
