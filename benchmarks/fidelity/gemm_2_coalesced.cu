// SGEMM ladder step 2: global memory coalescing, consecutive threads take consecutive columns.
//@ [[launch]]
//@ kernel = "k"
//@ grid = ["cdiv(M, 32)", "cdiv(N, 32)"]
//@ block = [1024]
//@ args = ["a", "b", "c", "M", "N", "K"]
extern "C" __global__ void k(const float* a, const float* b, float* c, int M, int N, int K) {
  int x = blockIdx.x * 32 + threadIdx.x / 32, y = blockIdx.y * 32 + threadIdx.x % 32;
  if (x < M && y < N) {
    float acc = 0.0f;
    for (int i = 0; i < K; ++i) acc += a[x * K + i] * b[i * N + y];
    c[x * N + y] = acc;
  }
}
