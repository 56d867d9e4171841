// transpose, naive: one thread per element of y, read straight from x (the speed-up baseline).
//@ [[launch]]
//@ kernel = "transpose_naive"
//@ grid = ["cdiv(M, 16)", "cdiv(N, 16)"]
//@ block = [16, 16]
//@ args = ["x", "y", "M", "N"]

extern "C" __global__ void transpose_naive(const float* x, float* y, int m, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;  // column of y = row of x
  int j = blockIdx.y * blockDim.y + threadIdx.y;  // row of y = column of x
  if (i < m && j < n) y[(long long)j * m + i] = x[(long long)i * n + j];
}
