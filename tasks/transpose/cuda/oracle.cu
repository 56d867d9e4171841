// transpose: every warp moves an 8 (rows of x) x 4 (columns of x) tile, so its stores fill
// whole 32-byte sectors of y (8 consecutive floats) and its loads half sectors of x, where
// the naive mapping touches one sector per element on one side; a block covers 8 rows x 32
// columns of x, so its loads cover whole sectors too. No shared memory and no barrier: at
// these sizes the transpose is bound by latency, and a barrier would cost more than it saves.
//@ [[launch]]
//@ kernel = "transpose_sectors"
//@ grid = ["cdiv(N, 32)", "cdiv(M, 8)"]
//@ block = [256]
//@ args = ["x", "y", "M", "N"]

extern "C" __global__ void __launch_bounds__(256) transpose_sectors(const float* __restrict__ x,
                                                                    float* __restrict__ y, int m,
                                                                    int n) {
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  int i = blockIdx.y * 8 + (lane & 7);                // row of x = column of y
  int j = blockIdx.x * 32 + warp * 4 + (lane >> 3);  // column of x = row of y
  if (i < m && j < n) y[(long long)j * m + i] = x[(long long)i * n + j];
}
