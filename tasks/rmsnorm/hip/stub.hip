// rmsnorm: y[i, j] = x[i, j] / sqrt(mean_k x[i, k]^2 + 1e-5) * g[j]. Write the kernel body.
//@ [[launch]]
//@ kernel = "rmsnorm_rows"
//@ grid = ["cdiv(M, 128)"]
//@ block = [128]
//@ args = ["x", "g", "y", "M", "N"]

#include <hip/hip_runtime.h>

extern "C" __global__ void rmsnorm_rows(const float* x, const float* g, float* y, int m, int n) {
  // TODO: one row per thread, or one block per row
}
