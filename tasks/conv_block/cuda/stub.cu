// conv_block: h = relu(conv2d(x, w1) + b1) (valid, stride 1, channels last), then
// y = relu(h @ w2 + b2) per pixel. Write the kernel bodies.
//@ [scratch]
//@ h = "(H - KH + 1) * (W - KW + 1) * F"
//@
//@ [[launch]]
//@ kernel = "conv_relu"
//@ grid = ["cdiv((H - KH + 1) * (W - KW + 1) * F, 256)"]
//@ block = [256]
//@ args = ["x", "w1", "b1", "h", "H", "W", "C", "F", "KH", "KW"]
//@
//@ [[launch]]
//@ kernel = "pointwise_relu"
//@ grid = ["cdiv(G, 16)", "cdiv((H - KH + 1) * (W - KW + 1), 16)"]
//@ block = [16, 16]
//@ args = ["h", "w2", "b2", "y", "(H - KH + 1) * (W - KW + 1)", "G", "F"]

extern "C" __global__ void conv_relu(const float* x, const float* w, const float* bias, float* y,
                                     int h, int wd, int c, int f, int kh, int kw) {
  // TODO: one element of h per thread
}

extern "C" __global__ void pointwise_relu(const float* x, const float* w, const float* b,
                                          float* y, int m, int n, int k) {
  // TODO: y[row, col] = relu(sum_p x[row, p] * w[p, col] + b[col])
}
