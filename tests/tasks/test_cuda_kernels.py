"""Every task runs on the CUDA targets: naive, oracle and stub kernels, a launch plan that
evaluates on every config (the GPU ones too) within the hardware's launch limits, and GPU
sizes large enough that launch overhead does not dominate. The kernels themselves are run
by tests/isa/nvidia/test_cuda_suite.py."""

from __future__ import annotations

import pytest

from isa.base import Target
from isa.nvidia.plan import parse_plan
from isa.registry import backend_for
from tasks import all_tasks, load_task

ALL = sorted(all_tasks())
KERNELS = ("naive", "oracle", "stub")
STATIC_SHARED_LIMIT = 48 * 1024  # dynamic shared memory beyond this needs an opt-in


def test_every_task_has_cuda_kernels() -> None:
    missing = [t for t in ALL if load_task(t).unsupported_reason("cuda") is not None]
    assert not missing, f"no cuda kernels for {missing}"


@pytest.mark.parametrize("task_id", ALL)
def test_cuda_plans_fit_every_config(task_id: str) -> None:
    task = load_task(task_id)
    configs = task.configs_for("emu", hidden=True) + task.configs_for("gpu", hidden=True)
    for kind in KERNELS:
        source = (task.folder / "cuda" / f"{kind}.cu").read_text()
        for cfg in configs:
            plan = parse_plan(source, "//@", dict(cfg.sizes))
            for launch in plan.launches:
                where = f"{task_id} {kind} {cfg.name} {launch.kernel}"
                x, y, z = launch.grid
                assert 1 <= x < 2**31 and 1 <= y <= 65535 and 1 <= z <= 65535, where
                bx, by, bz = launch.block
                assert bx * by * bz <= 1024, where
                assert launch.shared <= STATIC_SHARED_LIMIT, where


@pytest.mark.parametrize("task_id", ALL)
def test_gpu_configs_outweigh_the_launch_overhead(task_id: str) -> None:
    task = load_task(task_id)
    gpu = task.configs_for("gpu", hidden=True)
    assert len(gpu) >= 5 and any(c.hidden for c in gpu), "needs [gpu.configs] and [gpu.hidden]"
    target = Target.parse("cuda:sm_90")
    backend = backend_for(target)
    floors = {c.name: backend.roofline(target, task.work(c), executor="gpu") for c in gpu}
    # on the fastest H100 the roofline floor alone is over half a launch (~2.5 us) for every
    # config, and at least twice a launch for most of them
    assert min(floors.values()) >= 1.5, floors
    assert sum(f >= 5.0 for f in floors.values()) >= len(floors) - 2, floors
