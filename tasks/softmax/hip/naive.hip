// softmax, naive: one thread per row, three passes over the row (the speed-up baseline).
//@ [[launch]]
//@ kernel = "softmax_rows"
//@ grid = ["cdiv(M, 128)"]
//@ block = [128]
//@ args = ["x", "y", "M", "N"]

#include <hip/hip_runtime.h>

extern "C" __global__ void softmax_rows(const float* x, float* y, int m, int n) {
  int row = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= m) return;
  const float* xr = x + (long long)row * n;
  float* yr = y + (long long)row * n;
  float mx = -INFINITY;
  for (int j = 0; j < n; ++j) mx = fmaxf(mx, xr[j]);
  float sum = 0.0f;
  for (int j = 0; j < n; ++j) sum += expf(xr[j] - mx);
  for (int j = 0; j < n; ++j) yr[j] = expf(xr[j] - mx) / sum;
}
