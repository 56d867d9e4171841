// ffn: y = gelu(x @ w1 + b1) @ w2 + b2 for x [M, E], w1 [E, F], b1 [F], w2 [F, E], b2 [E]
// (gelu in its tanh form). Write the kernel bodies.
//@ [scratch]
//@ h = "M * F"
//@
//@ [[launch]]
//@ kernel = "linear_gelu"
//@ grid = ["cdiv(F, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["x", "w1", "b1", "h", "M", "F", "E"]
//@
//@ [[launch]]
//@ kernel = "linear"
//@ grid = ["cdiv(E, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["h", "w2", "b2", "y", "M", "E", "F"]

extern "C" __global__ void linear_gelu(const float* x, const float* w, const float* b, float* y,
                                       int m, int n, int k) {
  // TODO: y[row, col] = gelu(sum_p x[row, p] * w[p, col] + b[col])
}

extern "C" __global__ void linear(const float* x, const float* w, const float* b, float* y, int m,
                                  int n, int k) {
  // TODO: y[row, col] = sum_p x[row, p] * w[p, col] + b[col]
}
