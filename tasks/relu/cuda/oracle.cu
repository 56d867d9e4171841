// relu: four elements per thread with 16-byte loads and stores (memory-bound), the index
// from the compile-time block size (no extra instructions per element); the last
// thread finishes the at most three elements past the last float4.
//@ [[launch]]
//@ kernel = "relu4"
//@ grid = ["cdiv(M * N // 4 + 1, 256)"]
//@ block = [256]
//@ args = ["x", "y", "M * N"]

extern "C" __global__ void __launch_bounds__(256) relu4(const float* __restrict__ x,
                                                        float* __restrict__ y, int n) {
  int i = blockIdx.x * 256 + threadIdx.x;
  int n4 = n >> 2;
  if (i < n4) {
    float4 v = reinterpret_cast<const float4*>(x)[i];
    reinterpret_cast<float4*>(y)[i] =
        make_float4(fmaxf(v.x, 0.0f), fmaxf(v.y, 0.0f), fmaxf(v.z, 0.0f), fmaxf(v.w, 0.0f));
  } else if (i == n4) {
    for (int j = 4 * n4; j < n; ++j) y[j] = fmaxf(x[j], 0.0f);
  }
}
