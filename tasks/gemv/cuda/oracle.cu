// gemv: one warp per row, lanes stride over the row (coalesced), shuffle reduction.
//@ [[launch]]
//@ kernel = "gemv_warp"
//@ grid = ["cdiv(M, 8)"]
//@ block = [256]
//@ args = ["a", "x", "y", "M", "K"]

extern "C" __global__ void gemv_warp(const float* __restrict__ a, const float* __restrict__ x,
                                     float* __restrict__ y, int m, int k) {
  int row = blockIdx.x * 8 + (threadIdx.x >> 5);
  int lane = threadIdx.x & 31;
  if (row >= m) return;
  const float* ar = a + (long long)row * k;
  float acc = 0.0f;
  for (int j = lane; j < k; j += 32) acc = fmaf(ar[j], x[j], acc);
  for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
  if (lane == 0) y[row] = acc;
}
