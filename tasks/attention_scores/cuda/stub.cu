// attention_scores: p = softmax(q @ k^T / sqrt(D)) per row, q [S, D], k [T, D], p [S, T].
// Write the kernel body.
//@ [[launch]]
//@ kernel = "attention_scores"
//@ grid = ["cdiv(S, 128)"]
//@ block = [128]
//@ args = ["q", "k", "p", "S", "T", "D"]

extern "C" __global__ void attention_scores(const float* q, const float* k, float* p, int s,
                                            int t, int d) {
  // TODO: one query row per thread: its scores, then their softmax
}
