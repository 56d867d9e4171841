// gqa: query head h uses key/value head h / (H / G): q [S, H*D], k, v [T, G*D], o [S, H*D].
// Write the kernel body.
//@ [[launch]]
//@ kernel = "attention"
//@ grid = ["cdiv(S, 128)", "H"]
//@ block = [128]
//@ args = ["q", "k", "v", "o", "S", "T", "H", "G", "D"]

extern "C" __global__ void attention(const float* q, const float* k, const float* v, float* o,
                                     int s, int t, int h, int g, int d) {
  // TODO: head blockIdx.y, one query row per thread
}
