"""gemv: one program per row of a with up to eight warps spread along it (one warp per 32
columns), so each warp issues few dependent loads; x read in the same blocks (it stays in
cache for every row), per-lane partial sums reduced once."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "gemv"
# @ grid = ["M"]
# @ num_warps = "min(8, max(1, next_pow2(K) // 32))"
# @ constexprs = { BLOCK = "min(max(next_pow2(K), 32), 1024)" }
# @ args = ["a", "x", "y", "K"]


@triton.jit
def gemv(a_ptr, x_ptr, y_ptr, k, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], tl.float32)
    for j in range(0, k, BLOCK):
        mask = j + cols < k
        a = tl.load(a_ptr + row * k + j + cols, mask=mask, other=0.0)
        x = tl.load(x_ptr + j + cols, mask=mask, other=0.0)
        acc += a * x
    tl.store(y_ptr + row, tl.sum(acc, axis=0))
