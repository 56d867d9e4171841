// kernelwright's HIP device header: the HIP device API mapped onto clang's AMDGPU builtins.
// Compiled with clang -x hip --offload-arch=gfx942 --cuda-device-only -nogpulib -nogpuinc, so
// nothing here calls a device library: every function is inline and lowers to instructions.
// Covered: threadIdx/blockIdx/blockDim/gridDim, warpSize (64), __syncthreads, __threadfence,
// __shfl/__shfl_xor/__shfl_down/__shfl_up (64 lanes), __ballot, atomics (add, sub, max, min,
// exch, cas, and, or), float math (expf, exp2f, logf, log2f, sqrtf, rsqrtf, tanhf, erff, ...),
// __half (_Float16), __hip_bfloat16, float2/float4/int2/int4, MFMA through the
// __builtin_amdgcn_mfma_* builtins. Not covered: printf, assert, dynamic parallelism, textures,
// cooperative groups, the host API.
#pragma once
#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __host__ __attribute__((host))
#define __shared__ __attribute__((shared))
#define __constant__ __attribute__((constant))
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...) __attribute__((amdgpu_flat_work_group_size(1, 1024)))
#define HIP_DYNAMIC_SHARED(type, var) extern __shared__ type var[];
#define __KW_D static __device__ __forceinline__

typedef unsigned int uint;
typedef unsigned long long size_t_kw;
#define warpSize 64
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
#define HUGE_VALF __builtin_huge_valf()

struct __kw_threadIdx_t {
  __declspec(property(get = gx)) unsigned x;
  __declspec(property(get = gy)) unsigned y;
  __declspec(property(get = gz)) unsigned z;
  __device__ unsigned gx() const { return __builtin_amdgcn_workitem_id_x(); }
  __device__ unsigned gy() const { return __builtin_amdgcn_workitem_id_y(); }
  __device__ unsigned gz() const { return __builtin_amdgcn_workitem_id_z(); }
};
struct __kw_blockIdx_t {
  __declspec(property(get = gx)) unsigned x;
  __declspec(property(get = gy)) unsigned y;
  __declspec(property(get = gz)) unsigned z;
  __device__ unsigned gx() const { return __builtin_amdgcn_workgroup_id_x(); }
  __device__ unsigned gy() const { return __builtin_amdgcn_workgroup_id_y(); }
  __device__ unsigned gz() const { return __builtin_amdgcn_workgroup_id_z(); }
};
struct __kw_blockDim_t {
  __declspec(property(get = gx)) unsigned x;
  __declspec(property(get = gy)) unsigned y;
  __declspec(property(get = gz)) unsigned z;
  __device__ unsigned gx() const { return __builtin_amdgcn_workgroup_size_x(); }
  __device__ unsigned gy() const { return __builtin_amdgcn_workgroup_size_y(); }
  __device__ unsigned gz() const { return __builtin_amdgcn_workgroup_size_z(); }
};
// gridDim: the block counts of the implicit kernel arguments (code object v5).
struct __kw_gridDim_t {
  __declspec(property(get = gx)) unsigned x;
  __declspec(property(get = gy)) unsigned y;
  __declspec(property(get = gz)) unsigned z;
  __device__ unsigned g(int i) const {
    return ((const __attribute__((address_space(4))) unsigned*)__builtin_amdgcn_implicitarg_ptr())[i];
  }
  __device__ unsigned gx() const { return g(0); }
  __device__ unsigned gy() const { return g(1); }
  __device__ unsigned gz() const { return g(2); }
};
extern const __device__ __attribute__((weak)) __kw_threadIdx_t threadIdx;
extern const __device__ __attribute__((weak)) __kw_blockIdx_t blockIdx;
extern const __device__ __attribute__((weak)) __kw_blockDim_t blockDim;
extern const __device__ __attribute__((weak)) __kw_gridDim_t gridDim;

__KW_D void __syncthreads() {
  __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup");
  __builtin_amdgcn_s_barrier();
  __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup");
}
__KW_D void __threadfence() { __builtin_amdgcn_fence(__ATOMIC_SEQ_CST, "agent"); }
__KW_D void __threadfence_block() { __builtin_amdgcn_fence(__ATOMIC_SEQ_CST, "workgroup"); }

