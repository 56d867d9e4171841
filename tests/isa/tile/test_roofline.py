"""No valid kernel may report fewer cycles than the roofline bound: checked on every config
(hidden ones too) for the template and oracle kernels of every task, which must also be
correct there, and on kernels built to be as fast as the machine allows."""

from __future__ import annotations

import numpy as np
import pytest

from agents.template import template_source
from eval.compare import compare
from isa.accel.tile.assembler import assemble
from isa.accel.tile.backend import TileBackend, symbols
from isa.accel.tile.simulator import run
from isa.base import Target
from tasks import all_tasks, load_task

TILE = Target("tile")
BACKEND = TileBackend()


@pytest.mark.parametrize("task_id", sorted(all_tasks()))
@pytest.mark.parametrize("which", ["template", "oracle"])
def test_correct_and_never_below_the_roofline(task_id: str, which: str) -> None:
    task = load_task(task_id)
    source = (
        template_source(task_id, "tile") if which == "template" else task.oracle("tile", ".tasm")
    )
    assert source is not None
    tolerance = task.tolerance(BACKEND.precision)
    for cfg in task.visible_configs + task.hidden_configs:
        iface = task.interface(cfg)
        inputs = task.make_inputs(cfg, np.random.default_rng(0))
        result = BACKEND.execute(TILE, BACKEND.build(TILE, source, iface), iface, inputs)
        bound = BACKEND.roofline(TILE, task.work(cfg))
        assert result.measure >= bound, f"{task_id} {cfg.name}: {result.measure} < {bound}"
        for name, expected in task.reference(inputs, cfg).items():
            verdict = compare(name, result.outputs[name], expected, tolerance)
            assert verdict.passed, f"{task_id} {cfg.name}: {verdict.describe()}"


def test_a_pure_copy_cannot_beat_the_bandwidth_bound() -> None:
    # One contiguous load and one store: the least DMA any kernel of this size can do.
    task = load_task("silu")
    cfg = task.config("C4")  # 256 x 256: the whole tensor fits the scratchpad
    iface = task.interface(cfg)
    source = """
        mul   r1, $M, $N
        dld   t0, S[0, r1], D[@x, r1], 1, r1
        dwait t0
        dst   t1, D[@y, r1], S[0, r1], 1, r1
        dwait t1
    """
    program = assemble(source, symbols(iface))
    dram = np.zeros(2 * cfg.sizes["M"] * cfg.sizes["N"], np.float32)
    stats = run(program, dram)
    assert stats.cycles >= BACKEND.roofline(TILE, task.work(cfg))
