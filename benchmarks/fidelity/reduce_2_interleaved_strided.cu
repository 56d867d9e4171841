// Reduction ladder step 2 (Harris kernel 2): interleaved addressing with a strided index
// (no divergence, shared-memory bank conflicts).
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
    unsigned i = 2 * d * t;
    if (i < blockDim.x) s[i] += s[i + d];
    __syncthreads();
  }
  if (t == 0) y[blockIdx.x] = s[0];
}
