"""Fixtures for the adversarial suite: the test-only `pyexec` target and tasks that carry a
given kernel as their oracle (so the real runner's `oracle` agent submits it)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from isa import registry
from tasks import Task
from tasks.task import TASKS_DIR, load_task_folder
from tests.adversarial import pyexec

HONEST_SILU = """
import numpy as np

def kernel(inputs, outputs, sizes):
    x = inputs["x"].astype(np.float64)
    outputs["y"][...] = x / (1.0 + np.exp(-x))
"""

MakeTask = Callable[[str, str], Task]


@pytest.fixture
def pyexec_target(monkeypatch: pytest.MonkeyPatch) -> str:
    """Registers `pyexec` for this test (the worker loads the judge's registry entry)."""
    monkeypatch.setitem(registry.BACKENDS, pyexec.FAMILY, pyexec.IMPORT_PATH)
    return pyexec.FAMILY


@pytest.fixture
def make_task(tmp_path: Path, pyexec_target: str) -> MakeTask:
    """`make_task(id, source)`: a copy of the silu task whose pyexec oracle is `source`."""

    def make(task_id: str, source: str) -> Task:
        folder = tmp_path / "tasks" / task_id
        (folder / pyexec_target).mkdir(parents=True)
        manifest = (TASKS_DIR / "silu" / "task.toml").read_text()
        (folder / "task.toml").write_text(manifest.replace('id = "silu"', f'id = "{task_id}"'))
        shutil.copy(TASKS_DIR / "silu" / "reference.py", folder / "reference.py")
        (folder / pyexec_target / "oracle.py").write_text(source)
        return load_task_folder(folder)

    return make
