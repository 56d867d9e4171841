// layernorm, naive: one thread per row, three passes over the row (the speed-up baseline).
//@ [[launch]]
//@ kernel = "layernorm_rows"
//@ grid = ["cdiv(M, 128)"]
//@ block = [128]
//@ args = ["x", "g", "b", "y", "M", "N"]

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
