// sdpa: one launch, the scores never leave the chip.
//@ [[launch]]
//@ kernel = "attn_online"
//@ grid = ["cdiv(S, 8)", "1"]
//@ block = [256]
//@ shared = "(32 * (D + 1) + 32 * D + 8 * D) * 4"
//@ args = ["q", "k", "v", "o", "S", "T", "D", "D", "D", "1", 0]

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
