"""rmsnorm, naive: one program per row, two passes over the row in blocks of 32
(the speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "rmsnorm"
# @ grid = ["M"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "g", "y", "N"]


@triton.jit
def rmsnorm(x_ptr, g_ptr, y_ptr, n, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    base = row * n
    cols = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], tl.float32)
    for j in range(0, n, BLOCK):
        x = tl.load(x_ptr + base + j + cols, mask=j + cols < n, other=0.0)
        acc += x * x
    inv = 1.0 / tl.sqrt(tl.sum(acc, axis=0) / n + 1e-5)
    for j in range(0, n, BLOCK):
        mask = j + cols < n
        x = tl.load(x_ptr + base + j + cols, mask=mask, other=0.0)
        g = tl.load(g_ptr + j + cols, mask=mask, other=0.0)
        tl.store(y_ptr + base + j + cols, x * inv * g, mask=mask)
