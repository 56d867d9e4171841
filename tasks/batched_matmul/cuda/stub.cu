// batched_matmul: c[z] = a[z] @ b[z] for a [B, M, K], b [B, K, N], c [B, M, N].
// Write the kernel body.
//@ [[launch]]
//@ kernel = "bmm_naive"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)", "B"]
//@ block = [16, 16]
//@ args = ["a", "b", "c", "M", "N", "K"]

extern "C" __global__ void bmm_naive(const float* a, const float* b, float* c, int m, int n,
                                     int k) {
  // TODO: batch blockIdx.z; c[z, row, col] = sum_p a[z, row, p] * b[z, p, col]
}
