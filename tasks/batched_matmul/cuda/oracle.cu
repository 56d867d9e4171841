// batched_matmul: one grid layer per batch, 32x32 tiles of c per block of 16x16 threads,
// a and b staged through shared memory, 2x2 outputs per thread in registers.
//@ [[launch]]
//@ kernel = "bmm_tiled"
//@ grid = ["cdiv(N, 32)", "cdiv(M, 32)", "B"]
//@ block = [16, 16]
//@ args = ["a", "b", "c", "M", "N", "K"]

// A 32x32 tile of the product per block of 16x16 threads, each thread 2x2 outputs (rows
// ty, ty + 16; columns tx, tx + 16): K is walked in steps of 16 with both operand tiles
// staged through shared memory (coalesced global loads, padded rows, broadcast reads),
// four FMAs per four shared loads. `la(m, k)` and `lb(k, n)` load one operand element of the
// tile (0 outside the matrix); B_KFAST loads B with k fastest (for B = a row-major matrix
// transposed).
#define BM 32
#define BN 32
#define BK 16

template <bool B_KFAST, class LA, class LB>
__device__ __forceinline__ void tile_product(LA la, LB lb, int k, float (&acc)[2][2]) {
  __shared__ float as[BK][BM + 1];
  __shared__ float bs[BK][BN + 1];
  int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
  for (int k0 = 0; k0 < k; k0 += BK) {
#pragma unroll
    for (int e = 0; e < 2; ++e) {
      int idx = tid + 256 * e;
      int am = idx / BK, ak = idx % BK;
      as[ak][am] = la(am, k0 + ak);
      int bk = B_KFAST ? idx % BK : idx / BN, bn = B_KFAST ? idx / BK : idx % BN;
      bs[bk][bn] = lb(k0 + bk, bn);
    }
    __syncthreads();
#pragma unroll
    for (int p = 0; p < BK; ++p) {
      float a0 = as[p][ty], a1 = as[p][ty + 16];
      float b0 = bs[p][tx], b1 = bs[p][tx + 16];
      acc[0][0] = fmaf(a0, b0, acc[0][0]);
      acc[0][1] = fmaf(a0, b1, acc[0][1]);
      acc[1][0] = fmaf(a1, b0, acc[1][0]);
      acc[1][1] = fmaf(a1, b1, acc[1][1]);
    }
    __syncthreads();
  }
}

extern "C" __global__ void __launch_bounds__(256) bmm_tiled(const float* __restrict__ a,
                                                            const float* __restrict__ b,
                                                            float* __restrict__ c, int m, int n,
                                                            int k) {
  long long z = blockIdx.z;
  const float* ab = a + z * m * k;
  const float* bb = b + z * k * n;
  float* cb = c + z * m * n;
  int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
  float acc[2][2] = {};
  tile_product<false>(
      [&](int i, int p) {
        int r = row0 + i;
        return (r < m && p < k) ? ab[(long long)r * k + p] : 0.0f;
      },
      [&](int p, int j) {
        int cl = col0 + j;
        return (p < k && cl < n) ? bb[(long long)p * n + cl] : 0.0f;
      },
      k, acc);
#pragma unroll
  for (int i = 0; i < 2; ++i)
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      int r = row0 + threadIdx.y + 16 * i, cl = col0 + threadIdx.x + 16 * j;
      if (r < m && cl < n) cb[(long long)r * n + cl] = acc[i][j];
    }
}
