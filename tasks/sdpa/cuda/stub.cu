// o = softmax(q @ k^T / sqrt(D)) @ v for q [S, D], k, v [T, D], o [S, D]. Write the kernel body.
//@ [[launch]]
//@ kernel = "attention"
//@ grid = ["cdiv(S, 128)"]
//@ block = [128]
//@ args = ["q", "k", "v", "o", "S", "T", "D"]

extern "C" __global__ void attention(const float* q, const float* k, const float* v, float* o,
                                     int s, int t, int d) {
  // TODO: one query row per thread, or tiles of keys with an online softmax
}
