"""AMDGCN emulator semantics on kernels compiled by the real clang-19, checked against NumPy
bit for bit where the instructions are exact (integer, IEEE add / mul / fma / div / sqrt,
conversions, cross-lane moves, LDS, atomics, MFMA in fp32)."""

from __future__ import annotations

import numpy as np

from isa.amd.numerics import fma32
from tests.isa.amd.conftest import compile_kernel, run

RNG = np.random.default_rng(1)


def test_float_arithmetic_is_ieee_exact() -> None:
    code = compile_kernel(
        """extern "C" __global__ void k(const float* a, const float* b, float* o) {
  int i = threadIdx.x;
  float x = a[i], y = b[i];
  o[4 * i] = x / y;
  o[4 * i + 1] = sqrtf(fabsf(x));
  o[4 * i + 2] = fmaf(x, y, 0.5f);
  o[4 * i + 3] = x * y + x;
}""",
        "k",
    )
    a = RNG.normal(size=64).astype(np.float32) * 100
    b = RNG.normal(size=64).astype(np.float32)
    out = run(code, [a, b, np.zeros(256, np.float32)]).outputs["arg2"].reshape(64, 4)
    np.testing.assert_array_equal(out[:, 0], a / b)
    np.testing.assert_array_equal(out[:, 1], np.sqrt(np.abs(a)))
    np.testing.assert_array_equal(out[:, 2], fma32(a, b, np.full(64, 0.5, np.float32)))
    assert np.max(np.abs(out[:, 3] - (a * b + a))) <= 1e-4 * np.max(np.abs(a * b + a))


def test_fma_rounds_once() -> None:
    # 1 + 2^-24 squared: a rounding of the product first would lose the 2^-48 term.
    a = np.array([1 + 2.0**-23], np.float32)
    c = np.array([-1.0], np.float32)
    exact = np.float64(a[0]) * np.float64(a[0]) - 1.0
    assert fma32(a, a, c)[0] == np.float32(exact)


def test_integer_and_conversion_ops() -> None:
    code = compile_kernel(
        """extern "C" __global__ void k(const int* a, const int* b, int* o, float* f) {
  int i = threadIdx.x;
  int x = a[i], y = b[i];
  o[6 * i] = x * y;
  o[6 * i + 1] = (int)(((long long)x * y) >> 32);
  o[6 * i + 2] = y != 0 ? x / y : 0;
  o[6 * i + 3] = x >> (y & 31);
  o[6 * i + 4] = (unsigned)x % 7u;
  o[6 * i + 5] = __builtin_popcount(x) + __builtin_clz(x | 1);
  f[2 * i] = (float)x;
  f[2 * i + 1] = (float)(unsigned)y;
}""",
        "k",
    )
    a = RNG.integers(-(2**31), 2**31 - 1, 64).astype(np.int32)
    b = RNG.integers(-1000, 1000, 64).astype(np.int32)
    res = run(code, [a, b, np.zeros(384, np.int32), np.zeros(128, np.float32)]).outputs
    o = res["arg2"].reshape(64, 6).astype(np.int64)
    x, y = a.astype(np.int64), b.astype(np.int64)
    np.testing.assert_array_equal(o[:, 0], ((x * y + 2**31) % 2**32) - 2**31)
    np.testing.assert_array_equal(o[:, 1], (x * y) >> 32)
    q = np.where(y != 0, np.trunc(x / np.where(y == 0, 1, y)), 0).astype(np.int64)
    np.testing.assert_array_equal(o[:, 2], q)
    np.testing.assert_array_equal(o[:, 3], x >> (y & 31))
    np.testing.assert_array_equal(o[:, 4], (x % 2**32) % 7)
    pop = np.array([bin(int(v) % 2**32).count("1") for v in x])
    clz = np.array([32 - (int(v) % 2**32 | 1).bit_length() for v in x])
    np.testing.assert_array_equal(o[:, 5], pop + clz)
    f = res["arg3"].reshape(64, 2)
    np.testing.assert_array_equal(f[:, 0], a.astype(np.float32))
    np.testing.assert_array_equal(f[:, 1], (b.astype(np.int64) % 2**32).astype(np.float32))


