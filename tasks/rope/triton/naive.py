"""rope, naive: one program of one warp per (position, head), the half-rows in blocks of
32 (the speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "rope"
# @ grid = ["S", "H"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "cos", "sin", "y", "H", "R"]


@triton.jit
def rope(x_ptr, cos_ptr, sin_ptr, y_ptr, h, r, BLOCK: tl.constexpr):
    s = tl.program_id(0)
    base = (s * h + tl.program_id(1)) * 2 * r
    cols = tl.arange(0, BLOCK)
    for j in range(0, r, BLOCK):
        mask = j + cols < r
        x1 = tl.load(x_ptr + base + j + cols, mask=mask)
        x2 = tl.load(x_ptr + base + r + j + cols, mask=mask)
        c = tl.load(cos_ptr + s * r + j + cols, mask=mask)
        sn = tl.load(sin_ptr + s * r + j + cols, mask=mask)
        tl.store(y_ptr + base + j + cols, x1 * c - x2 * sn, mask=mask)
        tl.store(y_ptr + base + r + j + cols, x2 * c + x1 * sn, mask=mask)
