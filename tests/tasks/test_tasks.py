from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tasks import TaskError, all_tasks, load_suite, load_task
from tasks.task import load_task_folder

SMOKE = ["silu", "softmax", "rmsnorm", "gemv", "gemm", "linear_relu"]


def test_smoke_suite_has_the_six_tasks() -> None:
    assert [t.id for t in load_suite("smoke")] == SMOKE


@pytest.mark.parametrize("task_id", SMOKE)
def test_task_contract(task_id: str) -> None:
    task = load_task(task_id)
    assert len(task.visible_configs) == 5
    assert task.hidden_configs
    # at least one config with sizes that are not multiples of the 16-wide tile
    assert any(any(v % 16 for v in c.sizes.values()) for c in task.visible_configs)
    assert task.oracle("tile", ".tasm") is not None
    assert task.stub("tile", ".tasm") is not None
    cfg = task.visible_configs[1]
    inputs = task.make_inputs(cfg, np.random.default_rng(1))
    out = task.reference(inputs, cfg)
    for t in task.tensors:
        if t.role == "output":
            assert out[t.name].shape == task.shape(t, cfg.sizes)
            assert np.isfinite(out[t.name]).all()


def test_reference_values_gemm() -> None:
    task = load_task("gemm")
    cfg = task.config("C3")
    inputs = task.make_inputs(cfg, np.random.default_rng(0))
    out = task.reference(inputs, cfg)["c"]
    np.testing.assert_allclose(out, inputs["a"].astype(np.float64) @ inputs["b"], rtol=1e-12)


def test_inputs_differ_per_seed() -> None:
    task = load_task("silu")
    cfg = task.config("C2")
    a = task.make_inputs(cfg, np.random.default_rng(1))["x"]
    b = task.make_inputs(cfg, np.random.default_rng(2))["x"]
    assert not np.array_equal(a, b)


def test_unknown_task_and_suite() -> None:
    with pytest.raises(TaskError, match="unknown task 'nope'"):
        load_task("nope")
    with pytest.raises(TaskError, match="unknown suite 'nope'"):
        load_suite("nope")


def _write_task(folder: Path, manifest: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "task.toml").write_text(manifest)
    (folder / "reference.py").write_text("def reference(inputs, sizes):\n    return {}\n")
    return folder


GOOD = """
id = "t"
level = 1
title = "t"
statement = "s"
[[tensor]]
name = "x"
role = "input"
shape = ["M"]
[[tensor]]
name = "y"
role = "output"
shape = ["M"]
[tolerance.fp32]
atol = 1e-5
rtol = 1e-5
norm = 1e-5
[configs]
C1 = { M = 1 }
C2 = { M = 2 }
C3 = { M = 3 }
C4 = { M = 4 }
C5 = { M = 5 }
[hidden]
H1 = { M = 7 }
"""


def test_good_manifest_loads(tmp_path: Path) -> None:
    task = load_task_folder(_write_task(tmp_path / "t", GOOD))
    assert task.id == "t" and len(task.visible_configs) == 5


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace("level = 1", "level = 9"), "level"),
        (lambda s: s.replace("C5 = { M = 5 }\n", ""), "exactly 5 visible configs"),
        (lambda s: s.replace("H1 = { M = 7 }", "H1 = { N = 7 }"), "does not set M"),
        (lambda s: s.replace("[hidden]\nH1 = { M = 7 }", ""), "hidden"),
        (lambda s: s.replace('role = "output"', 'role = "input"'), "output tensor"),
        (lambda s: s + "\nbogus = 1\n", "bogus"),
        (lambda s: s.replace('title = "t"', "title = "), "not valid TOML"),
        (lambda s: s.replace('id = "t"', 'id = "other"'), "must match its folder"),
    ],
)
def test_bad_manifest_is_one_clear_error(tmp_path: Path, edit: object, message: str) -> None:
    folder = _write_task(tmp_path / "t", edit(GOOD))  # type: ignore[operator]
    with pytest.raises(TaskError, match=message):
        load_task_folder(folder)


def test_every_task_loads() -> None:
    assert set(SMOKE) <= set(all_tasks())
