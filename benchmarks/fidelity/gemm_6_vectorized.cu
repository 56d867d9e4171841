// SGEMM ladder step 6: step 5 with float4 global loads, a transposed into shared memory,
// float4 shared loads and float4 stores.
//@ [[launch]]
//@ kernel = "k"
//@ grid = ["cdiv(N, 128)", "cdiv(M, 128)"]
//@ block = [256]
//@ args = ["a", "b", "c", "M", "N", "K"]
extern "C" __global__ void k(const float* a, const float* b, float* c, int M, int N, int K) {
  __shared__ __align__(16) float As[8 * 128], Bs[8 * 128];
  int tr = threadIdx.x / 16, tc = threadIdx.x % 16;
  const float* A = a + blockIdx.y * 128 * K;
  const float* B = b + blockIdx.x * 128;
  float acc[8][8] = {{0.0f}};
  float ra[8], rb[8];
  int ar = threadIdx.x / 2, ac = (threadIdx.x % 2) * 4;   // a: 128 rows x 8, one float4 each
  int br = threadIdx.x / 32, bc = (threadIdx.x % 32) * 4;  // b: 8 rows x 128
  for (int t = 0; t < K; t += 8) {
    float4 va = *reinterpret_cast<const float4*>(&A[ar * K + t + ac]);
    As[(ac + 0) * 128 + ar] = va.x;
    As[(ac + 1) * 128 + ar] = va.y;
    As[(ac + 2) * 128 + ar] = va.z;
    As[(ac + 3) * 128 + ar] = va.w;
    *reinterpret_cast<float4*>(&Bs[br * 128 + bc]) =
        *reinterpret_cast<const float4*>(&B[(t + br) * N + bc]);
    __syncthreads();
    for (int d = 0; d < 8; ++d) {
      float4 a0 = *reinterpret_cast<const float4*>(&As[d * 128 + tr * 8]);
      float4 a1 = *reinterpret_cast<const float4*>(&As[d * 128 + tr * 8 + 4]);
      float4 b0 = *reinterpret_cast<const float4*>(&Bs[d * 128 + tc * 8]);
      float4 b1 = *reinterpret_cast<const float4*>(&Bs[d * 128 + tc * 8 + 4]);
      ra[0] = a0.x; ra[1] = a0.y; ra[2] = a0.z; ra[3] = a0.w;
      ra[4] = a1.x; ra[5] = a1.y; ra[6] = a1.z; ra[7] = a1.w;
      rb[0] = b0.x; rb[1] = b0.y; rb[2] = b0.z; rb[3] = b0.w;
      rb[4] = b1.x; rb[5] = b1.y; rb[6] = b1.z; rb[7] = b1.w;
      for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j) acc[i][j] += ra[i] * rb[j];
    }
    __syncthreads();
  }
  for (int i = 0; i < 8; ++i) {
    float* out = &c[(blockIdx.y * 128 + tr * 8 + i) * N + blockIdx.x * 128 + tc * 8];
    *reinterpret_cast<float4*>(out) = make_float4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]);
    *reinterpret_cast<float4*>(out + 4) = make_float4(acc[i][4], acc[i][5], acc[i][6], acc[i][7]);
  }
}
