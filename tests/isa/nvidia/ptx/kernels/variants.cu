// Generated-variant kernel for the timing model's property tests: `active_blocks` blocks of
// `active_warps` warps each do `iters` dependent steps (a load and a multiply-add); every
// other block or warp of the launch exits at once.
extern "C" __global__ void work(const float* x, float* y, int active_blocks, int active_warps,
                                int iters) {
  int blk = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  int warp = threadIdx.x / 32;
  if (blk >= active_blocks || warp >= active_warps) return;
  int i = blk * blockDim.x + threadIdx.x;
  float acc = 0.0f;
  for (int t = 0; t < iters; ++t) acc = acc * 0.5f + x[(i + t * 32) & 4095];
  y[i & 4095] = acc;
}
