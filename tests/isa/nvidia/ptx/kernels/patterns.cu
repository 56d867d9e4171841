// Patterns from public kernels that the emulator must run as a GPU does (issue 12):
// device assert and printf, warpSize, early return before __syncthreads, a spin lock
// contended by several blocks, and a device function nvcc does not inline.
#include <cassert>
#include <cstdio>

extern "C" __global__ void checked_double(const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    assert(x[i] >= 0.0f);
    y[i] = 2.0f * x[i];
  }
}

extern "C" __global__ void chatty_copy(const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < 3) printf("thread %d: x=%.2f n=%d %s\n", i, x[i], n, "ok");
  if (i < n) y[i] = x[i];
}

extern "C" __global__ void warp_size(int* y) {
  y[blockIdx.x * blockDim.x + threadIdx.x] = warpSize + threadIdx.x % warpSize;
}

// Threads past n return before the barrier the rest of the block reaches (sm_70+ runs it).
extern "C" __global__ void reverse_in_block(const float* x, float* y, int n) {
  __shared__ float tile[256];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  tile[threadIdx.x] = x[i];
  __syncthreads();
  int last = min((int)blockDim.x, n - (int)(blockIdx.x * blockDim.x)) - 1;
  y[i] = tile[last - threadIdx.x];
}

// A barrier that live threads skip: still an error.
extern "C" __global__ void skipped_barrier(float* y) {
  if (threadIdx.x < 16) {
    y[threadIdx.x] = 1.0f;
  } else {
    __syncthreads();
    y[threadIdx.x] = 2.0f;
  }
  __syncthreads();
}

// Thread 0 of every block takes one global lock and adds its block's sum to a total
// non-atomically: correct only if the lock excludes the other blocks.
extern "C" __global__ void locked_sum(const float* x, float* total, int* lock, int* order) {
  __shared__ float partial[128];
  partial[threadIdx.x] = x[blockIdx.x * blockDim.x + threadIdx.x];
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    while (atomicCAS(lock, 0, 1) != 0) {
    }
    __threadfence();
    volatile float* t = total;
    volatile int* o = order;
    float before = *t;
    int k = o[0];
    o[0] = k + 1;
    o[1 + k] = blockIdx.x;
    *t = before + partial[0];
    __threadfence();
    atomicExch(lock, 0);
  }
}
