// row_max, naive: one thread per row, a serial loop over the row (the speed-up baseline).
//@ [[launch]]
//@ kernel = "row_max_rows"
//@ grid = ["cdiv(M, 128)"]
//@ block = [128]
//@ args = ["x", "y", "M", "N"]

extern "C" __global__ void row_max_rows(const float* x, float* y, int m, int n) {
  int row = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= m) return;
  const float* xr = x + (long long)row * n;
  float acc = -INFINITY;
  for (int j = 0; j < n; ++j) {
    float v = xr[j];
    acc = fmaxf(acc, v);
  }
  y[row] = acc;
}
