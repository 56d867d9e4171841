// mha, naive: the scores one thread per element (into a scratch buffer), the softmax one
// thread per row in place, then the product with v one thread per output element (the
// speed-up baseline).
//@ [scratch]
//@ p = "H * S * T"
//@
//@ [[launch]]
//@ kernel = "attn_scores"
//@ grid = ["cdiv(T, 16)", "cdiv(S, 16)", "H"]
//@ block = [16, 16]
//@ args = ["q", "k", "p", "S", "T", "D", "H * D", "H * D", "1", 0]
//@
//@ [[launch]]
//@ kernel = "softmax_rows"
//@ grid = ["cdiv(H * S, 128)"]
//@ block = [128]
//@ args = ["p", "H * S", "T"]
//@
//@ [[launch]]
//@ kernel = "attn_pv"
//@ grid = ["cdiv(D, 16)", "cdiv(S, 16)", "H"]
//@ block = [16, 16]
//@ args = ["p", "v", "o", "S", "T", "D", "H * D", "H * D", "1"]

// Head h of q, o is columns h*D..(h+1)*D of rows of length qld; it reads key/value head
// h / group of k, v (rows of length kvld).

// s[h, i, j] = q_h[i] . k_g[j] / sqrt(D) (-inf above the diagonal when causal)
extern "C" __global__ void attn_scores(const float* q, const float* k, float* s, int S, int T,
                                       int D, int qld, int kvld, int group, int causal) {
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  int i = blockIdx.y * blockDim.y + threadIdx.y;
  int h = blockIdx.z, g = h / group;
  if (i >= S || j >= T) return;
  float acc = 0.0f;
  for (int d = 0; d < D; ++d) acc += q[(long long)i * qld + h * D + d] * k[(long long)j * kvld + g * D + d];
  s[((long long)h * S + i) * T + j] = (causal && j > i) ? -INFINITY : acc / sqrtf((float)D);
}

// every row of s [rows, T] replaced by its softmax
extern "C" __global__ void softmax_rows(float* s, int rows, int T) {
  int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  float* sr = s + (long long)r * T;
  float mx = -INFINITY;
  for (int j = 0; j < T; ++j) mx = fmaxf(mx, sr[j]);
  float sum = 0.0f;
  for (int j = 0; j < T; ++j) sum += expf(sr[j] - mx);
  for (int j = 0; j < T; ++j) sr[j] = expf(sr[j] - mx) / sum;
}

// o_h[i, d] = sum_j p[h, i, j] * v_g[j, d]
extern "C" __global__ void attn_pv(const float* p, const float* v, float* o, int S, int T, int D,
                                   int qld, int kvld, int group) {
  int d = blockIdx.x * blockDim.x + threadIdx.x;
  int i = blockIdx.y * blockDim.y + threadIdx.y;
  int h = blockIdx.z, g = h / group;
  if (i >= S || d >= D) return;
  float acc = 0.0f;
  for (int j = 0; j < T; ++j) acc += p[((long long)h * S + i) * T + j] * v[(long long)j * kvld + g * D + d];
  o[(long long)i * qld + h * D + d] = acc;
}
