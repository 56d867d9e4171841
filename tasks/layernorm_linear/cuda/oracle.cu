// layernorm_linear: a warp per row computes the row's mean and 1 / std (warp shuffles) into
// a small scratch buffer; the GEMM then normalises x while it stages it into shared memory
// (the normalised matrix never goes to global memory): 32x32 tiles of y per block of
// 16x16 threads, 2x2 outputs per thread, the bias fused in the store.
//@ [scratch]
//@ stats = "2 * M"
//@
//@ [[launch]]
//@ kernel = "row_stats"
//@ grid = ["cdiv(M, 8)"]
//@ block = [256]
//@ args = ["x", "stats", "M", "K"]
//@
//@ [[launch]]
//@ kernel = "ln_linear_tiled"
//@ grid = ["cdiv(N, 32)", "cdiv(M, 32)"]
//@ block = [16, 16]
//@ args = ["x", "stats", "g", "beta", "w", "b", "y", "M", "N", "K"]

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

extern "C" __global__ void __launch_bounds__(256) row_stats(const float* __restrict__ x,
                                                            float* __restrict__ stats, int m,
                                                            int n) {
  int row = blockIdx.x * 8 + (threadIdx.x >> 5);
  int lane = threadIdx.x & 31;
  if (row >= m) return;
  const float* xr = x + (long long)row * n;
  float sum = 0.0f;
  for (int j = lane; j < n; j += 32) sum += xr[j];
  float mean = warp_sum(sum) / n;
  float var = 0.0f;
  for (int j = lane; j < n; j += 32) {
    float d = xr[j] - mean;
    var = fmaf(d, d, var);
  }
  var = warp_sum(var);
  if (lane == 0) {
    stats[2 * row] = mean;
    stats[2 * row + 1] = rsqrtf(var / n + 1e-5f);
  }
}

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

extern "C" __global__ void __launch_bounds__(256)
    ln_linear_tiled(const float* __restrict__ x, const float* __restrict__ stats,
                    const float* __restrict__ g, const float* __restrict__ beta,
                    const float* __restrict__ w, const float* __restrict__ b,
                    float* __restrict__ y, int m, int n, int k) {
  int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
  float acc[2][2] = {};
  tile_product<false>(
      [&](int i, int p) {
        int r = row0 + i;
        if (r >= m || p >= k) return 0.0f;
        return fmaf((x[(long long)r * k + p] - stats[2 * r]) * stats[2 * r + 1], g[p], beta[p]);
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
      if (r < m) y[(long long)r * n + cl] = acc[i][j] + bias;
    }
  }
}
