"""rope: one program per position holding all its heads as an [H, R] tile of each half,
the cos and sin rows loaded once and shared by every head; warps scaled with H * R."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "rope"
# @ grid = ["S"]
# @ num_warps = "min(8, max(1, next_pow2(H) * next_pow2(R) // 64))"
# @ constexprs = { BH = "next_pow2(H)", BR = "next_pow2(R)" }
# @ args = ["x", "cos", "sin", "y", "H", "R"]


@triton.jit
def rope(x_ptr, cos_ptr, sin_ptr, y_ptr, h, r, BH: tl.constexpr, BR: tl.constexpr):
    s = tl.program_id(0)
    rh = tl.arange(0, BH)
    rr = tl.arange(0, BR)
    mask = (rh[:, None] < h) & (rr[None, :] < r)
    off = (s * h + rh)[:, None] * 2 * r + rr[None, :]
    x1 = tl.load(x_ptr + off, mask=mask)
    x2 = tl.load(x_ptr + off + r, mask=mask)
    c = tl.load(cos_ptr + s * r + rr, mask=rr < r)[None, :]
    sn = tl.load(sin_ptr + s * r + rr, mask=rr < r)[None, :]
    tl.store(y_ptr + off, x1 * c - x2 * sn, mask=mask)
    tl.store(y_ptr + off + r, x2 * c + x1 * sn, mask=mask)