def test_shuffles_on_64_lanes() -> None:
    code = compile_kernel(
        """extern "C" __global__ void k(const float* a, float* o) {
  int i = threadIdx.x;
  float v = a[i], s = v;
  for (int d = 32; d; d >>= 1) s += __shfl_xor(s, d);
  o[4 * i] = s;
  o[4 * i + 1] = __shfl_down(v, 3);
  o[4 * i + 2] = __shfl_xor(v, 5);
  o[4 * i + 3] = __shfl(v, 63 - i);
}""",
        "k",
    )
    a = np.arange(64, dtype=np.float32)
    out = run(code, [a, np.zeros(256, np.float32)]).outputs["arg1"].reshape(64, 4)
    lanes = np.arange(64)
    assert (out[:, 0] == a.sum()).all()
    np.testing.assert_array_equal(
        out[:, 1], np.where(lanes + 3 < 64, a[np.minimum(lanes + 3, 63)], a)
    )
    np.testing.assert_array_equal(out[:, 2], a[lanes ^ 5])
    np.testing.assert_array_equal(out[:, 3], a[63 - lanes])


def test_divergence_lds_and_barriers() -> None:
    code = compile_kernel(
        """extern "C" __global__ void k(const float* a, float* o, int n) {
  __shared__ float s[256];
  int t = threadIdx.x;
  float v = a[blockIdx.x * 256 + t];
  if (t % 3 == 0) v = v * 2.0f; else if (t % 3 == 1) v = -v;
  s[t] = v;
  __syncthreads();
  float4 q = reinterpret_cast<float4*>(s)[t / 4];
  o[blockIdx.x * 256 + t] = q.x + q.y + q.z + q.w + s[255 - t];
}""",
        "k",
    )
    a = RNG.normal(size=512).astype(np.float32)
    out = run(code, [a, np.zeros(512, np.float32), 512], grid=(2, 1, 1), block=(256, 1, 1))
    t = np.arange(256)
    ref = []
    for g in range(2):
        v = a[g * 256 : (g + 1) * 256].copy()
        v = np.where(t % 3 == 0, v * 2, np.where(t % 3 == 1, -v, v)).astype(np.float32)
        quads = v.reshape(64, 4)[t // 4]
        s = ((quads[:, 0] + quads[:, 1]) + quads[:, 2]) + quads[:, 3]
        ref.append((s + v[255 - t]).astype(np.float32))
    np.testing.assert_allclose(out.outputs["arg1"], np.concatenate(ref), rtol=1e-6)
    assert out.result.counters["barrier"] == 8  # 4 waves x 2 workgroups
    assert not out.result.findings


def test_atomics_with_conflicting_lanes() -> None:
    code = compile_kernel(
        """extern "C" __global__ void k(int* hist, float* total, const int* keys, int* slots) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  slots[i] = atomicAdd(&hist[keys[i]], 1);
  atomicAdd(total, 0.5f);
  atomicMax(&hist[8], keys[i]);
}""",
        "k",
    )
    keys = RNG.integers(0, 8, 256).astype(np.int32)
    res = run(
        code,
        [np.zeros(9, np.int32), np.zeros(1, np.float32), keys, np.zeros(256, np.int32)],
        grid=(2, 1, 1),
        block=(128, 1, 1),
    ).outputs
    np.testing.assert_array_equal(res["arg0"][:8], np.bincount(keys, minlength=8))
    assert res["arg0"][8] == keys.max()
    assert res["arg1"][0] == 128.0
    for key in range(8):  # every lane got a distinct old value
        got = np.sort(res["arg3"][keys == key])
        np.testing.assert_array_equal(got, np.arange(len(got)))


def test_mfma_f32_32x32x2_layout() -> None:
    code = compile_kernel(
        """typedef float f32x16 __attribute__((ext_vector_type(16)));
extern "C" __global__ void k(const float* a, const float* b, float* c) {
  int l = threadIdx.x;
  f32x16 acc = {};
  for (int p = 0; p < 8; p += 2)
    acc = __builtin_amdgcn_mfma_f32_32x32x2f32(a[(l % 32) * 8 + p + l / 32],
                                                b[(p + l / 32) * 32 + l % 32], acc, 0, 0, 0);
  for (int i = 0; i < 16; ++i) c[(8 * (i / 4) + 4 * (l / 32) + i % 4) * 32 + l % 32] = acc[i];
}""",
        "k",
    )
    a = RNG.integers(-4, 4, (32, 8)).astype(np.float32)
    b = RNG.integers(-4, 4, (8, 32)).astype(np.float32)
    out = run(code, [a, b, np.zeros((32, 32), np.float32)])
    np.testing.assert_array_equal(out.outputs["arg2"], a @ b)
    assert out.result.counters["mfma"] == 4


def test_mfma_f16_16x16x16_layout() -> None:
    code = compile_kernel(
        """typedef _Float16 f16x4 __attribute__((ext_vector_type(4)));
typedef float f32x4 __attribute__((ext_vector_type(4)));
extern "C" __global__ void k(const float* a, const float* b, float* c) {
  int l = threadIdx.x;
  f16x4 av, bv;
  for (int j = 0; j < 4; ++j) {
    av[j] = (_Float16)a[(l % 16) * 16 + 4 * (l / 16) + j];
    bv[j] = (_Float16)b[(4 * (l / 16) + j) * 16 + l % 16];
  }
  f32x4 acc = {};
  acc = __builtin_amdgcn_mfma_f32_16x16x16f16(av, bv, acc, 0, 0, 0);
  for (int i = 0; i < 4; ++i) c[(4 * (l / 16) + i) * 16 + l % 16] = acc[i];
}""",
        "k",
    )
    a = RNG.integers(-8, 8, (16, 16)).astype(np.float32)
    b = RNG.integers(-8, 8, (16, 16)).astype(np.float32)
    out = run(code, [a, b, np.zeros((16, 16), np.float32)])
    np.testing.assert_array_equal(out.outputs["arg2"], a @ b)


def test_half_and_bfloat16_conversions() -> None:
    code = compile_kernel(
        """extern "C" __global__ void k(const float* a, float* o) {
  int i = threadIdx.x;
  o[2 * i] = __half2float(__float2half(a[i]));
  o[2 * i + 1] = __bfloat162float(__float2bfloat16(a[i]));
}""",
        "k",
    )
    a = RNG.normal(size=64).astype(np.float32) * 1000
    out = run(code, [a, np.zeros(128, np.float32)]).outputs["arg1"].reshape(64, 2)
    np.testing.assert_array_equal(out[:, 0], a.astype(np.float16).astype(np.float32))
    u = a.view(np.uint32).astype(np.uint64)
    bf = (((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16).astype(np.uint32).view(np.float32)
    np.testing.assert_array_equal(out[:, 1], bf)


def test_dpp_row_shift_and_swizzle() -> None:
    code = compile_kernel(
        """extern "C" __global__ void k(const int* a, int* o) {
  int i = threadIdx.x;
  int v = a[i];
  o[2 * i] = __builtin_amdgcn_update_dpp(-1, v, 0x111, 0xf, 0xf, false);  // row_shr:1
  o[2 * i + 1] = __builtin_amdgcn_ds_swizzle(v, 0x041f);  // xor lane with 1 (bitmask mode)
}""",
        "k",
    )
    a = np.arange(100, 164, dtype=np.int32)
    out = run(code, [a, np.zeros(128, np.int32)]).outputs["arg1"].reshape(64, 2)
    lanes = np.arange(64)
    np.testing.assert_array_equal(out[:, 0], np.where(lanes % 16 == 0, -1, a[lanes - 1]))
    np.testing.assert_array_equal(out[:, 1], a[lanes ^ 1])
