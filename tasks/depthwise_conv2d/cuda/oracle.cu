// depthwise_conv2d: every thread computes a column of ROWS output rows at one (column,
// channel), so each input row it loads serves up to KH outputs held in registers (KH + ROWS - 1
// input rows for ROWS outputs instead of KH * ROWS); channels fastest across the threads keeps
// every load and store coalesced.
//@ [[launch]]
//@ kernel = "dwconv_rows"
//@ grid = ["cdiv((W - KW + 1) * C, 128)", "cdiv(H - KH + 1, 4)"]
//@ block = [128]
//@ args = ["x", "w", "y", "H", "W", "C", "KH", "KW"]

#define ROWS 4

extern "C" __global__ void __launch_bounds__(128) dwconv_rows(const float* __restrict__ x,
                                                              const float* __restrict__ w,
                                                              float* __restrict__ y, int h,
                                                              int wd, int c, int kh, int kw) {
  int oh = h - kh + 1, ow = wd - kw + 1;
  int idx = blockIdx.x * 128 + threadIdx.x;  // (column, channel) of the output
  if (idx >= ow * c) return;
  int ch = idx % c, j = idx / c;
  int i0 = blockIdx.y * ROWS;
  float acc[ROWS] = {};
  int last = min(i0 + ROWS, oh) + kh - 1;  // one past the last input row needed
  for (int r = i0; r < last; ++r) {
    const float* xr = x + ((long long)r * wd + j) * c + ch;
    for (int b = 0; b < kw; ++b) {
      float xv = xr[b * c];
#pragma unroll
      for (int o = 0; o < ROWS; ++o) {
        int a = r - (i0 + o);  // the filter row that input row r meets for output row i0 + o
        if (a >= 0 && a < kh) acc[o] = fmaf(xv, w[(a * kw + b) * c + ch], acc[o]);
      }
    }
  }
#pragma unroll
  for (int o = 0; o < ROWS; ++o)
    if (i0 + o < oh) y[((long long)(i0 + o) * ow + j) * c + ch] = acc[o];
}
