// attention_scores, naive: the scaled scores one thread per element of p, then the softmax
// one thread per row in place (the speed-up baseline).
//@ [[launch]]
//@ kernel = "scores"
//@ grid = ["cdiv(T, 16)", "cdiv(S, 16)"]
//@ block = [16, 16]
//@ args = ["q", "k", "p", "S", "T", "D"]
//@
//@ [[launch]]
//@ kernel = "softmax_rows"
//@ grid = ["cdiv(S, 128)"]
//@ block = [128]
//@ args = ["p", "S", "T"]

extern "C" __global__ void scores(const float* q, const float* k, float* p, int s, int t, int d) {
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  int i = blockIdx.y * blockDim.y + threadIdx.y;
  if (i >= s || j >= t) return;
  float acc = 0.0f;
  for (int e = 0; e < d; ++e) acc += q[(long long)i * d + e] * k[(long long)j * d + e];
  p[(long long)i * t + j] = acc / sqrtf((float)d);
}

extern "C" __global__ void softmax_rows(float* p, int rows, int t) {
  int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  float* pr = p + (long long)r * t;
  float mx = -INFINITY;
  for (int j = 0; j < t; ++j) mx = fmaxf(mx, pr[j]);
  float sum = 0.0f;
  for (int j = 0; j < t; ++j) sum += expf(pr[j] - mx);
  for (int j = 0; j < t; ++j) pr[j] = expf(pr[j] - mx) / sum;
}
