"""row_sum: one program per row with up to eight warps spread along it (one warp per 32
columns), so each warp issues few dependent loads; per-lane partial sums reduced once."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "row_sum"
# @ grid = ["M"]
# @ num_warps = "min(8, max(1, next_pow2(N) // 32))"
# @ constexprs = { BLOCK = "min(max(next_pow2(N), 32), 1024)" }
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
