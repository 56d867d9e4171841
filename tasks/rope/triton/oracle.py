"""rope: one program per position and block of BH heads holding a [BH, R] tile of each
half, one element per thread, warps scaled with R, no loop; the cos and sin rows are
loaded once per program. The plan uses BH = 1: at the emulator's sizes sharing cos and
sin between heads costs more in latency than the cached re-reads it saves."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "rope"
# @ grid = ["S", "H"]
# @ num_warps = "max(1, min(8, next_pow2(R) // 32))"
# @ constexprs = { BH = 1, BR = "next_pow2(R)" }
# @ args = ["x", "cos", "sin", "y", "H", "R"]


@triton.jit
def rope(x_ptr, cos_ptr, sin_ptr, y_ptr, h, r, BH: tl.constexpr, BR: tl.constexpr):
    s = tl.program_id(0)
    rh = tl.program_id(1) * BH + tl.arange(0, BH)
    rr = tl.arange(0, BR)
    mask = (rh[:, None] < h) & (rr[None, :] < r)
    off = (s * h + rh)[:, None] * 2 * r + rr[None, :]
    x1 = tl.load(x_ptr + off, mask=mask)
    x2 = tl.load(x_ptr + off + r, mask=mask)
    c = tl.load(cos_ptr + s * r + rr, mask=rr < r)[None, :]
    sn = tl.load(sin_ptr + s * r + rr, mask=rr < r)[None, :]
    tl.store(y_ptr + off, x1 * c - x2 * sn, mask=mask)
    tl.store(y_ptr + off + r, x2 * c + x1 * sn, mask=mask)
