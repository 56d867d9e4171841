"""rmsnorm: one program per row holding the whole row in registers; one read, one write."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "rmsnorm"
# @ grid = ["M"]
# @ num_warps = 4
# @ constexprs = { BLOCK = "max(next_pow2(N), 128)" }
# @ args = ["x", "g", "y", "N"]


@triton.jit
def rmsnorm(x_ptr, g_ptr, y_ptr, n, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n
    x = tl.load(x_ptr + row * n + cols, mask=mask, other=0.0)
    g = tl.load(g_ptr + cols, mask=mask, other=0.0)
    inv = 1.0 / tl.sqrt(tl.sum(x * x, axis=0) / n + 1e-5)
    tl.store(y_ptr + row * n + cols, x * inv * g, mask=mask)
