"""row_max, naive: one program of one warp per row, the row in blocks of 32 (the speed-up
baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "row_max"
# @ grid = ["M"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "y", "N"]


@triton.jit
def row_max(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    acc = tl.full([BLOCK], float("-inf"), tl.float32)
    for j in range(0, n, BLOCK):
        x = tl.load(x_ptr + row * n + j + cols, mask=j + cols < n, other=float("-inf"))
        acc = tl.maximum(acc, x)
    tl.store(y_ptr + row, tl.max(acc, axis=0))
