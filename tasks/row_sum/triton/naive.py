"""row_sum, naive: one program of one warp per row, the row in blocks of 32 (the speed-up
baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "row_sum"
# @ grid = ["M"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "y", "N"]


@triton.jit
def row_sum(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], tl.float32)
    for j in range(0, n, BLOCK):
        x = tl.load(x_ptr + row * n + j + cols, mask=j + cols < n, other=0.0)
        acc += x
    tl.store(y_ptr + row, tl.sum(acc, axis=0))
