// depthwise_conv2d, naive: one thread per output element, the window from global memory (the
// speed-up baseline).
//@ [[launch]]
//@ kernel = "dwconv_naive"
//@ grid = ["cdiv((H - KH + 1) * (W - KW + 1) * C, 256)"]
//@ block = [256]
//@ args = ["x", "w", "y", "H", "W", "C", "KH", "KW"]

extern "C" __global__ void dwconv_naive(const float* x, const float* w, float* y, int h, int wd,
                                        int c, int kh, int kw) {
  int oh = h - kh + 1, ow = wd - kw + 1;
  int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= oh * ow * c) return;
  int ch = idx % c, j = (idx / c) % ow, i = idx / (c * ow);
  float acc = 0.0f;
  for (int a = 0; a < kh; ++a)
    for (int b = 0; b < kw; ++b) acc += x[((i + a) * wd + (j + b)) * c + ch] * w[(a * kw + b) * c + ch];
  y[idx] = acc;
}
