"""row_sum: y[i] = sum_j x[i, j] for x [M, N]. Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "row_sum"
# @ grid = ["M"]
# @ constexprs = { BLOCK = "next_pow2(N)" }
# @ args = ["x", "y", "N"]


@triton.jit
def row_sum(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    pass  # TODO: y[row] = sum of the row
