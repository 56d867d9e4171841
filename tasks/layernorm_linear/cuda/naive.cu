// layernorm_linear, naive: layer norm one thread per row into a scratch buffer, then the
// linear layer one thread per output element (the speed-up baseline).
//@ [scratch]
//@ h = "M * K"
//@
//@ [[launch]]
//@ kernel = "layernorm_rows"
//@ grid = ["cdiv(M, 128)"]
//@ block = [128]
//@ args = ["x", "g", "beta", "h", "M", "K"]
//@
//@ [[launch]]
//@ kernel = "linear_naive"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["h", "w", "b", "y", "M", "N", "K"]

extern "C" __global__ void layernorm_rows(const float* x, const float* g, const float* b, float* y,
                                          int m, int n) {
  int row = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= m) return;
  const float* xr = x + (long long)row * n;
  float* yr = y + (long long)row * n;
  float sum = 0.0f;
  for (int j = 0; j < n; ++j) sum += xr[j];
  float mean = sum / n;
  float var = 0.0f;
  for (int j = 0; j < n; ++j) var += (xr[j] - mean) * (xr[j] - mean);
  float inv = 1.0f / sqrtf(var / n + 1e-5f);
  for (int j = 0; j < n; ++j) yr[j] = (xr[j] - mean) * inv * g[j] + b[j];
}

extern "C" __global__ void linear_naive(const float* x, const float* w, const float* b, float* y,
                                        int m, int n, int k) {
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  int row = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= m || col >= n) return;
  float acc = 0.0f;
  for (int p = 0; p < k; ++p) acc += x[(long long)row * k + p] * w[(long long)p * n + col];
  y[(long long)row * n + col] = acc + b[col];
}
