// SGEMM ladder step 5: 2D register blocking, 8x8 results per thread
// (BM = BN = 128, BK = 8, 256 threads; M, N multiples of 128, K of 8).
//@ [[launch]]
//@ kernel = "k"
//@ grid = ["cdiv(N, 128)", "cdiv(M, 128)"]
//@ block = [256]
//@ args = ["a", "b", "c", "M", "N", "K"]
extern "C" __global__ void k(const float* a, const float* b, float* c, int M, int N, int K) {
  __shared__ float As[128 * 8], Bs[8 * 128];
  int tr = threadIdx.x / 16, tc = threadIdx.x % 16;
  const float* A = a + blockIdx.y * 128 * K;
  const float* B = b + blockIdx.x * 128;
  float acc[8][8] = {{0.0f}};
  float ra[8], rb[8];
  for (int t = 0; t < K; t += 8) {
    for (int l = threadIdx.x; l < 1024; l += 256) {
      As[l] = A[(l / 8) * K + t + l % 8];
      Bs[l] = B[(t + l / 128) * N + l % 128];
    }
    __syncthreads();
    for (int d = 0; d < 8; ++d) {
      for (int i = 0; i < 8; ++i) ra[i] = As[(tr * 8 + i) * 8 + d];
      for (int j = 0; j < 8; ++j) rb[j] = Bs[d * 128 + tc * 8 + j];
      for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j) acc[i][j] += ra[i] * rb[j];
    }
    __syncthreads();
  }
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      c[(blockIdx.y * 128 + tr * 8 + i) * N + blockIdx.x * 128 + tc * 8 + j] = acc[i][j];
}
