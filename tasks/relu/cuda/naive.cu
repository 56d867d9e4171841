// relu, naive: one thread per element (the speed-up baseline).
//@ [[launch]]
//@ kernel = "relu"
//@ grid = ["cdiv(M * N, 256)"]
//@ block = [256]
//@ args = ["x", "y", "M * N"]

extern "C" __global__ void relu(const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = fmaxf(x[i], 0.0f);
}
