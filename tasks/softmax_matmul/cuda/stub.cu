// softmax_matmul: o = softmax(s) @ v, the softmax over every row of s [S, T], v [T, D].
// Write the kernel body.
//@ [[launch]]
//@ kernel = "softmax_matmul"
//@ grid = ["cdiv(S, 128)"]
//@ block = [128]
//@ args = ["s", "v", "o", "S", "T", "D"]

extern "C" __global__ void softmax_matmul(const float* s, const float* v, float* o, int rows,
                                          int t, int d) {
  // TODO: one row per thread: its max and sum, then the weighted sum of the rows of v
}
