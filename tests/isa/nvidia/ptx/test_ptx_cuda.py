"""Real CUDA kernels compiled by nvcc -O3 -lineinfo, run in the emulator, checked against
NumPy; planted bugs must be reported with their source line. Skipped without nvcc."""

from __future__ import annotations

import numpy as np
import pytest

from isa.nvidia.ptx import DeviceMemory, PtxFault, Resources, estimate_time, launch
from tests.isa.nvidia.ptx.conftest import nvcc_ptx


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_vector_add_is_exact_and_coalesced() -> None:
    m = nvcc_ptx("basics.cu")
    mem = DeviceMemory()
    n = 1000
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    ax, ay, az = mem.alloc_array(x, "x"), mem.alloc_array(y, "y"), mem.alloc(4 * n, "z")
    r = launch(m, "vadd", (4, 1, 1), (256, 1, 1), [ax, ay, az, n], mem)
    np.testing.assert_array_equal(mem.read(az, np.float32, (n,)), x + y)
    # 1000 floats are 125 sectors per array: perfectly coalesced
    assert r.counters.global_load_sectors == 250
    assert r.counters.global_store_sectors == 125
    assert r.findings == []


@pytest.mark.parametrize("size", [(64, 48, 80), (33, 17, 20)])
def test_tiled_matmul_matches_numpy(size: tuple[int, int, int]) -> None:
    m = nvcc_ptx("basics.cu")
    mem = DeviceMemory()
    M, N, K = size
    rng = np.random.default_rng(1)
    A = rng.standard_normal((M, K)).astype(np.float32)
    B = rng.standard_normal((K, N)).astype(np.float32)
    aa, ab, ac = mem.alloc_array(A), mem.alloc_array(B), mem.alloc(4 * M * N)
    grid = (-(-N // 16), -(-M // 16), 1)
    r = launch(m, "matmul_tiled", grid, (16, 16, 1), [aa, ab, ac, M, N, K], mem)
    C = mem.read(ac, np.float32, (M, N))
    np.testing.assert_allclose(C, A.astype(np.float64) @ B, rtol=1e-5, atol=1e-5)
    assert r.findings == []
    assert r.counters.barriers == 2 * (-(-K // 16)) * grid[0] * grid[1]


def test_softmax_with_shuffles_and_dynamic_shared_memory() -> None:
    m = nvcc_ptx("basics.cu")
    mem = DeviceMemory()
    x = np.random.default_rng(2).standard_normal((5, 777)).astype(np.float32)
    ax, ay = mem.alloc_array(x), mem.alloc(x.nbytes)
    r = launch(
        m, "softmax_rows", (5, 1, 1), (256, 1, 1), [ax, ay, 777], mem, dynamic_shared_bytes=32 * 4
    )
    np.testing.assert_allclose(mem.read(ay, np.float32, x.shape), _softmax(x), rtol=1e-5, atol=1e-7)
    assert r.findings == []
    assert r.counters.warp_instructions["warp"] > 0


def test_tree_reduction_has_no_race() -> None:
    m = nvcc_ptx("basics.cu")
    mem = DeviceMemory()
    x = np.random.default_rng(3).standard_normal(1000).astype(np.float32)
    ax, out = mem.alloc_array(x), mem.alloc(16)
    r = launch(m, "block_sum", (4, 1, 1), (256, 1, 1), [ax, out, 1000], mem)
    sums = mem.read(out, np.float32, (4,))
    np.testing.assert_allclose(sums, np.pad(x, (0, 24)).reshape(4, 256).sum(axis=1), rtol=1e-5)
    assert r.findings == []


def test_data_dependent_loops_and_early_exit() -> None:
    m = nvcc_ptx("basics.cu")
    mem = DeviceMemory()
    x = np.arange(1, 101, dtype=np.int32)
    ax, out = mem.alloc_array(x), mem.alloc(400)

    def steps(v: int) -> int:
        c = 0
        while v != 1:
            v = 3 * v + 1 if v & 1 else v // 2
            c += 1
        return c

    launch(m, "collatz", (1, 1, 1), (128, 1, 1), [ax, out, 100], mem)
    np.testing.assert_array_equal(mem.read(out, np.int32, (100,)), [steps(int(v)) for v in x])


def test_doubles_halves_atomics_and_math() -> None:
    m = nvcc_ptx("basics.cu")
    mem = DeviceMemory()
    a = np.linspace(0.5, 3.0, 64)
    pa = mem.alloc_array(a)
    h = mem.alloc(128)
    cnt = mem.alloc_array(np.zeros(1, np.int32))
    f = mem.alloc_array(np.zeros(65, np.float32))
    r = launch(m, "misc", (1, 1, 1), (64, 1, 1), [pa, h, cnt, f], mem)
    af = a.astype(np.float32)
    np.testing.assert_array_equal(mem.read(h, np.float16, (64,)), af.astype(np.float16))
    assert mem.read(cnt, np.int32, (1,))[0] == 64
    exp = (
        1 / np.sqrt(af)
        + np.sin(af)
        + np.tanh(af)
        + np.sqrt(a).astype(np.float32)
        + (a / 3).astype(np.float32)
    )
    got = mem.read(f, np.float32, (65,))
    np.testing.assert_allclose(got[1:], exp, rtol=2e-6)
    assert r.counters.atomics == 128


def test_out_of_bounds_store_is_a_fault_with_the_source_line() -> None:
    m = nvcc_ptx("planted.cu")
    mem = DeviceMemory()
    y = mem.alloc(4 * 1000, "y")
    with pytest.raises(PtxFault) as err:
        launch(m, "oob_store", (4, 1, 1), (256, 1, 1), [y, 1000], mem)
    f = err.value.findings[-1]
    assert f.kind == "oob-global"
    assert f.source == "planted.cu:4"
    assert f.block == (3, 0, 0) and f.thread == (232, 0, 0)  # the first thread past the end
    assert "past the end of 'y'" in f.message


def test_missing_syncthreads_is_a_race_with_the_source_line() -> None:
    m = nvcc_ptx("planted.cu")
    mem = DeviceMemory()
    x, y = mem.alloc_array(np.arange(512, dtype=np.float32)), mem.alloc(2048)
    r = launch(m, "missing_sync", (2, 1, 1), (256, 1, 1), [x, y], mem)
    assert [(f.kind, f.source) for f in r.findings] == [("race-raw", "planted.cu:12")]
    ok = launch(m, "reverse_ok", (2, 1, 1), (256, 1, 1), [x, y], mem)
    assert ok.findings == []
    np.testing.assert_array_equal(mem.read(y, np.float32, (256,)), np.arange(255, -1, -1))


def test_uninitialised_shared_read_names_the_source_line() -> None:
    m = nvcc_ptx("planted.cu")
    mem = DeviceMemory()
    y = mem.alloc(1024)
    r = launch(m, "uninit_shared", (1, 1, 1), (256, 1, 1), [y], mem)
    assert {f.kind for f in r.findings} == {"uninit-shared"}
    assert {f.source for f in r.findings} == {"planted.cu:20"}


def test_estimate_prefers_the_tiled_kernel_per_flop() -> None:
    m = nvcc_ptx("basics.cu")
    mem = DeviceMemory()
    M = 64
    A = np.ones((M, M), np.float32)
    aa, ab, ac = mem.alloc_array(A), mem.alloc_array(A), mem.alloc(4 * M * M)
    r = launch(m, "matmul_tiled", (4, 4, 1), (16, 16, 1), [aa, ab, ac, M, M, M], mem)
    est = estimate_time(r.counters, Resources(32, 2048, 256), (4, 4, 1))
    assert est.us > 2.5 and est.limiter in est.breakdown
    assert 0 < est.roofline_pct <= 100


def test_hot_lines_point_at_the_inner_loop() -> None:
    m = nvcc_ptx("basics.cu")
    mem = DeviceMemory()
    A = np.ones((32, 32), np.float32)
    aa, ab, ac = mem.alloc_array(A), mem.alloc_array(A), mem.alloc(4 * 32 * 32)
    r = launch(m, "matmul_tiled", (2, 2, 1), (16, 16, 1), [aa, ab, ac, 32, 32, 32], mem)
    line, count = r.counters.hot_lines(1)[0]
    assert line == "basics.cu:16"  # acc += As[threadIdx.y][k] * Bs[k][threadIdx.x]
    assert count > r.counters.total_warp_instructions / 3
    assert r.counters.to_json()["by_source"][line] == count
