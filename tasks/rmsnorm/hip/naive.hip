// rmsnorm, naive: one thread per row, two passes over the row (the speed-up baseline).
//@ [[launch]]
//@ kernel = "rmsnorm_rows"
//@ grid = ["cdiv(M, 128)"]
//@ block = [128]
//@ args = ["x", "g", "y", "M", "N"]

#include <hip/hip_runtime.h>

extern "C" __global__ void rmsnorm_rows(const float* x, const float* g, float* y, int m, int n) {
  int row = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= m) return;
  const float* xr = x + (long long)row * n;
  float* yr = y + (long long)row * n;
  float ss = 0.0f;
  for (int j = 0; j < n; ++j) ss += xr[j] * xr[j];
  float inv = 1.0f / sqrtf(ss / n + 1e-5f);
  for (int j = 0; j < n; ++j) yr[j] = xr[j] * inv * g[j];
}
