// gemm: 16x16 tiles of c per block of 16x16 threads (many blocks for the
// small emulated sizes), a and b staged through shared memory
// (coalesced loads, conflict-free reads).
//@ [[launch]]
//@ kernel = "gemm_tiled"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["a", "b", "c", "M", "N", "K"]

#define TILE 16
#define ROWS 16

extern "C" __global__ void gemm_tiled(const float* __restrict__ a, const float* __restrict__ b,
                                      float* __restrict__ c, int m, int n, int k) {
  __shared__ float as[TILE][TILE];
  __shared__ float bs[TILE][TILE];
  int tx = threadIdx.x, ty = threadIdx.y;
  int row0 = blockIdx.y * TILE, col = blockIdx.x * TILE + tx;
  float acc[TILE / ROWS] = {};
  for (int k0 = 0; k0 < k; k0 += TILE) {
    for (int r = 0; r < TILE / ROWS; ++r) {
      int i = ty + r * ROWS;
      int arow = row0 + i, acol = k0 + tx, brow = k0 + i;
      as[i][tx] = (arow < m && acol < k) ? a[(long long)arow * k + acol] : 0.0f;
      bs[i][tx] = (brow < k && col < n) ? b[(long long)brow * n + col] : 0.0f;
    }
    __syncthreads();
#pragma unroll 8
    for (int p = 0; p < TILE; ++p) {
      float bv = bs[p][tx];
      for (int r = 0; r < TILE / ROWS; ++r) acc[r] = fmaf(as[ty + r * ROWS][p], bv, acc[r]);
    }
    __syncthreads();
  }
  for (int r = 0; r < TILE / ROWS; ++r) {
    int row = row0 + ty + r * ROWS;
    if (row < m && col < n) c[(long long)row * n + col] = acc[r];
  }
}
