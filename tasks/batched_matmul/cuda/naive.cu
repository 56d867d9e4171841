// batched_matmul, naive: one thread per element of c, the whole dot product from global
// memory, one grid layer per batch (the speed-up baseline).
//@ [[launch]]
//@ kernel = "bmm_naive"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)", "B"]
//@ block = [16, 16]
//@ args = ["a", "b", "c", "M", "N", "K"]

extern "C" __global__ void bmm_naive(const float* a, const float* b, float* c, int m, int n,
                                     int k) {
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  int row = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= m || col >= n) return;
  long long z = blockIdx.z;
  const float* ab = a + z * m * k;
  const float* bb = b + z * k * n;
  float acc = 0.0f;
  for (int p = 0; p < k; ++p) acc += ab[(long long)row * k + p] * bb[(long long)p * n + col];
  c[z * m * n + (long long)row * n + col] = acc;
}
