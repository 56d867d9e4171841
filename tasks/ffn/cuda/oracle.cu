// ffn: two tiled GEMMs with fused epilogues: h = gelu(x @ w1 + b1) (bias and GELU, as the
// logistic function of 2u, in the store) and y = h @ w2 + b2. 32x32 tiles per block of
// 16x16 threads, both operands staged through shared memory, 2x2 outputs per thread.
//@ [scratch]
//@ h = "M * F"
//@
//@ [[launch]]
//@ kernel = "linear_tiled"
//@ grid = ["cdiv(F, 32)", "cdiv(M, 32)"]
//@ block = [16, 16]
//@ args = ["x", "w1", "b1", "h", "M", "F", "E", 1]
//@
//@ [[launch]]
//@ kernel = "linear_tiled"
//@ grid = ["cdiv(E, 32)", "cdiv(M, 32)"]
//@ block = [16, 16]
//@ args = ["h", "w2", "b2", "y", "M", "E", "F", 0]

// A 32x32 tile of the product per block of 16x16 threads, each thread 2x2 outputs (rows
// 2ty, 2ty + 1; columns 2tx, 2tx + 1): K is walked in steps of 16 with both operand tiles
// staged through double-buffered shared memory (coalesced global loads, the next tile's
// loads issued before the current tile's FMAs, one barrier per step), rows padded to 34
// floats (conflict-free stores) and read as float2 (two shared loads per four FMAs).
// `la(m, k)` and `lb(k, n)` load one operand element of the tile (0 outside the matrix);
// B_KFAST loads B with k fastest (for B = a row-major matrix transposed).
#define BM 32
#define BN 32
#define BK 16
#define PAD 34

template <bool B_KFAST, class LA, class LB>
__device__ __forceinline__ void tile_product(LA la, LB lb, int k, float (&acc)[2][2]) {
  __shared__ __align__(16) float as[2][BK][PAD];
  __shared__ __align__(16) float bs[2][BK][PAD];
  int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
  float ra[2], rb[2];
  auto fetch = [&](int k0) {
#pragma unroll
    for (int e = 0; e < 2; ++e) {
      int idx = tid + 256 * e;
      ra[e] = la(idx / BK, k0 + idx % BK);
      int bk = B_KFAST ? idx % BK : idx / BN, bn = B_KFAST ? idx / BK : idx % BN;
      rb[e] = lb(k0 + bk, bn);
    }
  };
  auto stash = [&](int buf) {
#pragma unroll
    for (int e = 0; e < 2; ++e) {
      int idx = tid + 256 * e;
      as[buf][idx % BK][idx / BK] = ra[e];
      int bk = B_KFAST ? idx % BK : idx / BN, bn = B_KFAST ? idx / BK : idx % BN;
      bs[buf][bk][bn] = rb[e];
    }
  };
  fetch(0);
  stash(0);
  __syncthreads();
  int buf = 0;
  for (int k0 = 0; k0 < k; k0 += BK) {
    bool more = k0 + BK < k;
    if (more) fetch(k0 + BK);
#pragma unroll
    for (int p = 0; p < BK; ++p) {
      float2 a = *reinterpret_cast<const float2*>(&as[buf][p][2 * ty]);
      float2 b = *reinterpret_cast<const float2*>(&bs[buf][p][2 * tx]);
      acc[0][0] = fmaf(a.x, b.x, acc[0][0]);
      acc[0][1] = fmaf(a.x, b.y, acc[0][1]);
      acc[1][0] = fmaf(a.y, b.x, acc[1][0]);
      acc[1][1] = fmaf(a.y, b.y, acc[1][1]);
    }
    if (more) stash(buf ^ 1);
    __syncthreads();
    buf ^= 1;
  }
}

__device__ __forceinline__ float gelu1(float v) {
  float u2 = v * fmaf(0.0713548162726f, v * v, 1.5957691216057308f);
  return __fdividef(v, 1.0f + __expf(-u2));
}

extern "C" __global__ void __launch_bounds__(256)
    linear_tiled(const float* __restrict__ x, const float* __restrict__ w,
                 const float* __restrict__ b, float* __restrict__ y, int m, int n, int k,
                 int gelu) {
  int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
  float acc[2][2] = {};
  tile_product<false>(
      [&](int i, int p) {
        int r = row0 + i;
        return (r < m && p < k) ? x[(long long)r * k + p] : 0.0f;
      },
      [&](int p, int j) {
        int cl = col0 + j;
        return (p < k && cl < n) ? w[(long long)p * n + cl] : 0.0f;
      },
      k, acc);
#pragma unroll
  for (int j = 0; j < 2; ++j) {
    int cl = col0 + 2 * threadIdx.x + j;
    if (cl >= n) continue;
    float bias = b[cl];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      int r = row0 + 2 * threadIdx.y + i;
      float z = acc[i][j] + bias;
      if (r < m) y[(long long)r * n + cl] = gelu ? gelu1(z) : z;
    }
  }
}
