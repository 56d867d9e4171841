"""depthwise_conv2d: y[i, j, c] = sum_{a, b} x[i + a, j + b, c] * w[a, b, c] (valid, stride
1, channels last). Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "depthwise_conv2d"
# @ grid = ["(H - KH + 1) * (W - KW + 1)"]
# @ constexprs = { BLOCK = "next_pow2(C)" }
# @ args = ["x", "w", "y", "W", "C", "KH", "KW"]


@triton.jit
def depthwise_conv2d(x_ptr, w_ptr, y_ptr, wd, c, kh, kw, BLOCK: tl.constexpr):
    pass  # TODO: one output pixel per program, its channels in one block
