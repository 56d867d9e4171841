// Elementwise ladder: SiLU where consecutive threads of a warp take elements 32 apart
// (n a multiple of 32).
//@ [[launch]]
//@ kernel = "k"
//@ grid = ["cdiv(M * N, 256)"]
//@ block = [256]
//@ args = ["x", "y", "M * N"]
extern "C" __global__ void k(const float* x, float* y, int n) {
  int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= n) return;
  int i = (t % 32) * (n / 32) + t / 32;
  float v = x[i];
  y[i] = v / (1.0f + expf(-v));
}
