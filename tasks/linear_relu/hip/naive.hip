// linear_relu, naive: one thread per element of y, the whole dot product from global memory
// (the speed-up baseline).
//@ [[launch]]
//@ kernel = "linear_relu_naive"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["x", "w", "b", "y", "M", "N", "K"]

#include <hip/hip_runtime.h>

extern "C" __global__ void linear_relu_naive(const float* x, const float* w, const float* b, float* y,
                                             int m, int n, int k) {
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  int row = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= m || col >= n) return;
  float acc = 0.0f;
  for (int p = 0; p < k; ++p) acc += x[(long long)row * k + p] * w[(long long)p * n + col];
  y[(long long)row * n + col] = fmaxf(acc + b[col], 0.0f);
}
