// Reduction ladder step 3 (Harris kernel 3): sequential addressing (conflict-free).
//@ [[launch]]
//@ kernel = "k"
//@ grid = ["M"]
//@ block = [512]
//@ args = ["x", "y", "N"]
extern "C" __global__ void k(const float* x, float* y, int n) {
  __shared__ float s[512];
  unsigned t = threadIdx.x;
  s[t] = x[blockIdx.x * n + t];
  __syncthreads();
  for (unsigned d = blockDim.x / 2; d > 0; d >>= 1) {
    if (t < d) s[t] += s[t + d];
    __syncthreads();
  }
  if (t == 0) y[blockIdx.x] = s[0];
}
