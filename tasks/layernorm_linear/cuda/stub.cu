// layernorm_linear: y = layernorm(x) @ w + b, layernorm(x) = (x - mean) / sqrt(var + 1e-5)
// * g + beta per row of x [M, K]; w [K, N], b [N]. Write the kernel body.
//@ [[launch]]
//@ kernel = "layernorm_linear"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["x", "g", "beta", "w", "b", "y", "M", "N", "K"]

extern "C" __global__ void layernorm_linear(const float* x, const float* g, const float* beta,
                                            const float* w, const float* b, float* y, int m,
                                            int n, int k) {
  // TODO: normalise row `row` of x, then its dot product with column `col` of w
}
