// SGEMM ladder step 7 (the worklog's step 10): warp tiling. 128 threads, BM = BN = 128,
// BK = 16; each warp owns a 64x64 tile as 2x2 sub-tiles of 32x32, each thread 8x4 of each.
//@ [[launch]]
//@ kernel = "k"
//@ grid = ["cdiv(N, 128)", "cdiv(M, 128)"]
//@ block = [128]
//@ args = ["a", "b", "c", "M", "N", "K"]
extern "C" __global__ void k(const float* a, const float* b, float* c, int M, int N, int K) {
  __shared__ __align__(16) float As[16 * 128], Bs[16 * 128];
  int w = threadIdx.x / 32, lane = threadIdx.x % 32;
  int wr = w / 2, wc = w % 2, tr = lane / 8, tc = lane % 8;
  const float* A = a + blockIdx.y * 128 * K;
  const float* B = b + blockIdx.x * 128;
  float acc[2][2][8][4] = {};
  float ra[2][8], rb[2][4];
  for (int t = 0; t < K; t += 16) {
    for (int l = threadIdx.x; l < 512; l += 128) {
      int r = l / 4, cc = (l % 4) * 4;  // a: 128 rows x 16
      float4 va = *reinterpret_cast<const float4*>(&A[r * K + t + cc]);
      As[(cc + 0) * 128 + r] = va.x;
      As[(cc + 1) * 128 + r] = va.y;
      As[(cc + 2) * 128 + r] = va.z;
      As[(cc + 3) * 128 + r] = va.w;
      int br = l / 32, bc = (l % 32) * 4;  // b: 16 rows x 128
      *reinterpret_cast<float4*>(&Bs[br * 128 + bc]) =
          *reinterpret_cast<const float4*>(&B[(t + br) * N + bc]);
    }
    __syncthreads();
    for (int d = 0; d < 16; ++d) {
      for (int m = 0; m < 2; ++m) {
        const float* p = &As[d * 128 + wr * 64 + m * 32 + tr * 8];
        float4 x0 = *reinterpret_cast<const float4*>(p), x1 = *reinterpret_cast<const float4*>(p + 4);
        ra[m][0] = x0.x; ra[m][1] = x0.y; ra[m][2] = x0.z; ra[m][3] = x0.w;
        ra[m][4] = x1.x; ra[m][5] = x1.y; ra[m][6] = x1.z; ra[m][7] = x1.w;
      }
      for (int n = 0; n < 2; ++n) {
        float4 y = *reinterpret_cast<const float4*>(&Bs[d * 128 + wc * 64 + n * 32 + tc * 4]);
        rb[n][0] = y.x; rb[n][1] = y.y; rb[n][2] = y.z; rb[n][3] = y.w;
      }
      for (int m = 0; m < 2; ++m)
        for (int n = 0; n < 2; ++n)
          for (int i = 0; i < 8; ++i)
            for (int j = 0; j < 4; ++j) acc[m][n][i][j] += ra[m][i] * rb[n][j];
    }
    __syncthreads();
  }
  for (int m = 0; m < 2; ++m)
    for (int n = 0; n < 2; ++n)
      for (int i = 0; i < 8; ++i) {
        int row = blockIdx.y * 128 + wr * 64 + m * 32 + tr * 8 + i;
        int col = blockIdx.x * 128 + wc * 64 + n * 32 + tc * 4;
        *reinterpret_cast<float4*>(&c[row * N + col]) =
            make_float4(acc[m][n][i][0], acc[m][n][i][1], acc[m][n][i][2], acc[m][n][i][3]);
      }
}
