// rope: one thread per two consecutive rotated pairs when R is even: 8-byte loads of x1, x2,
// cos and sin serve four outputs, both outputs of a pair come from the same registers, and
// consecutive threads take consecutive pairs of a head (coalesced); the cos / sin of a
// position are shared by the H heads through the caches. Odd R: one pair per thread.
//@ [[launch]]
//@ kernel = "rope_pairs"
//@ grid = ["cdiv(S * H * cdiv(R, 2), 256)"]
//@ block = [256]
//@ args = ["x", "cos", "sin", "y", "S", "H", "R"]

__device__ __forceinline__ void rotate(const float* __restrict__ x, const float* __restrict__ c,
                                       const float* __restrict__ s, float* __restrict__ y,
                                       long long base, int cs, int r) {
  float x1 = x[base], x2 = x[base + r], cv = c[cs], sv = s[cs];
  y[base] = fmaf(x1, cv, -x2 * sv);
  y[base + r] = fmaf(x2, cv, x1 * sv);
}

extern "C" __global__ void __launch_bounds__(256) rope_pairs(const float* __restrict__ x,
                                                             const float* __restrict__ c,
                                                             const float* __restrict__ s,
                                                             float* __restrict__ y, int seq,
                                                             int heads, int r) {
  int r2 = (r + 1) >> 1;
  int idx = blockIdx.x * 256 + threadIdx.x;  // (position, head, two pairs)
  if (idx >= seq * heads * r2) return;
  int e = 2 * (idx % r2), sh = idx / r2, pos = sh / heads;
  long long base = (long long)sh * 2 * r + e;
  if ((r & 1) == 0) {
    float2 x1 = *reinterpret_cast<const float2*>(x + base);
    float2 x2 = *reinterpret_cast<const float2*>(x + base + r);
    float2 cv = *reinterpret_cast<const float2*>(c + pos * r + e);
    float2 sv = *reinterpret_cast<const float2*>(s + pos * r + e);
    *reinterpret_cast<float2*>(y + base) =
        make_float2(fmaf(x1.x, cv.x, -x2.x * sv.x), fmaf(x1.y, cv.y, -x2.y * sv.y));
    *reinterpret_cast<float2*>(y + base + r) =
        make_float2(fmaf(x2.x, cv.x, x1.x * sv.x), fmaf(x2.y, cv.y, x1.y * sv.y));
  } else {
    rotate(x, c, s, y, base, pos * r + e, r);
    if (e + 1 < r) rotate(x, c, s, y, base + 1, pos * r + e + 1, r);
  }
}
