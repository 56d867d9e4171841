// softmax_matmul: one launch with an online softmax: one warp per row of s, eight rows per
// block; the rows of v stream through shared memory in tiles of 32 shared by the block's
// rows, lane l reads s[row, t0 + l] (coalesced), warp shuffles give the tile's max and sum,
// the running max rescales the accumulators, and every lane accumulates output dims lane,
// lane + 32, ... (D <= 128). The probabilities never go to memory.
//@ [[launch]]
//@ kernel = "softmax_pv"
//@ grid = ["cdiv(S, 8)"]
//@ block = [256]
//@ shared = "32 * D * 4"
//@ args = ["s", "v", "o", "S", "T", "D"]

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
    softmax_pv(const float* __restrict__ s, const float* __restrict__ v, float* __restrict__ o,
               int S, int T, int D) {
  extern __shared__ float vs[];  // [KT][D]
  int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int row = blockIdx.x * WARPS + warp;
  const float* sr = s + (long long)min(row, S - 1) * T;
  float m = -INFINITY, l = 0.0f, acc[DREG] = {};
  for (int t0 = 0; t0 < T; t0 += KT) {
    __syncthreads();
    for (int idx = threadIdx.x; idx < KT * D; idx += WARPS * 32) {
      int r = idx / D;
      vs[idx] = t0 + r < T ? v[(long long)t0 * D + idx] : 0.0f;
    }
    __syncthreads();
    int t = t0 + lane;
    float sc = t < T ? sr[t] * 1.4426950408889634f : -INFINITY;
    float mnew = fmaxf(m, warp_max(sc));
    float p = t < T ? exp2f(sc - mnew) : 0.0f;
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
  if (row >= S) return;
  float inv = 1.0f / l;
#pragma unroll
  for (int r = 0; r < DREG; ++r)
    if (lane + 32 * r < D) o[(long long)row * D + lane + 32 * r] = acc[r] * inv;
}
