// gelu: four elements per thread with 16-byte loads and stores; 0.5 * (1 + tanh(u)) is
// rewritten as the logistic function of 2u: one fast exp and one fast divide per element.
// The last thread finishes the at most three elements past the last float4.
//@ [[launch]]
//@ kernel = "gelu4"
//@ grid = ["cdiv(M * N // 4 + 1, 256)"]
//@ block = [256]
//@ args = ["x", "y", "M * N"]

__device__ __forceinline__ float gelu1(float v) {
  // 2 * sqrt(2 / pi) * (v + 0.044715 v^3)
  float u2 = v * fmaf(0.0713548162726f, v * v, 1.5957691216057308f);
  return __fdividef(v, 1.0f + __expf(-u2));
}

extern "C" __global__ void __launch_bounds__(256) gelu4(const float* __restrict__ x,
                                                        float* __restrict__ y, int n) {
  int i = blockIdx.x * 256 + threadIdx.x;
  int n4 = n >> 2;
  if (i < n4) {
    float4 v = reinterpret_cast<const float4*>(x)[i];
    reinterpret_cast<float4*>(y)[i] = make_float4(gelu1(v.x), gelu1(v.y), gelu1(v.z), gelu1(v.w));
  } else if (i == n4) {
    for (int j = 4 * n4; j < n; ++j) y[j] = gelu1(x[j]);
  }
}
