// transpose: y [N, M] = x^T for x [M, N]. Write the kernel body.
//@ [[launch]]
//@ kernel = "transpose_naive"
//@ grid = ["cdiv(M, 16)", "cdiv(N, 16)"]
//@ block = [16, 16]
//@ args = ["x", "y", "M", "N"]

extern "C" __global__ void transpose_naive(const float* x, float* y, int m, int n) {
  // TODO: y[j, i] = x[i, j]
}
