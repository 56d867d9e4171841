// depthwise_conv2d: four channels per thread with 16-byte loads of x and w and 16-byte
// stores of y when C is a multiple of 4 (channels fastest across the threads: coalesced),
// so every load serves four outputs; the window's weights are reused from the caches by
// all pixels. Other C: the same loop one channel at a time.
//@ [[launch]]
//@ kernel = "dwconv4"
//@ grid = ["cdiv((H - KH + 1) * (W - KW + 1) * cdiv(C, 4), 256)"]
//@ block = [256]
//@ args = ["x", "w", "y", "H", "W", "C", "KH", "KW"]

extern "C" __global__ void __launch_bounds__(256) dwconv4(const float* __restrict__ x,
                                                          const float* __restrict__ w,
                                                          float* __restrict__ y, int h, int wd,
                                                          int c, int kh, int kw) {
  int oh = h - kh + 1, ow = wd - kw + 1, c4 = (c + 3) >> 2;
  int idx = blockIdx.x * 256 + threadIdx.x;
  if (idx >= oh * ow * c4) return;
  int q = idx % c4, pix = idx / c4, j = pix % ow, i = pix / ow;
  if ((c & 3) == 0) {
    float4 acc = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    for (int a = 0; a < kh; ++a)
      for (int b = 0; b < kw; ++b) {
        float4 xv = reinterpret_cast<const float4*>(x)[((i + a) * wd + (j + b)) * c4 + q];
        float4 wv = reinterpret_cast<const float4*>(w)[(a * kw + b) * c4 + q];
        acc.x = fmaf(xv.x, wv.x, acc.x);
        acc.y = fmaf(xv.y, wv.y, acc.y);
        acc.z = fmaf(xv.z, wv.z, acc.z);
        acc.w = fmaf(xv.w, wv.w, acc.w);
      }
    reinterpret_cast<float4*>(y)[(long long)pix * c4 + q] = acc;
  } else {
    for (int ch = 4 * q; ch < min(4 * q + 4, c); ++ch) {
      float acc = 0.0f;
      for (int a = 0; a < kh; ++a)
        for (int b = 0; b < kw; ++b)
          acc = fmaf(x[((i + a) * wd + (j + b)) * c + ch], w[(a * kw + b) * c + ch], acc);
      y[(long long)pix * c + ch] = acc;
    }
  }
}
