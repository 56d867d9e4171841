"""Patterns of public CUDA and Triton kernels that once broke the emulator (issue 12): a
device assert, printf, warpSize, threads that return before a barrier, spin locks contended
by several blocks (CUDA, and Triton's layer-norm backward), and calls it cannot run."""

from __future__ import annotations

import re

import numpy as np
import pytest

from isa.nvidia.ptx import (
    DeviceMemory,
    EmuLimits,
    LaunchResult,
    PtxError,
    PtxFault,
    launch,
    load_module,
)
from tests.isa.nvidia.ptx.conftest import _nvcc_text, nvcc_ptx, ptx_kernel, run_ptx


def _run(
    name: str,
    grid: int,
    block: int,
    inputs: list[np.ndarray],
    outputs: list[tuple[type, int]],
    scalars: tuple[int, ...] = (),
    limits: EmuLimits | None = None,
) -> tuple[list[np.ndarray], LaunchResult]:
    module = nvcc_ptx("patterns.cu", "sm_80")
    mem = DeviceMemory()
    ins = [mem.alloc_array(np.ascontiguousarray(a)) for a in inputs]
    outs = [mem.alloc(np.dtype(dt).itemsize * count) for dt, count in outputs]
    result = launch(
        module, name, (grid, 1, 1), (block, 1, 1), [*ins, *outs, *scalars], mem, limits=limits
    )
    got = [mem.read(o, dt, (count,)) for o, (dt, count) in zip(outs, outputs, strict=True)]
    return got, result


def test_device_assert_passes_and_fails_with_its_message_and_line() -> None:
    x = np.arange(64, dtype=np.float32)
    (y,), _ = _run("checked_double", 1, 64, [x], [(np.float32, 64)], (64,))
    np.testing.assert_array_equal(y, 2 * x)
    x[[5, 40]] = -1.0
    with pytest.raises(PtxFault) as err:
        _run("checked_double", 1, 64, [x], [(np.float32, 64)], (64,))
    finding = err.value.findings[-1]
    assert finding.kind == "assert"
    assert "assertion `x[i] >= 0.0f` failed in void checked_double(" in finding.message
    assert "(2 threads failed it)" in finding.message
    assert finding.source == "patterns.cu:10" and finding.thread == (5, 0, 0)


def test_assert_without_line_info_takes_the_line_from_the_assert() -> None:
    text = "\n".join(
        line
        for line in _nvcc_text("patterns.cu", "sm_80").splitlines()
        if not re.match(r"\s*\.loc\s", line)
    )
    module = load_module(text)
    mem = DeviceMemory()
    x = mem.alloc_array(np.full(32, -1.0, np.float32))
    y = mem.alloc(128)
    with pytest.raises(PtxFault) as err:
        launch(module, "checked_double", (1, 1, 1), (32, 1, 1), [x, y, 32], mem)
    assert err.value.findings[-1].source == "patterns.cu:10"


def test_printf_output_is_captured_in_thread_order_and_capped() -> None:
    x = np.array([0.5, 1.25, -2.0, 7.0], dtype=np.float32)
    (y,), result = _run("chatty_copy", 2, 32, [x], [(np.float32, 4)], (4,))
    np.testing.assert_array_equal(y, x)
    assert result.printed == (
        "thread 0: x=0.50 n=4 ok\nthread 1: x=1.25 n=4 ok\nthread 2: x=-2.00 n=4 ok\n"
    )
    _, capped = _run(
        "chatty_copy", 1, 32, [x], [(np.float32, 4)], (4,), EmuLimits(max_printf_bytes=30)
    )
    assert capped.printed == "thread 0: x=0.50 n=4 ok\nthread"
    assert capped.printed_dropped == 1


def test_warp_size_is_32() -> None:
    (y,), _ = _run("warp_size", 2, 64, [], [(np.int32, 128)])
    np.testing.assert_array_equal(y, 32 + np.arange(128) % 32)


def test_threads_that_return_before_a_barrier_no_longer_take_part() -> None:
    n = 100  # the second block of 64 has 36 threads in range; 28 return early
    x = np.arange(128, dtype=np.float32)
    (y,), result = _run("reverse_in_block", 2, 64, [x[:n]], [(np.float32, n)], (n,))
    np.testing.assert_array_equal(y[:64], x[:64][::-1])
    np.testing.assert_array_equal(y[64:], x[64:n][::-1])
    assert result.findings == []
    notes = result.notes
    assert len(notes) == 1 and "returned before this bar.sync" in notes[0]
    assert result.counters.barriers == 2


def test_a_barrier_that_live_threads_skip_is_still_rejected() -> None:
    with pytest.raises(PtxFault, match="only part of the block") as err:
        _run("skipped_barrier", 1, 64, [], [(np.float32, 64)])
    assert err.value.findings[-1].kind == "barrier-divergence"


def test_early_exit_in_hand_written_ptx_and_a_barrier_reduction() -> None:
    # threads >= 40 exit; the other 24 of warp 1 and all of warp 0 meet at bar.red.popc
    body = """
    setp.ge.u32 %p1, %r1, 40;
    @%p1 bra $OUT;
    setp.lt.u32 %p2, %r1, 10;
    bar.red.popc.u32 %r2, 0, %p2;
    add.s64 %rd5, %rd1, %rd3;
    st.global.u32 [%rd5], %r2;
$OUT:
"""
    out, result = run_ptx(ptx_kernel(body, params=1), [], (np.uint32, 64), threads=64)
    np.testing.assert_array_equal(out[:40], 10)
    assert result.notes and result.findings == []


@pytest.mark.parametrize("blocks", [2, 8])
def test_blocks_contending_for_a_spin_lock_all_finish(blocks: int) -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(-8, 8, size=blocks * 128).astype(np.float32)  # sums are exact
    module = nvcc_ptx("patterns.cu", "sm_80")
    mem = DeviceMemory()
    px = mem.alloc_array(x)
    ptotal = mem.alloc_array(np.zeros(1, np.float32))
    plock = mem.alloc_array(np.zeros(1, np.int32))  # free
    porder = mem.alloc_array(np.zeros(blocks + 1, np.int32))
    launch(module, "locked_sum", (blocks, 1, 1), (128, 1, 1), [px, ptotal, plock, porder], mem)
    total = mem.read(ptotal, np.float32, (1,))
    lock = mem.read(plock, np.int32, (1,))
    order = mem.read(porder, np.int32, (blocks + 1,))
    assert total[0] == x.sum()
    assert lock[0] == 0
    assert order[0] == blocks and sorted(order[1:]) == list(range(blocks))


def test_a_device_function_call_is_named() -> None:
    with pytest.raises(PtxError, match="calls the device function '_Z6triplef'"):
        nvcc_ptx("noinline_call.cu", "sm_80")
