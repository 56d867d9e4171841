// Kernels with planted bugs: the sanitizer must name each bug's line.
extern "C" __global__ void oob_store(float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  y[i] = 2.0f * i;  // BUG: no `if (i < n)`
}

extern "C" __global__ void missing_sync(const float* x, float* y) {
  __shared__ float tile[256];
  int t = threadIdx.x;
  tile[t] = x[blockIdx.x * 256 + t];
  // BUG: __syncthreads() missing here
  y[blockIdx.x * 256 + t] = tile[255 - t];
}

extern "C" __global__ void uninit_shared(float* y) {
  __shared__ float buf[256];
  int t = threadIdx.x;
  if (t < 128) buf[t] = 1.0f;
  __syncthreads();
  y[t] = buf[t] + buf[255 - t];  // BUG: buf[128..255] never written
}

extern "C" __global__ void reverse_ok(const float* x, float* y) {
  __shared__ float tile[256];
  int t = threadIdx.x;
  tile[t] = x[blockIdx.x * 256 + t];
  __syncthreads();
  y[blockIdx.x * 256 + t] = tile[255 - t];
}
