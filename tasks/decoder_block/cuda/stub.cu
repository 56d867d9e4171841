// decoder_block: one pre-norm decoder block on x [S, E], E = H * D (see the statement):
// a = rmsnorm(x) * g1; q, k, v = a @ wq, a @ wk, a @ wv; causal attention per head;
// h1 = x + attn @ wo; y = h1 + gelu(rmsnorm(h1) * g2 @ w1) @ w2. Write the kernels and
// the launches (scratch buffers and several launches are allowed).
//@ [[launch]]
//@ kernel = "decoder_block"
//@ grid = ["cdiv(S, 128)"]
//@ block = [128]
//@ args = ["x", "g1", "wq", "wk", "wv", "wo", "g2", "w1", "w2", "y", "S", "H", "D", "F"]

extern "C" __global__ void decoder_block(const float* x, const float* g1, const float* wq,
                                         const float* wk, const float* wv, const float* wo,
                                         const float* g2, const float* w1, const float* w2,
                                         float* y, int s, int h, int d, int f) {
  // TODO
}
