// swiglu: both products in one pass over K: 32x32 tiles of y per block of 16x16 threads, the x
// tile staged once in shared memory for both weight tiles (rows padded to 34 floats, read as
// float2), 2x2 outputs of each product per thread in registers, silu(g) * u fused in the
// store (neither product goes to memory).
//@ [[launch]]
//@ kernel = "swiglu_tiled"
//@ grid = ["cdiv(N, 32)", "cdiv(M, 32)"]
//@ block = [16, 16]
//@ args = ["x", "wg", "wu", "y", "M", "N", "K"]

#define BM 32
#define BN 32
#define BK 16
#define PAD 34

extern "C" __global__ void __launch_bounds__(256)
    swiglu_tiled(const float* __restrict__ x, const float* __restrict__ wg,
                 const float* __restrict__ wu, float* __restrict__ y, int m, int n, int k) {
  __shared__ __align__(16) float as[BK][PAD];
  __shared__ __align__(16) float gs[BK][PAD];
  __shared__ __align__(16) float us[BK][PAD];
  int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
  int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
  float ga[2][2] = {}, ua[2][2] = {};
  for (int k0 = 0; k0 < k; k0 += BK) {
#pragma unroll
    for (int e = 0; e < 2; ++e) {
      int idx = tid + 256 * e;
      int am = idx / BK, ak = idx % BK, r = row0 + am, p = k0 + ak;
      as[ak][am] = (r < m && p < k) ? x[(long long)r * k + p] : 0.0f;
      int bk = idx / BN, bn = idx % BN, pb = k0 + bk, cl = col0 + bn;
      bool in = pb < k && cl < n;
      gs[bk][bn] = in ? wg[(long long)pb * n + cl] : 0.0f;
      us[bk][bn] = in ? wu[(long long)pb * n + cl] : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int p = 0; p < BK; ++p) {
      float2 a2 = *reinterpret_cast<const float2*>(&as[p][2 * ty]);
      float2 g2 = *reinterpret_cast<const float2*>(&gs[p][2 * tx]);
      float2 u2 = *reinterpret_cast<const float2*>(&us[p][2 * tx]);
      float a[2] = {a2.x, a2.y}, gv[2] = {g2.x, g2.y}, uv[2] = {u2.x, u2.y};
#pragma unroll
      for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 2; ++j) {
          ga[i][j] = fmaf(a[i], gv[j], ga[i][j]);
          ua[i][j] = fmaf(a[i], uv[j], ua[i][j]);
        }
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 2; ++i)
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      int r = row0 + 2 * ty + i, cl = col0 + 2 * tx + j;
      float g = ga[i][j];
      if (r < m && cl < n) y[(long long)r * n + cl] = __fdividef(g, 1.0f + __expf(-g)) * ua[i][j];
    }
}
