// gemv: y[i] = sum_k a[i, k] * x[k] for a [M, K], x [K]. Write the kernel body.
//@ [[launch]]
//@ kernel = "gemv_rows"
//@ grid = ["cdiv(M, 128)"]
//@ block = [128]
//@ args = ["a", "x", "y", "M", "K"]

#include <hip/hip_runtime.h>

extern "C" __global__ void gemv_rows(const float* a, const float* x, float* y, int m, int k) {
  // TODO
}
