// attention_scores: one launch, one warp per query row and eight rows per block. Keys stream
// through shared memory in tiles of 32 rows (padded to D + 1: conflict-free) shared by the
// block's rows; lane l scores key t0 + l against the query (in shared memory, pre-scaled by
// log2(e) / sqrt(D)), writes the raw score to its place in p (coalesced) and keeps an online
// max and sum; a second pass over the row turns the scores it wrote into probabilities.
//@ [[launch]]
//@ kernel = "scores_softmax"
//@ grid = ["cdiv(S, 8)"]
//@ block = [256]
//@ shared = "(32 * (D + 1) + 8 * D) * 4"
//@ args = ["q", "k", "p", "S", "T", "D"]

#define WARPS 8
#define KT 32

__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

extern "C" __global__ void __launch_bounds__(WARPS * 32)
    scores_softmax(const float* __restrict__ q, const float* __restrict__ k,
                   float* __restrict__ p, int S, int T, int D) {
  extern __shared__ float smem[];
  float* ks = smem;               // [KT][D + 1]
  float* qs = ks + KT * (D + 1);  // [WARPS][D]
  int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int row0 = blockIdx.x * WARPS, row = row0 + warp;
  float scale = 1.4426950408889634f / sqrtf((float)D);
  for (int idx = threadIdx.x; idx < WARPS * D; idx += WARPS * 32) {
    int r = idx / D;
    qs[idx] = row0 + r < S ? q[(long long)row0 * D + idx] * scale : 0.0f;
  }
  const float* qr = qs + warp * D;
  float* pr = p + (long long)row * T;
  float m = -INFINITY, l = 0.0f;
  for (int t0 = 0; t0 < T; t0 += KT) {
    __syncthreads();
    for (int idx = threadIdx.x; idx < KT * D; idx += WARPS * 32) {
      int r = idx / D, d = idx - r * D;
      ks[r * (D + 1) + d] = t0 + r < T ? k[(long long)(t0 + r) * D + d] : 0.0f;
    }
    __syncthreads();
    int t = t0 + lane;
    const float* kr = ks + lane * (D + 1);
    float sc = 0.0f;
    for (int d = 0; d < D; ++d) sc = fmaf(qr[d], kr[d], sc);
    sc = t < T ? sc : -INFINITY;
    float mnew = fmaxf(m, warp_max(sc));
    l = fmaf(l, exp2f(m - mnew), warp_sum(t < T ? exp2f(sc - mnew) : 0.0f));
    m = mnew;
    if (row < S && t < T) pr[t] = sc;
  }
  if (row >= S) return;
  float inv = 1.0f / l;
  for (int t = lane; t < T; t += 32) pr[t] = exp2f(pr[t] - m) * inv;
}
