// softmax of every row of x [M, N] into y [M, N]. Write the kernel body.
//@ [[launch]]
//@ kernel = "softmax_rows"
//@ grid = ["cdiv(M, 128)"]
//@ block = [128]
//@ args = ["x", "y", "M", "N"]

#include <hip/hip_runtime.h>

extern "C" __global__ void softmax_rows(const float* x, float* y, int m, int n) {
  // TODO: y[i, j] = exp(x[i, j] - max_k x[i, k]) / sum_k exp(x[i, k] - max_k x[i, k])
}
