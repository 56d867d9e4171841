// silu for AMD: four elements per thread with 16-byte loads and stores, v_exp and v_rcp
// (no IEEE division sequence).
//@ [[launch]]
//@ kernel = "silu4"
//@ grid = ["cdiv(cdiv(M * N, 4), 256)"]
//@ block = [256]
//@ args = ["x", "y", "M * N"]

#include <hip/hip_runtime.h>

__device__ __forceinline__ float silu1(float v) { return __fdividef(v, 1.0f + __expf(-v)); }

extern "C" __global__ void silu4(const float* __restrict__ x, float* __restrict__ y, int n) {
  int i = 4 * (blockIdx.x * blockDim.x + threadIdx.x);
  if (i + 3 < n) {
    float4 v = *reinterpret_cast<const float4*>(x + i);
    float4 r = make_float4(silu1(v.x), silu1(v.y), silu1(v.z), silu1(v.w));
    *reinterpret_cast<float4*>(y + i) = r;
  } else {
    for (; i < n; ++i) y[i] = silu1(x[i]);
  }
}
