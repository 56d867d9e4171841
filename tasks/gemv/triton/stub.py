"""gemv: y[i] = sum_k a[i, k] * x[k] for a [M, K], x [K]. Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "gemv"
# @ grid = ["M"]
# @ constexprs = { BLOCK = 128 }
# @ args = ["a", "x", "y", "K"]


@triton.jit
def gemv(a_ptr, x_ptr, y_ptr, k, BLOCK: tl.constexpr):
    pass  # TODO
