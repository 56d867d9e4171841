"""conv2d: y[i, j, f] = sum_{a, b, c} x[i + a, j + b, c] * w[a, b, c, f] (valid, stride 1,
channels last). Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "conv2d"
# @ grid = ["(H - KH + 1) * (W - KW + 1)"]
# @ constexprs = { BLOCK = "next_pow2(F)" }
# @ args = ["x", "w", "y", "W", "C", "F", "KH", "KW"]


@triton.jit
def conv2d(x_ptr, w_ptr, y_ptr, wd, c, f, kh, kw, BLOCK: tl.constexpr):
    pass  # TODO: one output pixel per program, its filters in one block
