"""No valid VLX kernel may report fewer cycles than the roofline bound: checked for the
template and oracle kernels of every task with a VLX folder (on every config, hidden ones too,
for the first six tasks; on C2 and the hidden configs for the rest, to keep the run short),
and on a kernel that does nothing but move the data."""

from __future__ import annotations

import numpy as np
import pytest

from agents.template import template_source
from isa.accel.common.dram import symbols
from isa.accel.vlx.assembler import assemble
from isa.accel.vlx.backend import VlxBackend
from isa.accel.vlx.simulator import run
from isa.base import Target
from tasks import all_tasks, load_task

VLX = Target("vlx")
BACKEND = VlxBackend()
TASKS = sorted(t.id for t in all_tasks().values() if t.supports("vlx"))
EVERY_CONFIG = {"silu", "softmax", "rmsnorm", "gemv", "gemm", "linear_relu"}


@pytest.mark.parametrize("task_id", TASKS)
@pytest.mark.parametrize("which", ["template", "oracle"])
def test_cycles_never_below_the_roofline(task_id: str, which: str) -> None:
    task = load_task(task_id)
    source = template_source(task_id, "vlx") if which == "template" else task.oracle("vlx", ".vasm")
    assert source is not None
    visible = task.visible_configs if task_id in EVERY_CONFIG else [task.config("C2")]
    for cfg in visible + task.hidden_configs:
        iface = task.interface(cfg)
        inputs = task.make_inputs(cfg, np.random.default_rng(0))
        result = BACKEND.execute(VLX, BACKEND.build(VLX, source, iface), iface, inputs)
        bound = BACKEND.roofline(VLX, task.work(cfg))
        assert result.measure >= bound, f"{task_id} {cfg.name}: {result.measure} < {bound}"


def test_a_pure_copy_cannot_beat_the_bandwidth_bound() -> None:
    task = load_task("silu")
    cfg = task.config("C4")  # 256 x 256 words: in one transfer each way
    iface = task.interface(cfg)
    source = """
        mul   r1, $M, $N
        dld   t0, L[0], D[@x], 1, r1
        dwait t0
        dst   t1, D[@y], L[0], 1, r1
        dwait t1
    """
    dram = np.zeros(2 * cfg.sizes["M"] * cfg.sizes["N"], np.float32)
    stats = run(assemble(source, symbols(iface)), dram)
    bound = BACKEND.roofline(VLX, task.work(cfg))
    assert bound <= stats.cycles <= bound * 1.01


def test_the_mac_bound_is_the_multiplier_peak() -> None:
    work = load_task("gemm").work(load_task("gemm").config("C5"))
    assert BACKEND.roofline(VLX, work) == work.macs / 16
