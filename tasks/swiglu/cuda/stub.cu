// swiglu: y = silu(x @ wg) * (x @ wu) for x [M, K], wg, wu [K, N], silu(z) = z / (1 + exp(-z)).
// Write the kernel body.
//@ [[launch]]
//@ kernel = "swiglu_naive"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["x", "wg", "wu", "y", "M", "N", "K"]

extern "C" __global__ void swiglu_naive(const float* x, const float* wg, const float* wu, float* y,
                                        int m, int n, int k) {
  // TODO: both dot products of row `row` of x with column `col` of wg and wu
}
