"""Every task of the full suite runs on the Triton targets: its naive, oracle and stub files
exist, their plans evaluate on every config (emulated, hidden and GPU), the oracles pass the
static precision check, and a sample of the multi-launch oracles and their naive baselines
compute the right answer on the emulator (the full check is `kernelwright selfcheck --suite
full --target triton:sm_80`)."""

from __future__ import annotations

import numpy as np
import pytest

from eval.compare import compare
from eval.validate import static_findings
from isa.base import Target
from isa.nvidia.plan import parse_plan
from isa.nvidia.triton_backend import PLAN_PREFIX
from isa.registry import backend_for
from tasks import load_suite, load_task

TRITON = Target.parse("triton:sm_80")
KINDS = ("naive", "oracle", "stub")


@pytest.mark.parametrize("task_id", [t.id for t in load_suite("full")])
def test_every_task_has_triton_kernels_whose_plans_evaluate(task_id: str) -> None:
    task = load_task(task_id)
    assert task.supports("triton"), task.unsupported_reason("triton")
    configs = task.configs_for("emu", hidden=True) + task.configs_for("gpu", hidden=True)
    for kind in KINDS:
        source = (task.folder / "triton" / f"{kind}.py").read_text()
        for cfg in configs:
            plan = parse_plan(source, PLAN_PREFIX, dict(cfg.sizes), triton=True)
            assert plan.launches, f"{kind} plan has no launch"
            for launch in plan.launches:
                assert all(d >= 1 for d in launch.grid), (kind, cfg.name, launch.grid)
    for kind in ("naive", "oracle"):
        source = (task.folder / "triton" / f"{kind}.py").read_text()
        assert static_findings(task, TRITON, source) == [], kind


@pytest.mark.parametrize("task_id", ["conv2d", "attention_scores", "decoder_block"])
def test_multi_launch_and_gathering_kernels_are_correct_on_the_emulator(task_id: str) -> None:
    task = load_task(task_id)
    backend = backend_for(TRITON)
    cfg = task.config("C1")
    iface = task.interface(cfg)
    inputs = task.make_inputs(cfg, np.random.default_rng(5))
    expected = task.reference(inputs, cfg)
    tol = task.tolerance(backend.precision)
    measures = {}
    for kind in ("naive", "oracle"):
        source = (task.folder / "triton" / f"{kind}.py").read_text()
        result = backend.execute(TRITON, backend.build(TRITON, source, iface), iface, inputs)
        for name, exp in expected.items():
            verdict = compare(name, result.outputs[name], exp, tol)
            assert verdict.passed, f"{kind}: {verdict.describe()}"
        measures[kind] = result.measure
    assert measures["oracle"] <= measures["naive"]
