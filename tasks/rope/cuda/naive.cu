// rope, naive: one thread per output element (the speed-up baseline).
//@ [[launch]]
//@ kernel = "rope_naive"
//@ grid = ["cdiv(S * H * 2 * R, 256)"]
//@ block = [256]
//@ args = ["x", "cos", "sin", "y", "S", "H", "R"]

extern "C" __global__ void rope_naive(const float* x, const float* c, const float* s, float* y,
                                      int seq, int heads, int r) {
  int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= seq * heads * 2 * r) return;
  int e = idx % (2 * r), pos = idx / (2 * heads * r);
  int base = idx - e;
  if (e < r)
    y[idx] = x[base + e] * c[pos * r + e] - x[base + e + r] * s[pos * r + e];
  else
    y[idx] = x[base + e] * c[pos * r + e - r] + x[base + e - r] * s[pos * r + e - r];
}