// ---- lanes and cross-lane operations (wave64) ----
__KW_D unsigned __lane_id() { return __builtin_amdgcn_mbcnt_hi(~0u, __builtin_amdgcn_mbcnt_lo(~0u, 0u)); }
__KW_D int __kw_bperm(int src_lane, int v) { return __builtin_amdgcn_ds_bpermute(src_lane << 2, v); }
__KW_D int __shfl(int v, int src, int width = 64) {
  int self = __lane_id();
  int index = src + (self & ~(width - 1));
  return __kw_bperm(index, v);
}
__KW_D float __shfl(float v, int src, int width = 64) {
  return __builtin_bit_cast(float, __shfl(__builtin_bit_cast(int, v), src, width));
}
__KW_D int __shfl_xor(int v, int mask, int width = 64) {
  int self = __lane_id();
  int index = self ^ mask;
  index = index >= ((self + width) & ~(width - 1)) ? self : index;
  return __kw_bperm(index, v);
}
__KW_D float __shfl_xor(float v, int mask, int width = 64) {
  return __builtin_bit_cast(float, __shfl_xor(__builtin_bit_cast(int, v), mask, width));
}
__KW_D int __shfl_down(int v, unsigned delta, int width = 64) {
  int self = __lane_id();
  int index = self + delta;
  index = (int)((self & (width - 1)) + delta) >= width ? self : index;
  return __kw_bperm(index, v);
}
__KW_D float __shfl_down(float v, unsigned delta, int width = 64) {
  return __builtin_bit_cast(float, __shfl_down(__builtin_bit_cast(int, v), delta, width));
}
__KW_D int __shfl_up(int v, unsigned delta, int width = 64) {
  int self = __lane_id();
  int index = self - delta;
  index = (index < (self & ~(width - 1))) ? self : index;
  return __kw_bperm(index, v);
}
__KW_D float __shfl_up(float v, unsigned delta, int width = 64) {
  return __builtin_bit_cast(float, __shfl_up(__builtin_bit_cast(int, v), delta, width));
}
__KW_D unsigned long long __ballot(int p) { return __builtin_amdgcn_uicmp(p, 0, 33); }

// ---- atomics (device scope, relaxed, like CUDA's) ----
#define __KW_ATOM(name, op, T)                                                        \
  __KW_D T name(T* p, T v) {                                                          \
    return __hip_atomic_##op(p, v, __ATOMIC_RELAXED, __HIP_MEMORY_SCOPE_AGENT);       \
  }
__KW_ATOM(atomicAdd, fetch_add, int)
__KW_ATOM(atomicAdd, fetch_add, unsigned)
__KW_ATOM(atomicAdd, fetch_add, float)
__KW_ATOM(atomicSub, fetch_sub, int)
__KW_ATOM(atomicSub, fetch_sub, unsigned)
__KW_ATOM(atomicMax, fetch_max, int)
__KW_ATOM(atomicMax, fetch_max, unsigned)
__KW_ATOM(atomicMin, fetch_min, int)
__KW_ATOM(atomicMin, fetch_min, unsigned)
__KW_ATOM(atomicAnd, fetch_and, int)
__KW_ATOM(atomicAnd, fetch_and, unsigned)
__KW_ATOM(atomicOr, fetch_or, int)
__KW_ATOM(atomicOr, fetch_or, unsigned)
__KW_ATOM(atomicExch, exchange, int)
__KW_ATOM(atomicExch, exchange, unsigned)
__KW_ATOM(atomicExch, exchange, float)
__KW_D int atomicCAS(int* p, int cmp, int v) {
  __hip_atomic_compare_exchange_strong(p, &cmp, v, __ATOMIC_RELAXED, __ATOMIC_RELAXED,
                                       __HIP_MEMORY_SCOPE_AGENT);
  return cmp;
}
__KW_D unsigned atomicCAS(unsigned* p, unsigned cmp, unsigned v) {
  __hip_atomic_compare_exchange_strong(p, &cmp, v, __ATOMIC_RELAXED, __ATOMIC_RELAXED,
                                       __HIP_MEMORY_SCOPE_AGENT);
  return cmp;
}

