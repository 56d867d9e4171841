// depthwise_conv2d: y[i, j, c] = sum_{a, b} x[i + a, j + b, c] * w[a, b, c] for x [H, W, C],
// w [KH, KW, C], y [H - KH + 1, W - KW + 1, C]. Write the kernel body.
//@ [[launch]]
//@ kernel = "dwconv_naive"
//@ grid = ["cdiv((H - KH + 1) * (W - KW + 1) * C, 256)"]
//@ block = [256]
//@ args = ["x", "w", "y", "H", "W", "C", "KH", "KW"]

extern "C" __global__ void dwconv_naive(const float* x, const float* w, float* y, int h, int wd,
                                        int c, int kh, int kw) {
  // TODO: one output element per thread
}
