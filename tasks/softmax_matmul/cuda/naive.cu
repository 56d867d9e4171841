// softmax_matmul, naive: every row's max and sum one thread per row into a scratch buffer,
// then every output element one thread each, the probabilities recomputed on the fly (the
// speed-up baseline).
//@ [scratch]
//@ stats = "2 * S"
//@
//@ [[launch]]
//@ kernel = "row_stats"
//@ grid = ["cdiv(S, 128)"]
//@ block = [128]
//@ args = ["s", "stats", "S", "T"]
//@
//@ [[launch]]
//@ kernel = "pv"
//@ grid = ["cdiv(D, 16)", "cdiv(S, 16)"]
//@ block = [16, 16]
//@ args = ["s", "stats", "v", "o", "S", "T", "D"]

extern "C" __global__ void row_stats(const float* s, float* stats, int rows, int t) {
  int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  const float* sr = s + (long long)r * t;
  float mx = -INFINITY;
  for (int j = 0; j < t; ++j) mx = fmaxf(mx, sr[j]);
  float sum = 0.0f;
  for (int j = 0; j < t; ++j) sum += expf(sr[j] - mx);
  stats[2 * r] = mx;
  stats[2 * r + 1] = sum;
}

extern "C" __global__ void pv(const float* s, const float* stats, const float* v, float* o,
                              int rows, int t, int d) {
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  int i = blockIdx.y * blockDim.y + threadIdx.y;
  if (i >= rows || col >= d) return;
  float mx = stats[2 * i], sum = stats[2 * i + 1];
  float acc = 0.0f;
  for (int j = 0; j < t; ++j) acc += expf(s[(long long)i * t + j] - mx) / sum * v[(long long)j * d + col];
  o[(long long)i * d + col] = acc;
}
