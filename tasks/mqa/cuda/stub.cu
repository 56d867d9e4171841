// mqa: every query head h of q [S, H*D] attends to the one key/value head k, v [T, D].
// Write the kernel body.
//@ [[launch]]
//@ kernel = "attention"
//@ grid = ["cdiv(S, 128)", "H"]
//@ block = [128]
//@ args = ["q", "k", "v", "o", "S", "T", "H", "D"]

extern "C" __global__ void attention(const float* q, const float* k, const float* v, float* o,
                                     int s, int t, int h, int d) {
  // TODO: head blockIdx.y, one query row per thread
}
