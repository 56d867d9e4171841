// linear_relu: y = relu(x @ w + b) for x [M, K], w [K, N], b [N]. Write the kernel body.
//@ [[launch]]
//@ kernel = "linear_relu"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["x", "w", "b", "y", "M", "N", "K"]

#include <hip/hip_runtime.h>

extern "C" __global__ void linear_relu(const float* x, const float* w, const float* b, float* y,
                                       int m, int n, int k) {
  // TODO: y[row, col] = max(sum_p x[row, p] * w[p, col] + b[col], 0)
}
