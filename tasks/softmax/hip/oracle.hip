// softmax for AMD: one 256-thread block (4 waves of 64) per row; max and sum reduced within
// each wave by __shfl_xor over 64 lanes, then across the 4 waves through LDS.
//@ [[launch]]
//@ kernel = "softmax_row"
//@ grid = ["M"]
//@ block = [256]
//@ args = ["x", "y", "M", "N"]

#include <hip/hip_runtime.h>

__device__ __forceinline__ float wave_max(float v) {
  for (int o = 32; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor(v, o));
  return v;
}
__device__ __forceinline__ float wave_sum(float v) {
  for (int o = 32; o > 0; o >>= 1) v += __shfl_xor(v, o);
  return v;
}

extern "C" __global__ void softmax_row(const float* __restrict__ x, float* __restrict__ y, int m,
                                       int n) {
  __shared__ float part[2][4];
  const float* xr = x + (long long)blockIdx.x * n;
  float* yr = y + (long long)blockIdx.x * n;
  int t = threadIdx.x, wave = t >> 6, lane = t & 63;
  float mx = -INFINITY;
  for (int j = t; j < n; j += 256) mx = fmaxf(mx, xr[j]);
  mx = wave_max(mx);
  if (lane == 0) part[0][wave] = mx;
  __syncthreads();
  mx = fmaxf(fmaxf(part[0][0], part[0][1]), fmaxf(part[0][2], part[0][3]));
  float s = 0.0f;
  for (int j = t; j < n; j += 256) s += __expf(xr[j] - mx);
  s = wave_sum(s);
  if (lane == 0) part[1][wave] = s;
  __syncthreads();
  float inv = 1.0f / (part[1][0] + part[1][1] + part[1][2] + part[1][3]);
  for (int j = t; j < n; j += 256) yr[j] = __expf(xr[j] - mx) * inv;
}
