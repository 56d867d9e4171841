"""rope: rotate every head of x [S, H, 2R] by cos, sin [S, R] (rotate-half form). Write the
kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "rope"
# @ grid = ["S", "H"]
# @ constexprs = { BLOCK = "next_pow2(R)" }
# @ args = ["x", "cos", "sin", "y", "H", "R"]


@triton.jit
def rope(x_ptr, cos_ptr, sin_ptr, y_ptr, h, r, BLOCK: tl.constexpr):
    pass  # TODO: y[:R] = x1 * cos - x2 * sin, y[R:] = x2 * cos + x1 * sin
