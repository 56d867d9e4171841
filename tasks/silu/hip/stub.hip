// silu: y = x / (1 + exp(-x)) elementwise over M * N elements. Write the kernel body.
//@ [[launch]]
//@ kernel = "silu"
//@ grid = ["cdiv(M * N, 256)"]
//@ block = [256]
//@ args = ["x", "y", "M * N"]

#include <hip/hip_runtime.h>

extern "C" __global__ void silu(const float* x, float* y, int n) {
  // TODO: y[i] = x[i] / (1 + exp(-x[i])) for every i < n
}
