// rmsnorm for AMD: one 256-thread block (4 waves of 64) per row; the sum of squares reduced
// within each wave by __shfl_xor over 64 lanes, then across the waves through LDS.
//@ [[launch]]
//@ kernel = "rmsnorm_row"
//@ grid = ["M"]
//@ block = [256]
//@ args = ["x", "g", "y", "M", "N"]

#include <hip/hip_runtime.h>

extern "C" __global__ void rmsnorm_row(const float* __restrict__ x, const float* __restrict__ g,
                                       float* __restrict__ y, int m, int n) {
  __shared__ float part[4];
  const float* xr = x + (long long)blockIdx.x * n;
  float* yr = y + (long long)blockIdx.x * n;
  int t = threadIdx.x;
  float ss = 0.0f;
  for (int j = t; j < n; j += 256) ss += xr[j] * xr[j];
  for (int o = 32; o > 0; o >>= 1) ss += __shfl_xor(ss, o);
  if ((t & 63) == 0) part[t >> 6] = ss;
  __syncthreads();
  float inv = rsqrtf((part[0] + part[1] + part[2] + part[3]) / n + 1e-5f);
  for (int j = t; j < n; j += 256) yr[j] = xr[j] * inv * g[j];
}
