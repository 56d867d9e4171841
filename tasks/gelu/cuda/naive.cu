// gelu, naive: one thread per element, the formula as written (the speed-up baseline).
//@ [[launch]]
//@ kernel = "gelu"
//@ grid = ["cdiv(M * N, 256)"]
//@ block = [256]
//@ args = ["x", "y", "M * N"]

extern "C" __global__ void gelu(const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    float v = x[i];
    y[i] = 0.5f * v * (1.0f + tanhf(0.7978845608028654f * (v + 0.044715f * v * v * v)));
  }
}