// ---- float math: all inline, no library calls ----
__KW_D float expf(float x) { return __builtin_expf(x); }
__KW_D float __expf(float x) { return __builtin_amdgcn_exp2f(x * 1.44269504f); }
__KW_D float exp2f(float x) { return __builtin_exp2f(x); }
__KW_D float logf(float x) { return __builtin_logf(x); }
__KW_D float __logf(float x) { return __builtin_amdgcn_logf(x) * 0.693147181f; }
__KW_D float log2f(float x) { return __builtin_log2f(x); }
__KW_D float sqrtf(float x) { return __builtin_sqrtf(x); }
__KW_D float rsqrtf(float x) { return __builtin_amdgcn_rsqf(x); }
__KW_D float fabsf(float x) { return __builtin_fabsf(x); }
__KW_D float fminf(float a, float b) { return __builtin_fminf(a, b); }
__KW_D float fmaxf(float a, float b) { return __builtin_fmaxf(a, b); }
__KW_D float fmaf(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
__KW_D float floorf(float x) { return __builtin_floorf(x); }
__KW_D float ceilf(float x) { return __builtin_ceilf(x); }
__KW_D float truncf(float x) { return __builtin_truncf(x); }
__KW_D float rintf(float x) { return __builtin_rintf(x); }
__KW_D float copysignf(float a, float b) { return __builtin_copysignf(a, b); }
__KW_D float __fdividef(float a, float b) { return a * __builtin_amdgcn_rcpf(b); }
__KW_D float __frcp_rn(float x) { return 1.0f / x; }
// tanh: a series near zero, 1 - 2 / (exp(2|x|) + 1) elsewhere (error a few ulp).
__KW_D float tanhf(float x) {
  float a = __builtin_fabsf(x);
  float x2 = x * x;
  float p = -0.00886323552990220f;
  p = __builtin_fmaf(p, x2, 0.02186948853615520f);
  p = __builtin_fmaf(p, x2, -0.05396825396825397f);
  p = __builtin_fmaf(p, x2, 0.13333333333333333f);
  p = __builtin_fmaf(p, x2, -0.33333333333333333f);
  float small = __builtin_fmaf(x * x2, p, x);
  float big = 1.0f - 2.0f / (__builtin_expf(2.0f * a) + 1.0f);
  return a < 0.3f ? small : __builtin_copysignf(big, x);
}
// erf: Abramowitz & Stegun 7.1.26 refined (absolute error below 1.5e-7).
__KW_D float erff(float x) {
  float a = __builtin_fabsf(x);
  float t = 1.0f / __builtin_fmaf(0.3275911f, a, 1.0f);
  float y = __builtin_fmaf(1.061405429f, t, -1.453152027f);
  y = __builtin_fmaf(y, t, 1.421413741f);
  y = __builtin_fmaf(y, t, -0.284496736f);
  y = __builtin_fmaf(y, t, 0.254829592f);
  float r = 1.0f - y * t * __builtin_expf(-a * a);
  return __builtin_copysignf(r, x);
}
__KW_D float powf(float a, float b) { return __builtin_exp2f(b * __builtin_log2f(a)); }
__KW_D int min(int a, int b) { return a < b ? a : b; }
__KW_D int max(int a, int b) { return a > b ? a : b; }
__KW_D unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
__KW_D unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
__KW_D float min(float a, float b) { return __builtin_fminf(a, b); }
__KW_D float max(float a, float b) { return __builtin_fmaxf(a, b); }

// ---- vector types ----
struct __attribute__((aligned(8))) float2 { float x, y; };
struct __attribute__((aligned(16))) float4 { float x, y, z, w; };
struct __attribute__((aligned(8))) int2 { int x, y; };
struct __attribute__((aligned(16))) int4 { int x, y, z, w; };
__KW_D float2 make_float2(float x, float y) { return {x, y}; }
__KW_D float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
__KW_D int2 make_int2(int x, int y) { return {x, y}; }
__KW_D int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }

// ---- half and bfloat16 ----
typedef _Float16 __half;
typedef _Float16 half;
typedef _Float16 __kw_half4 __attribute__((ext_vector_type(4)));
typedef short __kw_short4 __attribute__((ext_vector_type(4)));
typedef float __kw_float4 __attribute__((ext_vector_type(4)));
typedef float __kw_float16 __attribute__((ext_vector_type(16)));
__KW_D __half __float2half(float x) { return (__half)x; }
__KW_D float __half2float(__half x) { return (float)x; }
struct __hip_bfloat16 {
  unsigned short data;
};
__KW_D __hip_bfloat16 __float2bfloat16(float f) {
  unsigned u = __builtin_bit_cast(unsigned, f);
  unsigned r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;  // round to nearest even
  if ((u & 0x7fffffffu) > 0x7f800000u) r = (u >> 16) | 0x40u;  // NaN stays NaN
  return {(unsigned short)r};
}
__KW_D float __bfloat162float(__hip_bfloat16 b) {
  return __builtin_bit_cast(float, (unsigned)b.data << 16);
}
