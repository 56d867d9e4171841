// decoder_block: seven launches, the norms fused into the GEMMs that read them and every
// epilogue fused into its GEMM: (1) a warp per row computes 1 / rms(x); (2) one launch for
// q, k and v (grid layer z picks the weight), normalising x * g1 while staging it into
// shared memory; (3) causal flash attention with an online softmax, one warp per query row,
// keys and values streamed through shared memory, blocks stopping at their last row's
// diagonal; (4) h1 = x + attn @ wo, the residual in the store; (5) 1 / rms(h1); (6)
// f = gelu(rmsnorm(h1) * g2 @ w1), norm in the prologue and GELU in the store;
// (7) y = h1 + f @ w2. The GEMMs: 32x32 tiles per block of 16x16 threads, both operands
// staged through shared memory, 2x2 outputs per thread.
//@ [scratch]
//@ r1 = "S"
//@ q = "S * H * D"
//@ k = "S * H * D"
//@ v = "S * H * D"
//@ att = "S * H * D"
//@ h1 = "S * H * D"
//@ r2 = "S"
//@ f = "S * F"
//@
//@ [[launch]]
//@ kernel = "rms_stats"
//@ grid = ["cdiv(S, 8)"]
//@ block = [256]
//@ args = ["x", "r1", "S", "H * D"]
//@
//@ [[launch]]
//@ kernel = "gemm_fused"
//@ grid = ["cdiv(H * D, 32)", "cdiv(S, 32)", 3]
//@ block = [16, 16]
//@ args = ["x", "r1", "g1", "wq", "wk", "wv", "x", "q", "k", "v", "S", "H * D", "H * D", 1, 0, 0]
//@
//@ [[launch]]
//@ kernel = "attn_online"
//@ grid = ["cdiv(S, 8)", "H"]
//@ block = [256]
//@ shared = "(32 * (D + 1) + 32 * D + 8 * D) * 4"
//@ args = ["q", "k", "v", "att", "S", "S", "D", "H * D", "H * D", 1, 1]
//@
//@ [[launch]]
//@ kernel = "gemm_fused"
//@ grid = ["cdiv(H * D, 32)", "cdiv(S, 32)", 1]
//@ block = [16, 16]
//@ args = ["att", "r1", "g1", "wo", "wo", "wo", "x", "h1", "h1", "h1", "S", "H * D", "H * D", 0, 0, 1]
//@
//@ [[launch]]
//@ kernel = "rms_stats"
//@ grid = ["cdiv(S, 8)"]
//@ block = [256]
//@ args = ["h1", "r2", "S", "H * D"]
//@
//@ [[launch]]
//@ kernel = "gemm_fused"
//@ grid = ["cdiv(F, 32)", "cdiv(S, 32)", 1]
//@ block = [16, 16]
//@ args = ["h1", "r2", "g2", "w1", "w1", "w1", "x", "f", "f", "f", "S", "F", "H * D", 1, 1, 0]
//@
//@ [[launch]]
//@ kernel = "gemm_fused"
//@ grid = ["cdiv(H * D, 32)", "cdiv(S, 32)", 1]
//@ block = [16, 16]
//@ args = ["f", "r2", "g2", "w2", "w2", "w2", "h1", "y", "y", "y", "S", "H * D", "F", 0, 0, 1]

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

// Attention with an online softmax (flash attention): one warp per query row, WARPS rows per
// block, one grid column per head. Keys and values stream through shared memory in tiles
// of 32 rows (keys padded to D + 1 floats: conflict-free); lane l scores key t0 + l against
// the row's query (held in shared memory, pre-scaled by log2(e) / sqrt(D) so that exp2 is
// the exponential), warp shuffles give the tile's max and sum, the running max rescales
// the accumulators, and every lane accumulates output dims lane, lane + 32, ... (D <= 128).
// Head h of q, o is columns h*D..(h+1)*D of rows of length qld; it reads key/value head
// h / group of k, v (rows of length kvld). Causal: row i sees keys j <= i only.
#define WARPS 8
#define KT 32
#define DREG 4

__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

