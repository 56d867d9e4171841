// SGEMM ladder step 4: 1D register blocking, each thread computes 8 rows of one column
// (BM = BN = 64, BK = 8, TM = 8; M, N multiples of 64, K of 8).
//@ [[launch]]
//@ kernel = "k"
//@ grid = ["cdiv(N, 64)", "cdiv(M, 64)"]
//@ block = [512]
//@ args = ["a", "b", "c", "M", "N", "K"]
extern "C" __global__ void k(const float* a, const float* b, float* c, int M, int N, int K) {
  __shared__ float As[64 * 8], Bs[8 * 64];
  int tc = threadIdx.x % 64, tr = threadIdx.x / 64;  // tr: 0..7, rows tr*8 .. tr*8+7
  int ar = threadIdx.x / 8, ac = threadIdx.x % 8, br = threadIdx.x / 64, bc = threadIdx.x % 64;
  const float* A = a + blockIdx.y * 64 * K;
  const float* B = b + blockIdx.x * 64;
  float acc[8] = {0.0f};
  for (int t = 0; t < K; t += 8) {
    As[ar * 8 + ac] = A[ar * K + t + ac];
    Bs[br * 64 + bc] = B[(t + br) * N + bc];
    __syncthreads();
    for (int d = 0; d < 8; ++d) {
      float bv = Bs[d * 64 + tc];
      for (int r = 0; r < 8; ++r) acc[r] += As[(tr * 8 + r) * 8 + d] * bv;
    }
    __syncthreads();
  }
  for (int r = 0; r < 8; ++r) c[(blockIdx.y * 64 + tr * 8 + r) * N + blockIdx.x * 64 + tc] = acc[r];
}
