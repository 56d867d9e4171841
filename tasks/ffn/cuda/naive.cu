// ffn, naive: h = gelu(x @ w1 + b1) one thread per element into a scratch buffer, then
// y = h @ w2 + b2 one thread per element (the speed-up baseline).
//@ [scratch]
//@ h = "M * F"
//@
//@ [[launch]]
//@ kernel = "linear_gelu_naive"
//@ grid = ["cdiv(F, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["x", "w1", "b1", "h", "M", "F", "E"]
//@
//@ [[launch]]
//@ kernel = "linear_naive"
//@ grid = ["cdiv(E, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["h", "w2", "b2", "y", "M", "E", "F"]

extern "C" __global__ void linear_gelu_naive(const float* x, const float* w, const float* b,
                                             float* y, int m, int n, int k) {
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  int row = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= m || col >= n) return;
  float acc = 0.0f;
  for (int p = 0; p < k; ++p) acc += x[(long long)row * k + p] * w[(long long)p * n + col];
  float z = acc + b[col];
  y[(long long)row * n + col] =
      0.5f * z * (1.0f + tanhf(0.7978845608028654f * (z + 0.044715f * z * z * z)));
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
