// decoder_block, naive: every step its own launch, one thread per output element (one per
// row for the norms and the softmax), intermediates in scratch buffers (the speed-up
// baseline): a = rmsnorm(x) * g1; q, k, v = a @ wq, a @ wk, a @ wv; causal attention per
// head (scores, softmax, product with v); h1 = x + attn @ wo; a2 = rmsnorm(h1) * g2;
// f = gelu(a2 @ w1); y = h1 + f @ w2.
//@ [scratch]
//@ a = "S * H * D"
//@ q = "S * H * D"
//@ k = "S * H * D"
//@ v = "S * H * D"
//@ p = "H * S * S"
//@ att = "S * H * D"
//@ h1 = "S * H * D"
//@ a2 = "S * H * D"
//@ f = "S * F"
//@
//@ [[launch]]
//@ kernel = "rms_rows"
//@ grid = ["cdiv(S, 128)"]
//@ block = [128]
//@ args = ["x", "g1", "a", "S", "H * D"]
//@
//@ [[launch]]
//@ kernel = "matmul_naive"
//@ grid = ["cdiv(H * D, 16)", "cdiv(S, 16)"]
//@ block = [16, 16]
//@ args = ["a", "wq", "q", "S", "H * D", "H * D"]
//@
//@ [[launch]]
//@ kernel = "matmul_naive"
//@ grid = ["cdiv(H * D, 16)", "cdiv(S, 16)"]
//@ block = [16, 16]
//@ args = ["a", "wk", "k", "S", "H * D", "H * D"]
//@
//@ [[launch]]
//@ kernel = "matmul_naive"
//@ grid = ["cdiv(H * D, 16)", "cdiv(S, 16)"]
//@ block = [16, 16]
//@ args = ["a", "wv", "v", "S", "H * D", "H * D"]
//@
//@ [[launch]]
//@ kernel = "attn_scores"
//@ grid = ["cdiv(S, 16)", "cdiv(S, 16)", "H"]
//@ block = [16, 16]
//@ args = ["q", "k", "p", "S", "S", "D", "H * D", "H * D", 1, 1]
//@
//@ [[launch]]
//@ kernel = "softmax_rows"
//@ grid = ["cdiv(H * S, 128)"]
//@ block = [128]
//@ args = ["p", "H * S", "S"]
//@
//@ [[launch]]
//@ kernel = "attn_pv"
//@ grid = ["cdiv(D, 16)", "cdiv(S, 16)", "H"]
//@ block = [16, 16]
//@ args = ["p", "v", "att", "S", "S", "D", "H * D", "H * D", 1]
//@
//@ [[launch]]
//@ kernel = "matmul_residual_naive"
//@ grid = ["cdiv(H * D, 16)", "cdiv(S, 16)"]
//@ block = [16, 16]
//@ args = ["att", "wo", "x", "h1", "S", "H * D", "H * D"]
//@
//@ [[launch]]
//@ kernel = "rms_rows"
//@ grid = ["cdiv(S, 128)"]
//@ block = [128]
//@ args = ["h1", "g2", "a2", "S", "H * D"]
//@
//@ [[launch]]
//@ kernel = "matmul_gelu_naive"
//@ grid = ["cdiv(F, 16)", "cdiv(S, 16)"]
//@ block = [16, 16]
//@ args = ["a2", "w1", "f", "S", "F", "H * D"]
//@
//@ [[launch]]
//@ kernel = "matmul_residual_naive"
//@ grid = ["cdiv(H * D, 16)", "cdiv(S, 16)"]
//@ block = [16, 16]
//@ args = ["f", "w2", "h1", "y", "S", "H * D", "F"]

extern "C" __global__ void rms_rows(const float* x, const float* g, float* y, int m, int n) {
  int row = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= m) return;
  const float* xr = x + (long long)row * n;
  float ss = 0.0f;
  for (int j = 0; j < n; ++j) ss += xr[j] * xr[j];
  float inv = 1.0f / sqrtf(ss / n + 1e-5f);
  for (int j = 0; j < n; ++j) y[(long long)row * n + j] = xr[j] * inv * g[j];
}

extern "C" __global__ void matmul_naive(const float* a, const float* b, float* c, int m, int n,
                                        int k) {
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  int row = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= m || col >= n) return;
  float acc = 0.0f;
  for (int p = 0; p < k; ++p) acc += a[(long long)row * k + p] * b[(long long)p * n + col];
  c[(long long)row * n + col] = acc;
}

extern "C" __global__ void matmul_residual_naive(const float* a, const float* b, const float* r,
                                                 float* c, int m, int n, int k) {
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  int row = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= m || col >= n) return;
  float acc = 0.0f;
  for (int p = 0; p < k; ++p) acc += a[(long long)row * k + p] * b[(long long)p * n + col];
  c[(long long)row * n + col] = r[(long long)row * n + col] + acc;
}

extern "C" __global__ void matmul_gelu_naive(const float* a, const float* b, float* c, int m,
                                             int n, int k) {
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  int row = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= m || col >= n) return;
  float z = 0.0f;
  for (int p = 0; p < k; ++p) z += a[(long long)row * k + p] * b[(long long)p * n + col];
  c[(long long)row * n + col] =
      0.5f * z * (1.0f + tanhf(0.7978845608028654f * (z + 0.044715f * z * z * z)));
}

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
