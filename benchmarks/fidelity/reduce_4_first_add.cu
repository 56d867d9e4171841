// Reduction ladder step 4 (Harris kernel 4): first add during the global load, half the
// threads per row.
//@ [[launch]]
//@ kernel = "k"
//@ grid = ["M"]
//@ block = [256]
//@ args = ["x", "y", "N"]
extern "C" __global__ void k(const float* x, float* y, int n) {
  __shared__ float s[256];
  unsigned t = threadIdx.x;
  const float* row = x + blockIdx.x * n;
  s[t] = row[t] + row[t + 256];
  __syncthreads();
  for (unsigned d = blockDim.x / 2; d > 0; d >>= 1) {
    if (t < d) s[t] += s[t + d];
    __syncthreads();
  }
  if (t == 0) y[blockIdx.x] = s[0];
}
