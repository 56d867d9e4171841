// relu: y = max(x, 0) elementwise over M * N elements. Write the kernel body.
//@ [[launch]]
//@ kernel = "relu"
//@ grid = ["cdiv(M * N, 256)"]
//@ block = [256]
//@ args = ["x", "y", "M * N"]

extern "C" __global__ void relu(const float* x, float* y, int n) {
  // TODO: y[i] = max(x[i], 0) for every i < n
}
