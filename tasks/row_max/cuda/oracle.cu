// row_max: one warp per row (eight rows per block); 16-byte loads when the row allows them
// (N a multiple of 4), coalesced strided loads otherwise, then a warp-shuffle reduction.
//@ [[launch]]
//@ kernel = "row_max_warp"
//@ grid = ["cdiv(M, 8)"]
//@ block = [256]
//@ args = ["x", "y", "M", "N"]

__device__ __forceinline__ float warp_reduce(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

extern "C" __global__ void row_max_warp(const float* __restrict__ x, float* __restrict__ y, int m,
                                      int n) {
  int row = blockIdx.x * 8 + (threadIdx.x >> 5);
  int lane = threadIdx.x & 31;
  if (row >= m) return;
  const float* xr = x + (long long)row * n;
  float acc = -INFINITY;
  if ((n & 3) == 0) {
    const float4* x4 = reinterpret_cast<const float4*>(xr);
    for (int j = lane; j < (n >> 2); j += 32) {
      float4 q = x4[j];
      float v = q.x;
      acc = fmaxf(acc, v);
      v = q.y;
      acc = fmaxf(acc, v);
      v = q.z;
      acc = fmaxf(acc, v);
      v = q.w;
      acc = fmaxf(acc, v);
    }
  } else {
    for (int j = lane; j < n; j += 32) {
      float v = xr[j];
      acc = fmaxf(acc, v);
    }
  }
  acc = warp_reduce(acc);
  if (lane == 0) y[row] = acc;
}
