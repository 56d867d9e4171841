// SGEMM ladder step 1: naive, threadIdx.x walks rows, so a warp's loads of a are strided.
//@ [[launch]]
//@ kernel = "k"
//@ grid = ["cdiv(M, 32)", "cdiv(N, 32)"]
//@ block = [32, 32]
//@ args = ["a", "b", "c", "M", "N", "K"]
extern "C" __global__ void k(const float* a, const float* b, float* c, int M, int N, int K) {
  int x = blockIdx.x * 32 + threadIdx.x, y = blockIdx.y * 32 + threadIdx.y;
  if (x < M && y < N) {
    float acc = 0.0f;
    for (int i = 0; i < K; ++i) acc += a[x * K + i] * b[i * N + y];
    c[x * N + y] = acc;
  }
}
