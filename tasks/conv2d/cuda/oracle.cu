// conv2d as an implicit GEMM: y [OH*OW, F] = patches [OH*OW, KH*KW*C] @ w [KH*KW*C, F], where
// w is already that row-major matrix and a patch row is gathered from x on the fly (for a
// fixed pixel the columns (a, b, c) with c fastest are runs of C contiguous floats of x).
// 32x32 tiles of y per block of 16x16 threads, both operands staged through shared memory,
// 2x2 outputs per thread in registers.
//@ [[launch]]
//@ kernel = "conv2d_igemm"
//@ grid = ["cdiv(F, 32)", "cdiv((H - KH + 1) * (W - KW + 1), 32)"]
//@ block = [16, 16]
//@ args = ["x", "w", "y", "H", "W", "C", "F", "KH", "KW"]

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

extern "C" __global__ void __launch_bounds__(256) conv2d_igemm(const float* __restrict__ x,
                                                               const float* __restrict__ w,
                                                               float* __restrict__ y, int h,
                                                               int wd, int c, int f, int kh,
                                                               int kw) {
  int ow = wd - kw + 1, npix = (h - kh + 1) * ow, kdim = kh * kw * c, kwc = kw * c;
  int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
  float acc[2][2] = {};
  tile_product<false>(
      [&](int r, int p) {
        int pix = row0 + r;
        if (pix >= npix || p >= kdim) return 0.0f;
        int i = pix / ow, j = pix - i * ow;
        int a = p / kwc, rest = p - a * kwc;  // rest = b * C + channel
        return x[((i + a) * wd + j) * c + rest];
      },
      [&](int p, int n) {
        int fo = col0 + n;
        return (p < kdim && fo < f) ? w[(long long)p * f + fo] : 0.0f;
      },
      kdim, acc);
#pragma unroll
  for (int i = 0; i < 2; ++i)
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      int pix = row0 + threadIdx.y + 16 * i, fo = col0 + threadIdx.x + 16 * j;
      if (pix < npix && fo < f) y[(long long)pix * f + fo] = acc[i][j];
    }
}
