// linear_relu for AMD: matrix cores in fp32, bias and relu fused into the store. One wave computes
// a 32x32 tile of c with v_mfma_f32_32x32x2f32, two steps of k per instruction; lanes hold
// a[row = lane % 32][k = lane / 32] and b[k = lane / 32][col = lane % 32]; accumulator
// register r of a lane is c[8 * (r / 4) + 4 * (lane / 32) + r % 4][lane % 32].
//@ [[launch]]
//@ kernel = "linear_relu_mfma"
//@ grid = ["cdiv(N, 32)", "cdiv(M, 32)"]
//@ block = [64]
//@ args = ["x", "w", "b", "y", "M", "N", "K"]

#include <hip/hip_runtime.h>

typedef float f32x16 __attribute__((ext_vector_type(16)));

extern "C" __global__ void linear_relu_mfma(const float* __restrict__ a, const float* __restrict__ b,
                                            const float* __restrict__ bias, float* __restrict__ c,
                                            int m, int n, int k) {
  int lane = threadIdx.x;
  int row0 = blockIdx.y * 32, col0 = blockIdx.x * 32;
  int r = row0 + (lane & 31), col = col0 + (lane & 31), kk = lane >> 5;
  f32x16 acc = {};
  // 8 MFMA steps per iteration: all 16 loads are issued before the first MFMA waits for
  // them, so one memory latency covers 16 values of k (instead of one wait per step).
  for (int p = 0; p < k; p += 16) {
    float av[8], bv[8];
#pragma unroll
    for (int u = 0; u < 8; ++u) {
      int q = p + 2 * u + kk;
      av[u] = (r < m && q < k) ? a[(long long)r * k + q] : 0.0f;
      bv[u] = (q < k && col < n) ? b[(long long)q * n + col] : 0.0f;
    }
#pragma unroll
    for (int u = 0; u < 8; ++u)
      acc = __builtin_amdgcn_mfma_f32_32x32x2f32(av[u], bv[u], acc, 0, 0, 0);
  }
  for (int i = 0; i < 16; ++i) {
    int row = row0 + 8 * (i / 4) + 4 * (lane >> 5) + (i % 4);
    if (row < m && col < n) c[(long long)row * n + col] = fmaxf(acc[i] + bias[col], 0.0f);
  }
}
