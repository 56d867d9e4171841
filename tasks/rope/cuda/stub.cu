// rope: for x [S, H, 2R], cos, sin [S, R]: y[s, h, :R] = x1 * cos[s] - x2 * sin[s] and
// y[s, h, R:] = x2 * cos[s] + x1 * sin[s], x1 = x[s, h, :R], x2 = x[s, h, R:].
// Write the kernel body.
//@ [[launch]]
//@ kernel = "rope_naive"
//@ grid = ["cdiv(S * H * 2 * R, 256)"]
//@ block = [256]
//@ args = ["x", "cos", "sin", "y", "S", "H", "R"]

extern "C" __global__ void rope_naive(const float* x, const float* c, const float* s, float* y,
                                      int seq, int heads, int r) {
  // TODO: one output element per thread
}
