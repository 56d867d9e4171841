// conv_block, naive: h = relu(conv2d(x, w1) + b1) one thread per element into a scratch
// buffer, then y = relu(h @ w2 + b2) one thread per element (the speed-up baseline).
//@ [scratch]
//@ h = "(H - KH + 1) * (W - KW + 1) * F"
//@
//@ [[launch]]
//@ kernel = "conv_relu_naive"
//@ grid = ["cdiv((H - KH + 1) * (W - KW + 1) * F, 256)"]
//@ block = [256]
//@ args = ["x", "w1", "b1", "h", "H", "W", "C", "F", "KH", "KW"]
//@
//@ [[launch]]
//@ kernel = "pointwise_relu_naive"
//@ grid = ["cdiv(G, 16)", "cdiv((H - KH + 1) * (W - KW + 1), 16)"]
//@ block = [16, 16]
//@ args = ["h", "w2", "b2", "y", "(H - KH + 1) * (W - KW + 1)", "G", "F"]

extern "C" __global__ void conv_relu_naive(const float* x, const float* w, const float* bias,
                                           float* y, int h, int wd, int c, int f, int kh,
                                           int kw) {
  int oh = h - kh + 1, ow = wd - kw + 1;
  int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= oh * ow * f) return;
  int fo = idx % f, j = (idx / f) % ow, i = idx / (f * ow);
  float acc = 0.0f;
  for (int a = 0; a < kh; ++a)
    for (int b = 0; b < kw; ++b)
      for (int ch = 0; ch < c; ++ch)
        acc += x[((i + a) * wd + (j + b)) * c + ch] * w[((a * kw + b) * c + ch) * f + fo];
  y[idx] = fmaxf(acc + bias[fo], 0.0f);
}

extern "C" __global__ void pointwise_relu_naive(const float* x, const float* w, const float* b,
                                                float* y, int m, int n, int k) {
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  int row = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= m || col >= n) return;
  float acc = 0.0f;
  for (int p = 0; p < k; ++p) acc += x[(long long)row * k + p] * w[(long long)p * n + col];
  y[(long long)row * n + col] = fmaxf(acc + b[col], 0.0f);
}
