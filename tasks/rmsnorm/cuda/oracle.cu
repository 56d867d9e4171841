// rmsnorm: one block per row; coalesced strided passes, warp-shuffle and shared-memory
// reduction of the sum of squares.
//@ [[launch]]
//@ kernel = "rmsnorm_block"
//@ grid = ["M"]
//@ block = [256]
//@ args = ["x", "g", "y", "N"]

#define THREADS 256
#define WARPS (THREADS / 32)

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

extern "C" __global__ void rmsnorm_block(const float* __restrict__ x, const float* __restrict__ g,
                                         float* __restrict__ y, int n) {
  __shared__ float red[WARPS];
  const float* xr = x + (long long)blockIdx.x * n;
  float* yr = y + (long long)blockIdx.x * n;
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  float ss = 0.0f;
  for (int j = threadIdx.x; j < n; j += THREADS) {
    float v = xr[j];
    ss = fmaf(v, v, ss);
  }
  ss = warp_sum(ss);
  if (lane == 0) red[warp] = ss;
  __syncthreads();
  ss = lane < WARPS ? red[lane] : 0.0f;
  ss = warp_sum(ss);
  float inv = rsqrtf(ss / n + 1e-5f);
  for (int j = threadIdx.x; j < n; j += THREADS) yr[j] = xr[j] * inv * g[j];
}
