// conv2d, naive: one thread per output element (pixel, filter), the whole window from global
// memory (the speed-up baseline).
//@ [[launch]]
//@ kernel = "conv2d_naive"
//@ grid = ["cdiv((H - KH + 1) * (W - KW + 1) * F, 256)"]
//@ block = [256]
//@ args = ["x", "w", "y", "H", "W", "C", "F", "KH", "KW"]

extern "C" __global__ void conv2d_naive(const float* x, const float* w, float* y, int h, int wd,
                                        int c, int f, int kh, int kw) {
  int oh = h - kh + 1, ow = wd - kw + 1;
  int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= oh * ow * f) return;
  int fo = idx % f, j = (idx / f) % ow, i = idx / (f * ow);
  float acc = 0.0f;
  for (int a = 0; a < kh; ++a)
    for (int b = 0; b < kw; ++b)
      for (int ch = 0; ch < c; ++ch)
        acc += x[((i + a) * wd + (j + b)) * c + ch] * w[((a * kw + b) * c + ch) * f + fo];
  y[idx] = acc;
}
