// gemv, naive: one thread per row of a (the speed-up baseline).
//@ [[launch]]
//@ kernel = "gemv_rows"
//@ grid = ["cdiv(M, 128)"]
//@ block = [128]
//@ args = ["a", "x", "y", "M", "K"]

#include <hip/hip_runtime.h>

extern "C" __global__ void gemv_rows(const float* a, const float* x, float* y, int m, int k) {
  int row = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= m) return;
  float acc = 0.0f;
  for (int j = 0; j < k; ++j) acc += a[(long long)row * k + j] * x[j];
  y[row] = acc;
}
