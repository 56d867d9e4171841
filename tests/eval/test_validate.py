from __future__ import annotations

import numpy as np

from eval.validate import _judge_config, verify
from isa.base import Target
from isa.harness import ConfigOutcome
from tasks import load_task

TILE = Target("tile")


def _outcome_for(task_id: str, cfg_name: str, *, scale: float = 1.0, measure: float = 1e9):
    task = load_task(task_id)
    cfg = task.config(cfg_name)
    inputs = task.make_inputs(cfg, np.random.default_rng(5))
    expected = task.reference(inputs, cfg)
    outputs = {k: (v * scale).astype(np.float32) for k, v in expected.items()}
    return (
        task,
        cfg,
        inputs,
        ConfigOutcome(cfg.name, True, measure=measure, unit="cycles", outputs=outputs),
    )


def test_correct_outputs_pass() -> None:
    task, cfg, inputs, outcome = _outcome_for("softmax", "C2")
    v = _judge_config(task, cfg, inputs, outcome, bound=10.0, tol=task.tolerance("fp32"))
    assert v.passed, v.summary


def test_time_below_the_roofline_is_rejected() -> None:
    task, cfg, inputs, outcome = _outcome_for("softmax", "C2", measure=5.0)
    v = _judge_config(task, cfg, inputs, outcome, bound=10.0, tol=task.tolerance("fp32"))
    assert not v.passed and "below the roofline" in v.error


def test_scaled_outputs_fail() -> None:
    task, cfg, inputs, outcome = _outcome_for("silu", "C2", scale=1.01)
    v = _judge_config(task, cfg, inputs, outcome, bound=10.0, tol=task.tolerance("fp32"))
    assert not v.passed and "elements wrong" in v.summary


def test_findings_reject() -> None:
    task, cfg, inputs, outcome = _outcome_for("silu", "C2")
    outcome.findings = ["the kernel modified its input 'x'"]
    v = _judge_config(task, cfg, inputs, outcome, bound=10.0, tol=task.tolerance("fp32"))
    assert not v.passed and "modified its input" in v.error


def test_stub_fails_because_outputs_are_poisoned() -> None:
    task = load_task("gemm")
    verdict = verify(task, TILE, task.stub("tile", ".tasm") or "", hidden=False)
    assert verdict.compiled and not verdict.valid
    assert "NaN" in verdict.reason


def test_input_mutation_is_rejected() -> None:
    # computes relu correctly into y but also overwrites x
    source = """
        li    r1, 0
        mul   r2, $M, $N
        dld   t0, S[0, r2], D[@x, r2], 1, r2
        dwait t0
        vshape 1, r2
        vmul  S[0, r2], S[0, r2], #0
        dst   t1, D[@x, r2], S[0, r2], 1, r2
        dwait t1
        halt
    """
    task = load_task("silu")
    verdict = verify(task, TILE, source, hidden=False, configs=[task.config("C1")])
    assert not verdict.valid
    assert "line 8: dst writes D[0..127], inside the input tensor 'x'" in verdict.reason


def test_hidden_configs_are_checked_but_not_named() -> None:
    # A kernel that only works for the visible sizes: hard-coded to M <= 512, N <= 512 rows
    # of exactly the visible widths would fail on H1; here the template passes everything.
    task = load_task("silu")
    from agents.template import template_source

    verdict = verify(task, TILE, template_source("silu", "tile"), hidden=True)
    assert verdict.valid
    assert any(c.hidden for c in verdict.configs)
    assert "H1" not in verdict.describe(show_hidden=False)
