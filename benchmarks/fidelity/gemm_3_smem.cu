// SGEMM ladder step 3: 32x32 tiles of a and b through shared memory (M, N, K multiples of 32).
//@ [[launch]]
//@ kernel = "k"
//@ grid = ["cdiv(N, 32)", "cdiv(M, 32)"]
//@ block = [1024]
//@ args = ["a", "b", "c", "M", "N", "K"]
extern "C" __global__ void k(const float* a, const float* b, float* c, int M, int N, int K) {
  __shared__ float As[32 * 32], Bs[32 * 32];
  int tr = threadIdx.x / 32, tc = threadIdx.x % 32;
  int row = blockIdx.y * 32 + tr, col = blockIdx.x * 32 + tc;
  float acc = 0.0f;
  for (int t = 0; t < K; t += 32) {
    As[tr * 32 + tc] = a[row * K + t + tc];
    Bs[tr * 32 + tc] = b[(t + tr) * N + col];
    __syncthreads();
    for (int i = 0; i < 32; ++i) acc += As[tr * 32 + i] * Bs[i * 32 + tc];
    __syncthreads();
  }
  c[row * N + col] = acc;
}
