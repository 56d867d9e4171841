// add_layernorm, naive: one thread per row, three passes over x + r (the speed-up baseline).
//@ [[launch]]
//@ kernel = "add_layernorm_rows"
//@ grid = ["cdiv(M, 128)"]
//@ block = [128]
//@ args = ["x", "r", "g", "b", "y", "M", "N"]

extern "C" __global__ void add_layernorm_rows(const float* x, const float* r, const float* g,
                                              const float* b, float* y, int m, int n) {
  int row = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= m) return;
  long long o = (long long)row * n;
  float sum = 0.0f;
  for (int j = 0; j < n; ++j) sum += x[o + j] + r[o + j];
  float mean = sum / n;
  float var = 0.0f;
  for (int j = 0; j < n; ++j) var += (x[o + j] + r[o + j] - mean) * (x[o + j] + r[o + j] - mean);
  float inv = 1.0f / sqrtf(var / n + 1e-5f);
  for (int j = 0; j < n; ++j) y[o + j] = (x[o + j] + r[o + j] - mean) * inv * g[j] + b[j];
}
