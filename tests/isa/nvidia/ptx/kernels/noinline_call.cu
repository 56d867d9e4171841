// A device function nvcc does not inline: the emulator names it instead of running it.
__device__ __noinline__ float triple(float a) { return 3.0f * a; }

extern "C" __global__ void calls_helper(float* y) {
  y[threadIdx.x] = triple(y[threadIdx.x]);
}
