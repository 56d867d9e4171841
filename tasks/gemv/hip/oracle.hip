// gemv for AMD: one wave (64 lanes) per row of a, coalesced loads along the row, the dot
// product reduced across the wave by __shfl_down; 4 rows per 256-thread block.
//@ [[launch]]
//@ kernel = "gemv_wave"
//@ grid = ["cdiv(M, 4)"]
//@ block = [256]
//@ args = ["a", "x", "y", "M", "K"]

#include <hip/hip_runtime.h>

extern "C" __global__ void gemv_wave(const float* __restrict__ a, const float* __restrict__ x,
                                     float* __restrict__ y, int m, int k) {
  int row = blockIdx.x * 4 + (threadIdx.x >> 6);
  int lane = threadIdx.x & 63;
  if (row >= m) return;
  const float* ar = a + (long long)row * k;
  float acc = 0.0f;
  for (int j = lane; j < k; j += 64) acc += ar[j] * x[j];
  for (int o = 32; o > 0; o >>= 1) acc += __shfl_down(acc, o);
  if (lane == 0) y[row] = acc;
}
