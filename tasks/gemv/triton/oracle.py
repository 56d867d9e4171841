"""gemv: 4 rows per program, [4, 128] blocks of a, x loaded once per block of columns."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "gemv"
# @ grid = ["cdiv(M, 4)"]
# @ num_warps = 4
# @ constexprs = { BLOCK_M = 4, BLOCK_K = 128 }
# @ args = ["a", "x", "y", "M", "K"]


@triton.jit
def gemv(a_ptr, x_ptr, y_ptr, m, k, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr):
    rows = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_K)
    acc = tl.zeros([BLOCK_M, BLOCK_K], tl.float32)
    for j in range(0, k, BLOCK_K):
        cmask = j + cols < k
        mask = (rows[:, None] < m) & cmask[None, :]
        a = tl.load(a_ptr + rows[:, None] * k + (j + cols)[None, :], mask=mask, other=0.0)
        x = tl.load(x_ptr + j + cols, mask=cmask, other=0.0)
        acc += a * x[None, :]
    tl.store(y_ptr + rows, tl.sum(acc, axis=1), mask=rows < m)
