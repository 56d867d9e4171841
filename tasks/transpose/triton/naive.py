"""transpose, naive: one program of one warp per row of x, the row in blocks of 32, every
store strided by M (the speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "transpose"
# @ grid = ["M"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "y", "M", "N"]


@triton.jit
def transpose(x_ptr, y_ptr, m, n, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    for j in range(0, n, BLOCK):
        mask = j + cols < n
        x = tl.load(x_ptr + row * n + j + cols, mask=mask)
        tl.store(y_ptr + (j + cols) * m + row, x, mask=mask)
