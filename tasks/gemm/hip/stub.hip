// gemm: c = a @ b for a [M, K], b [K, N], c [M, N]. Write the kernel body.
//@ [[launch]]
//@ kernel = "gemm"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["a", "b", "c", "M", "N", "K"]

#include <hip/hip_runtime.h>

extern "C" __global__ void gemm(const float* a, const float* b, float* c, int m, int n, int k) {
  // TODO: c[row, col] = sum_p a[row, p] * b[p, col]
}
