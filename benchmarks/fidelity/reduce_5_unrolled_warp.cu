// Reduction ladder step 5 (Harris kernel 5): step 4 with the last warp unrolled (here with
// warp shuffles, as volatile shared memory is no longer warp-synchronous since Volta).
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
  for (unsigned d = blockDim.x / 2; d > 32; d >>= 1) {
    if (t < d) s[t] += s[t + d];
    __syncthreads();
  }
  if (t < 32) {
    float v = s[t] + s[t + 32];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    if (t == 0) y[blockIdx.x] = v;
  }
}
