// swiglu, naive: one thread per output element, both dot products from global memory (the
// speed-up baseline).
//@ [[launch]]
//@ kernel = "swiglu_naive"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["x", "wg", "wu", "y", "M", "N", "K"]

extern "C" __global__ void swiglu_naive(const float* x, const float* wg, const float* wu, float* y,
                                        int m, int n, int k) {
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  int row = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= m || col >= n) return;
  float g = 0.0f, u = 0.0f;
  for (int p = 0; p < k; ++p) {
    float xv = x[(long long)row * k + p];
    g += xv * wg[(long long)p * n + col];
    u += xv * wu[(long long)p * n + col];
  }
  y[(long long)row * n + col] = g / (1.0f + expf(-g)) * u;
}
