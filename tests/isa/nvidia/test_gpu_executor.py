"""The gpu executor: the stopping rule and statistics of the timing harness (no GPU needed),
and, behind the `gpu` marker, real runs of the oracles on a CUDA device."""

from __future__ import annotations

import pytest

from eval.validate import verify
from isa.base import Target
from isa.nvidia.backend import gpu_available
from isa.nvidia.gpu import TimingPolicy, should_stop, summarize
from tasks import load_task

POLICY = TimingPolicy(min_iterations=10, max_iterations=100, target_rse=0.01, budget_s=1.0)


def test_summary_reports_median_spread_and_standard_error() -> None:
    stats = summarize([10.0, 11.0, 9.0, 10.0, 30.0])
    assert stats["median_us"] == 10.0
    assert (stats["min_us"], stats["max_us"], stats["iterations"]) == (9.0, 30.0, 5)
    assert stats["q1_us"] <= stats["median_us"] <= stats["q3_us"]
    assert stats["rse"] == pytest.approx(0.2866, abs=1e-3)  # stdev 8.94 / sqrt(5) / mean 14


def test_timing_stops_on_a_small_standard_error_not_before_the_minimum() -> None:
    steady = [10.0] * 9
    assert not should_stop(steady, 0.1, POLICY)
    assert should_stop([*steady, 10.0], 0.1, POLICY)


def test_timing_goes_on_while_noisy_until_the_budget_or_the_cap() -> None:
    noisy = [1.0, 100.0] * 10
    assert not should_stop(noisy, 0.5, POLICY)
    assert should_stop(noisy, 1.5, POLICY)
    assert should_stop([1.0, 100.0] * 50, 0.1, POLICY)


@pytest.mark.gpu
@pytest.mark.skipif(not gpu_available(), reason="needs a CUDA device and CuPy")
@pytest.mark.parametrize("target", ["cuda:sm_90", "triton:sm_90"])
@pytest.mark.parametrize("task_id", ["silu", "softmax", "gemm"])
def test_oracles_are_valid_on_a_real_gpu(task_id: str, target: str) -> None:
    task = load_task(task_id)
    t = Target.parse(target)
    suffix = ".cu" if t.family == "cuda" else ".py"
    verdict = verify(task, t, task.oracle(t.family, suffix) or "", hidden=True, executor="gpu")
    assert verdict.valid, verdict.reason
    timing = verdict.configs[0].counters["timing"]
    assert timing["iterations"] >= 2 and timing["median_us"] > 0
