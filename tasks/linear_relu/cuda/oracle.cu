// linear_relu: 16x16 tiles of y per block of 16x16 threads (many blocks for the
// small emulated sizes), x and w staged through shared memory
// (coalesced loads, conflict-free reads), bias and relu fused.
//@ [[launch]]
//@ kernel = "linear_relu_tiled"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["x", "w", "b", "y", "M", "N", "K"]

#define TILE 16
#define ROWS 16

extern "C" __global__ void linear_relu_tiled(const float* __restrict__ x,
                                             const float* __restrict__ w,
                                             const float* __restrict__ b, float* __restrict__ y,
                                             int m, int n, int k) {
  __shared__ float as[TILE][TILE];
  __shared__ float bs[TILE][TILE];
  int tx = threadIdx.x, ty = threadIdx.y;
  int row0 = blockIdx.y * TILE, col = blockIdx.x * TILE + tx;
  float acc[TILE / ROWS] = {};
  for (int k0 = 0; k0 < k; k0 += TILE) {
    for (int r = 0; r < TILE / ROWS; ++r) {
      int i = ty + r * ROWS;
      int arow = row0 + i, acol = k0 + tx, brow = k0 + i;
      as[i][tx] = (arow < m && acol < k) ? x[(long long)arow * k + acol] : 0.0f;
      bs[i][tx] = (brow < k && col < n) ? w[(long long)brow * n + col] : 0.0f;
    }
    __syncthreads();
#pragma unroll 8
    for (int p = 0; p < TILE; ++p) {
      float bv = bs[p][tx];
      for (int r = 0; r < TILE / ROWS; ++r) acc[r] = fmaf(as[ty + r * ROWS][p], bv, acc[r]);
    }
    __syncthreads();
  }
  float bias = col < n ? b[col] : 0.0f;
  for (int r = 0; r < TILE / ROWS; ++r) {
    int row = row0 + ty + r * ROWS;
    if (row < m && col < n) y[(long long)row * n + col] = fmaxf(acc[r] + bias, 0.0f);
  }
}
