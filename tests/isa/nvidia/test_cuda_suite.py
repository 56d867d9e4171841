"""The CUDA kernels of every task on the emulator at the smoke suite's size (C3, the ragged
config): the oracle and the naive kernel match the reference and pass the sanitizer, the
stub does not match. Run in-process (no sandboxed worker) to keep the cost small; the
whole judge runs them in `kernelwright selfcheck --suite full --target cuda:sm_90`, and
`benchmarks/suite_oracles.py --target cuda:sm_90` compares their speed."""

from __future__ import annotations

import numpy as np
import pytest

from eval.compare import compare
from isa.base import Target
from isa.registry import backend_for
from tasks import all_tasks, load_task

ALL = sorted(all_tasks())
TARGET = Target.parse("cuda:sm_90")


def _mismatches(task_id: str, kind: str) -> list[str]:
    task = load_task(task_id)
    backend = backend_for(TARGET)
    cfg = task.config("C3")
    iface = task.interface(cfg)
    inputs = task.make_inputs(cfg, np.random.default_rng(7))
    source = (task.folder / "cuda" / f"{kind}.cu").read_text()
    result = backend.execute(TARGET, backend.build(TARGET, source, iface), iface, inputs)
    tol = task.tolerance(backend.precision)
    bad = [
        verdict.describe()
        for name, expected in task.reference(inputs, cfg).items()
        if not (verdict := compare(name, result.outputs[name], expected, tol)).passed
    ]
    return bad + list(result.findings)


@pytest.mark.parametrize("task_id", ALL)
def test_oracle_and_naive_are_correct_and_the_stub_is_not(task_id: str) -> None:
    assert _mismatches(task_id, "oracle") == []
    assert _mismatches(task_id, "naive") == []
    assert _mismatches(task_id, "stub") != []
