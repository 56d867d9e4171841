// conv2d: y[i, j, f] = sum_{a, b, c} x[i + a, j + b, c] * w[a, b, c, f] for x [H, W, C],
// w [KH, KW, C, F], y [H - KH + 1, W - KW + 1, F]. Write the kernel body.
//@ [[launch]]
//@ kernel = "conv2d_naive"
//@ grid = ["cdiv((H - KH + 1) * (W - KW + 1) * F, 256)"]
//@ block = [256]
//@ args = ["x", "w", "y", "H", "W", "C", "F", "KH", "KW"]

extern "C" __global__ void conv2d_naive(const float* x, const float* w, float* y, int h, int wd,
                                        int c, int f, int kh, int kw) {
  // TODO: one output element per thread
}
