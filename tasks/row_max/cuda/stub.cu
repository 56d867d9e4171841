// row_max: y[i] = the maximum of row i of x [M, N]. Write the kernel body.
//@ [[launch]]
//@ kernel = "row_max_rows"
//@ grid = ["cdiv(M, 128)"]
//@ block = [128]
//@ args = ["x", "y", "M", "N"]

extern "C" __global__ void row_max_rows(const float* x, float* y, int m, int n) {
  // TODO: one row per thread, or one warp per row
}
