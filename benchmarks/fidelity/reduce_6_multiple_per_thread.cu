// Reduction ladder step 6 (Harris kernel 7's idea): several elements per thread, one warp
// per row walking it in float4 loads, then a shuffle tree (no shared memory, no barrier).
//@ [[launch]]
//@ kernel = "k"
//@ grid = ["M"]
//@ block = [32]
//@ args = ["x", "y", "N"]
extern "C" __global__ void k(const float* x, float* y, int n) {
  unsigned t = threadIdx.x;
  const float4* row = reinterpret_cast<const float4*>(x + blockIdx.x * n);
  float v = 0.0f;
  for (int i = t; i < n / 4; i += 32) {
    float4 q = row[i];
    v += (q.x + q.y) + (q.z + q.w);
  }
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  if (t == 0) y[blockIdx.x] = v;
}
