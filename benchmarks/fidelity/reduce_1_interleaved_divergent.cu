// Reduction ladder step 1 (Harris 2007, kernel 1): interleaved addressing, divergent branch
// (tid % (2s) == 0); one element per thread, one 512-element row per block.
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
  for (unsigned d = 1; d < blockDim.x; d *= 2) {
    if (t % (2 * d) == 0) s[t] += s[t + d];
    __syncthreads();
  }
  if (t == 0) y[blockIdx.x] = s[0];
}
