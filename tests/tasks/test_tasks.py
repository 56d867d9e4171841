from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eval.compare import compare
from tasks import TaskError, all_tasks, load_suite, load_task
from tasks.task import load_task_folder

SMOKE = ["silu", "softmax", "rmsnorm", "gemv", "gemm", "linear_relu"]
ALL = sorted(all_tasks())


def test_suites_cover_every_task_in_three_levels() -> None:
    full = load_suite("full")
    assert len(full) >= 24 and sorted(t.id for t in full) == ALL
    assert {t.level for t in full} == {1, 2, 3}
    assert set(SMOKE) <= {t.id for t in load_suite("core")} | {t.id for t in full}


def test_smoke_keeps_one_config_of_every_task() -> None:
    smoke = load_suite("smoke")
    assert [t.id for t in smoke] == [t.id for t in load_suite("full")]
    for task in smoke:
        assert [c.name for c in task.visible_configs] == ["C3"]
        assert task.hidden_configs  # hidden configs still run
        assert task.config("C5").sizes == load_task(task.id).config("C5").sizes


@pytest.mark.parametrize("task_id", ALL)
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


@pytest.mark.parametrize("task_id", ALL)
def test_tolerance_rejects_a_slightly_wrong_output(task_id: str) -> None:
    # An output 5% off (a missed scale or bias term) must fail at the loosest tolerance.
    task = load_task(task_id)
    cfg = task.visible_configs[2]
    expected = task.reference(task.make_inputs(cfg, np.random.default_rng(3)), cfg)
    tol = task.tolerance("bf16")
    for name, exp in expected.items():
        assert compare(name, exp * 1.0, exp, tol).passed
        assert not compare(name, exp * 1.05, exp, tol).passed


@pytest.mark.parametrize("task_id", ALL)
def test_every_input_matters_beyond_the_tolerance(task_id: str) -> None:
    # A kernel that mishandles any one input (a bias, a gamma, the keys) must fail.
    task = load_task(task_id)
    cfg = task.visible_configs[2]
    rng = np.random.default_rng(4)
    inputs = task.make_inputs(cfg, rng)
    expected = task.reference(inputs, cfg)
    tol = task.tolerance("bf16")
    for name, value in inputs.items():
        noisy = dict(inputs)
        rms = float(np.sqrt(np.mean(value.astype(np.float64) ** 2)))
        noisy[name] = (value + 0.5 * rms * rng.standard_normal(value.shape)).astype(np.float32)
        wrong = task.reference(noisy, cfg)
        assert any(not compare(n, wrong[n], expected[n], tol).passed for n in expected), name


def test_shape_expressions_and_config_restriction(tmp_path: Path) -> None:
    text = GOOD.replace('shape = ["M"]\n[tolerance', 'shape = ["M - K + 1"]\n[tolerance')
    text = text.replace("{ M = 1 }", "{ M = 3, K = 2 }").replace("{ M = 2 }", "{ M = 3, K = 3 }")
    for n in (3, 4, 5, 7):
        text = text.replace(f"{{ M = {n} }}", f"{{ M = {n}, K = 1 }}")
    task = load_task_folder(_write_task(tmp_path / "t", text))
    out = next(t for t in task.tensors if t.role == "output")
    assert task.shape(out, task.config("C1").sizes) == (2,)
    assert [c.name for c in task.restricted(["C2"]).visible_configs] == ["C2"]
    with pytest.raises(TaskError, match="no config 'C9'"):
        task.restricted(["C9"])


def test_a_dimension_below_one_is_one_clear_error(tmp_path: Path) -> None:
    text = GOOD.replace('shape = ["M"]\n[tolerance', 'shape = ["M - 2"]\n[tolerance')
    with pytest.raises(TaskError, match="dimension 'M - 2' of y is < 1"):
        load_task_folder(_write_task(tmp_path / "t", text))


def test_unsupported_target_says_why(tmp_path: Path) -> None:
    text = GOOD + '\n[unsupported]\ntile = "needs a data-dependent gather"\n'
    task = load_task_folder(_write_task(tmp_path / "t", text))
    assert not task.supports("tile")
    assert task.unsupported_reason("tile") == "needs a data-dependent gather"
    assert task.unsupported_reason("vlx") == "the task has no vlx kernels yet"
    assert load_task("gemm").unsupported_reason("tile") is None


def test_the_spec_documents_every_instruction_the_oracles_use() -> None:
    import re

    from isa.accel.tile.assembler import assemble
    from isa.accel.tile.backend import TileBackend, symbols

    spec = TileBackend.spec_path.read_text()
    used: set[str] = set()
    for task_id in ALL:
        task = load_task(task_id)
        source = task.oracle("tile", ".tasm")
        assert source is not None
        program = assemble(source, symbols(task.interface(task.visible_configs[0])))
        used |= {ins.op for ins in program.instructions}
    missing = sorted(op for op in used if not re.search(rf"\b{op}\b", spec))
    assert not missing, f"spec.md does not document {missing}"
    assert {"mm", "mma", "vrmax", "vtanh", "dld", "dst"} <= used