extern "C" __global__ void __launch_bounds__(WARPS * 32)
    attn_online(const float* __restrict__ q, const float* __restrict__ k,
                const float* __restrict__ v, float* __restrict__ o, int S, int T, int D, int qld,
                int kvld, int group, int causal) {
  extern __shared__ float smem[];
  float* ks = smem;                // [KT][D + 1]
  float* vs = ks + KT * (D + 1);   // [KT][D]
  float* qs = vs + KT * D;         // [WARPS][D]
  int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int h = blockIdx.y, g = h / group;
  int row0 = blockIdx.x * WARPS, row = row0 + warp;
  const float* qh = q + h * D;
  const float* kh = k + g * D;
  const float* vh = v + g * D;
  float scale = 1.4426950408889634f / sqrtf((float)D);
  for (int idx = threadIdx.x; idx < WARPS * D; idx += WARPS * 32) {
    int r = idx / D, d = idx - r * D;
    qs[idx] = row0 + r < S ? qh[(long long)(row0 + r) * qld + d] * scale : 0.0f;
  }
  const float* qr = qs + warp * D;
  float m = -INFINITY, l = 0.0f, acc[DREG] = {};
  int tend = causal ? min(T, row0 + WARPS) : T;
  for (int t0 = 0; t0 < tend; t0 += KT) {
    __syncthreads();  // the previous tile is consumed (and the queries are stored)
    for (int idx = threadIdx.x; idx < KT * D; idx += WARPS * 32) {
      int r = idx / D, d = idx - r * D, t = t0 + r;
      bool in = t < T;
      ks[r * (D + 1) + d] = in ? kh[(long long)t * kvld + d] : 0.0f;
      vs[idx] = in ? vh[(long long)t * kvld + d] : 0.0f;
    }
    __syncthreads();
    int t = t0 + lane;
    const float* kr = ks + lane * (D + 1);
    float sc = 0.0f;
    for (int d = 0; d < D; ++d) sc = fmaf(qr[d], kr[d], sc);
    bool ok = t < T && (!causal || t <= row);
    sc = ok ? sc : -INFINITY;
    float mnew = fmaxf(m, warp_max(sc));  // finite: key t0 = 0 is seen by every row
    float p = ok ? exp2f(sc - mnew) : 0.0f;
    float corr = exp2f(m - mnew);
    l = fmaf(l, corr, warp_sum(p));
    m = mnew;
#pragma unroll
    for (int r = 0; r < DREG; ++r) acc[r] *= corr;
#pragma unroll 8
    for (int j = 0; j < KT; ++j) {
      float pj = __shfl_sync(0xffffffffu, p, j);
      const float* vr = vs + j * D;
#pragma unroll
      for (int r = 0; r < DREG; ++r)
        if (lane + 32 * r < D) acc[r] = fmaf(pj, vr[lane + 32 * r], acc[r]);
    }
  }
  if (row < S) {
    float inv = 1.0f / l;
    float* orow = o + (long long)row * qld + h * D;
#pragma unroll
    for (int r = 0; r < DREG; ++r)
      if (lane + 32 * r < D) orow[lane + 32 * r] = acc[r] * inv;
  }
}

// rs[i] = 1 / sqrt(mean_j x[i, j]^2 + 1e-5), one warp per row
extern "C" __global__ void __launch_bounds__(256) rms_stats(const float* __restrict__ x,
                                                            float* __restrict__ rs, int m,
                                                            int n) {
  int row = blockIdx.x * 8 + (threadIdx.x >> 5);
  int lane = threadIdx.x & 31;
  if (row >= m) return;
  const float* xr = x + (long long)row * n;
  float ss = 0.0f;
  for (int j = lane; j < n; j += 32) ss = fmaf(xr[j], xr[j], ss);
  ss = warp_sum(ss);
  if (lane == 0) rs[row] = rsqrtf(ss / n + 1e-5f);
}

// c_z = epilogue(prologue(a) @ b_z) for grid layer z: prologue a[i, p] * rs[i] * g[p] when
// `norm`; epilogue gelu when `gelu`, + res[i, j] when `resid`.
extern "C" __global__ void __launch_bounds__(256)
    gemm_fused(const float* __restrict__ a, const float* __restrict__ rs,
               const float* __restrict__ g, const float* __restrict__ b0,
               const float* __restrict__ b1, const float* __restrict__ b2,
               const float* __restrict__ res, float* __restrict__ c0, float* __restrict__ c1,
               float* __restrict__ c2, int m, int n, int k, int norm, int gelu, int resid) {
  const float* b = blockIdx.z == 0 ? b0 : blockIdx.z == 1 ? b1 : b2;
  float* c = blockIdx.z == 0 ? c0 : blockIdx.z == 1 ? c1 : c2;
  int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
  float acc[2][2] = {};
  tile_product<false>(
      [&](int i, int p) {
        int r = row0 + i;
        if (r >= m || p >= k) return 0.0f;
        float av = a[(long long)r * k + p];
        return norm ? av * rs[r] * g[p] : av;
      },
      [&](int p, int j) {
        int cl = col0 + j;
        return (p < k && cl < n) ? b[(long long)p * n + cl] : 0.0f;
      },
      k, acc);
#pragma unroll
  for (int i = 0; i < 2; ++i)
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      int r = row0 + 2 * threadIdx.y + i, cl = col0 + 2 * threadIdx.x + j;
      if (r >= m || cl >= n) continue;
      float z = acc[i][j];
      if (gelu) z = gelu1(z);
      if (resid) z += res[(long long)r * n + cl];
      c[(long long)r * n + cl] = z;
    }
}
