"""softmax: one program per row holding the whole row in registers; one read, one write."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "softmax"
# @ grid = ["M"]
# @ num_warps = 4
# @ constexprs = { BLOCK = "max(next_pow2(N), 128)" }
# @ args = ["x", "y", "N"]


@triton.jit
def softmax(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n
    x = tl.load(x_ptr + row * n + cols, mask=mask, other=float("-inf"))
    e = tl.exp(x - tl.max(x, axis=0))
    tl.store(y_ptr + row * n + cols, e / tl.sum(e, axis=0), mask=mask)
