"""Helpers for TILE tests: lay tensors out in DRAM, assemble, run, read outputs back."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest

from isa.accel.tile.assembler import assemble
from isa.accel.tile.simulator import run
from tests.isa.accel_run import AccelRun, run_program

run_tile = partial(run_program, assemble, run)


@pytest.fixture
def tile() -> Callable[..., AccelRun]:
    return run_tile
