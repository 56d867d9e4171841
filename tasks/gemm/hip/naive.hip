// gemm, naive: one thread per element of c, the whole dot product from global memory
// (the speed-up baseline).
//@ [[launch]]
//@ kernel = "gemm_naive"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["a", "b", "c", "M", "N", "K"]

#include <hip/hip_runtime.h>

extern "C" __global__ void gemm_naive(const float* a, const float* b, float* c, int m, int n,
                                      int k) {
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  int row = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= m || col >= n) return;
  float acc = 0.0f;
  for (int p = 0; p < k; ++p) acc += a[(long long)row * k + p] * b[(long long)p * n + col];
  c[(long long)row * n + col] = acc;
}
