"""More CUDA features compiled by nvcc: intrinsics, warp votes, integer division, local
arrays, CAS loops, half / bfloat16, double math, fast math. Skipped without nvcc."""

from __future__ import annotations

import math

import numpy as np

from isa.nvidia.ptx import DeviceMemory, launch
from isa.nvidia.ptx.numerics import bf16_to_f32, f32_to_bf16
from tests.isa.nvidia.ptx.conftest import nvcc_ptx


def test_intrinsics_votes_and_integer_division() -> None:
    m = nvcc_ptx("features.cu")
    mem = DeviceMemory()
    x = np.random.default_rng(0).integers(1, 2**32, 64, dtype=np.uint64).astype(np.uint32)
    x[5] = 7
    px, out = mem.alloc_array(x), mem.alloc(4 * 8 * 64)
    r = launch(m, "intrinsics", (1, 1, 1), (64, 1, 1), [px, out], mem)
    got = mem.read(out, np.uint32, (64, 8)).astype(np.int64)
    xs = [int(v) for v in x]
    np.testing.assert_array_equal(got[:, 0], [bin(v).count("1") for v in xs])
    np.testing.assert_array_equal(got[:, 1], [32 - v.bit_length() for v in xs])
    np.testing.assert_array_equal(got[:, 2], [int(f"{v:032b}"[::-1], 2) for v in xs])
    for w in range(2):
        lanes = xs[32 * w : 32 * w + 32]
        ballot = sum((v & 1) << i for i, v in enumerate(lanes))
        assert set(got[32 * w : 32 * w + 32, 3]) == {ballot}
        vote = int(any(v == 7 for v in lanes)) + 2 * int(all(v != 0 for v in lanes))
        assert set(got[32 * w : 32 * w + 32, 4]) == {vote}
    np.testing.assert_array_equal(got[:, 5], [v // 7 + v % 13 for v in xs])
    signed = [v - 2**32 if v >= 2**31 else v for v in xs]
    np.testing.assert_array_equal(got[:, 6], [int(s / -5) % 2**32 for s in signed])
    assert set(got[:, 7]) == {sum(1 for v in xs if v & 2)}
    assert r.counters.barriers == 1


def test_local_array_with_dynamic_index() -> None:
    m = nvcc_ptx("features.cu")
    mem = DeviceMemory()
    idx = np.random.default_rng(1).integers(0, 100, 64).astype(np.int32)
    pi, out = mem.alloc_array(idx), mem.alloc(4 * 64)
    launch(m, "local_array", (1, 1, 1), (64, 1, 1), [pi, out], mem)
    np.testing.assert_array_equal(mem.read(out, np.int32, (64,)), np.arange(64) * (idx & 15))


def test_atomic_cas_loop() -> None:
    m = nvcc_ptx("features.cu")
    mem = DeviceMemory()
    x = np.random.default_rng(2).standard_normal(300).astype(np.float32)
    px, pm = mem.alloc_array(x), mem.alloc_array(np.array([-np.inf], np.float32))
    launch(m, "cas_max", (3, 1, 1), (128, 1, 1), [px, pm, 300], mem)
    assert mem.read(pm, np.float32, (1,))[0] == x.max()


def test_half2_and_bfloat16_arithmetic() -> None:
    m = nvcc_ptx("features.cu")
    mem = DeviceMemory()
    rng = np.random.default_rng(3)
    a = rng.standard_normal(64).astype(np.float16)
    b = f32_to_bf16(rng.standard_normal(32).astype(np.float32))
    pa, pb, out = mem.alloc_array(a), mem.alloc_array(b), mem.alloc(4 * 96)
    launch(m, "halves", (1, 1, 1), (32, 1, 1), [pa, pb, out], mem)
    got = mem.read(out, np.float32, (32, 3))
    h = a.reshape(32, 2)
    s = (h * h).astype(np.float16) + h
    np.testing.assert_array_equal(got[:, :2], s.astype(np.float32))
    bf = bf16_to_f32(b)
    np.testing.assert_array_equal(got[:, 2], bf16_to_f32(f32_to_bf16(bf * bf)))


def test_double_precision_math() -> None:
    m = nvcc_ptx("features.cu")
    mem = DeviceMemory()
    x = np.linspace(0.1, 20.0, 32)
    px, out = mem.alloc_array(x), mem.alloc(8 * 128)
    launch(m, "doubles", (1, 1, 1), (32, 1, 1), [px, out], mem)
    got = mem.read(out, np.float64, (32, 4))
    np.testing.assert_allclose(got[:, 0], np.exp(x), rtol=1e-15)
    np.testing.assert_allclose(got[:, 1], np.log(x), rtol=1e-15)
    np.testing.assert_allclose(got[:, 2], np.sqrt(x) / (x + 1), rtol=1e-15)
    np.testing.assert_array_equal(got[:, 3], np.trunc(x * 1e6))


def test_fast_and_libdevice_float_math() -> None:
    m = nvcc_ptx("features.cu")
    mem = DeviceMemory()
    x = np.linspace(-0.5, 3.0, 32).astype(np.float32)
    px, out = mem.alloc_array(x), mem.alloc(4 * 128)
    launch(m, "fast_math", (1, 1, 1), (32, 1, 1), [px, out], mem)
    got = mem.read(out, np.float32, (32, 4)).astype(np.float64)
    xd = x.astype(np.float64)
    np.testing.assert_allclose(got[:, 0], np.exp(xd), rtol=1e-5)
    np.testing.assert_allclose(got[:, 1], xd / 3, rtol=1e-6)
    np.testing.assert_array_equal(got[:, 2], np.clip(xd, 0, 1))
    erf = np.array([math.erf(v) for v in xd])
    with np.errstate(invalid="ignore"):
        exp = erf + np.log1p(xd) + np.power(xd, 1.5)
    np.testing.assert_allclose(got[:, 3], exp, rtol=1e-5, equal_nan=True)


def test_constant_and_device_variables_with_initialisers() -> None:
    m = nvcc_ptx("features.cu")
    mem = DeviceMemory()
    out = mem.alloc(4 * 64)
    launch(m, "globals", (1, 1, 1), (64, 1, 1), [out], mem)
    np.testing.assert_array_equal(mem.read(out, np.float32, (64,)), np.tile([16, 26, 36, 46], 16))
    counter = next(a for a in mem.allocations if a.name.endswith("counter"))
    assert mem.read(counter.addr, np.int32, (1,))[0] == 5 + 64
    launch(m, "globals", (1, 1, 1), (64, 1, 1), [out], mem)  # the variable persists
    assert mem.read(counter.addr, np.int32, (1,))[0] == 5 + 128
