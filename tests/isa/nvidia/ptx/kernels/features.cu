#include <cuda_fp16.h>
#include <cuda_bf16.h>
// One kernel per group of CUDA features; each thread writes results the test checks.

extern "C" __global__ void intrinsics(const unsigned* x, unsigned* out) {
  int t = threadIdx.x;
  unsigned v = x[t];
  out[8 * t + 0] = __popc(v);
  out[8 * t + 1] = __clz(v);
  out[8 * t + 2] = __brev(v);
  out[8 * t + 3] = __ballot_sync(0xffffffffu, v & 1);
  out[8 * t + 4] = __any_sync(0xffffffffu, v == 7u) + 2 * __all_sync(0xffffffffu, v != 0u);
  out[8 * t + 5] = v / 7u + v % 13u;
  out[8 * t + 6] = (unsigned)((int)v / -5);
  out[8 * t + 7] = __syncthreads_count(v & 2);
}

extern "C" __global__ void local_array(const int* idx, int* out) {
  int t = threadIdx.x;
  int a[16];
  for (int i = 0; i < 16; ++i) a[i] = t * i;
  out[t] = a[idx[t] & 15];  // dynamic index: the array lives in local memory
}

__device__ float atomic_max_float(float* addr, float v) {
  int* p = (int*)addr;
  int old = *p, assumed;
  do {
    assumed = old;
    old = atomicCAS(p, assumed, __float_as_int(fmaxf(v, __int_as_float(assumed))));
  } while (assumed != old);
  return __int_as_float(old);
}

extern "C" __global__ void cas_max(const float* x, float* m, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) atomic_max_float(m, x[i]);
}

extern "C" __global__ void halves(const __half* a, const __nv_bfloat16* b, float* out) {
  int t = threadIdx.x;
  __half2 h = __halves2half2(a[2 * t], a[2 * t + 1]);
  __half2 s = __hmul2(h, h);
  s = __hadd2(s, h);
  __nv_bfloat16 q = __hmul(b[t], b[t]);
  out[3 * t + 0] = __low2float(s);
  out[3 * t + 1] = __high2float(s);
  out[3 * t + 2] = __bfloat162float(q);
}

extern "C" __global__ void doubles(const double* x, double* out) {
  int t = threadIdx.x;
  double v = x[t];
  out[4 * t + 0] = exp(v);
  out[4 * t + 1] = log(v);
  out[4 * t + 2] = sqrt(v) / (v + 1.0);
  out[4 * t + 3] = (double)(long long)(v * 1e6);
}

extern "C" __global__ void fast_math(const float* x, float* out) {
  int t = threadIdx.x;
  float v = x[t];
  out[4 * t + 0] = __expf(v);
  out[4 * t + 1] = __fdividef(v, 3.0f);
  out[4 * t + 2] = __saturatef(v);
  out[4 * t + 3] = erff(v) + log1pf(v) + powf(v, 1.5f);
}

__constant__ float coeffs[4] = {1.5f, 2.5f, 3.5f, 4.5f};
__device__ int counter = 5;

extern "C" __global__ void globals(float* out) {
  int t = threadIdx.x;
  int before = atomicAdd(&counter, 1);
  out[t] = coeffs[t & 3] * 10.0f + (before >= 5 ? 1.0f : -1.0f);
}
