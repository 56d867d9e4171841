// softmax: one block per row; coalesced strided passes, warp-shuffle and shared-memory
// reductions for the max and the sum.
//@ [[launch]]
//@ kernel = "softmax_block"
//@ grid = ["M"]
//@ block = [256]
//@ args = ["x", "y", "N"]

#define THREADS 256
#define WARPS (THREADS / 32)

__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

extern "C" __global__ void softmax_block(const float* __restrict__ x, float* __restrict__ y, int n) {
  __shared__ float red[WARPS];
  const float* xr = x + (long long)blockIdx.x * n;
  float* yr = y + (long long)blockIdx.x * n;
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;

  float mx = -INFINITY;
  for (int j = threadIdx.x; j < n; j += THREADS) mx = fmaxf(mx, xr[j]);
  mx = warp_max(mx);
  if (lane == 0) red[warp] = mx;
  __syncthreads();
  mx = red[lane < WARPS ? lane : 0];
  mx = warp_max(mx);
  __syncthreads();

  float sum = 0.0f;
  for (int j = threadIdx.x; j < n; j += THREADS) sum += __expf(xr[j] - mx);
  sum = warp_sum(sum);
  if (lane == 0) red[warp] = sum;
  __syncthreads();
  sum = lane < WARPS ? red[lane] : 0.0f;
  sum = warp_sum(sum);

  float inv = 1.0f / sum;
  for (int j = threadIdx.x; j < n; j += THREADS) yr[j] = __expf(xr[j] - mx) * inv;
}
