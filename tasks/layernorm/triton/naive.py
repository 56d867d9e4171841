"""layernorm, naive: one program of one warp per row, three passes over the row in blocks
of 32 (mean, variance, output; the speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "layernorm"
# @ grid = ["M"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "g", "b", "y", "N"]


@triton.jit
def layernorm(x_ptr, g_ptr, b_ptr, y_ptr, n, BLOCK: tl.constexpr):
    base = tl.program_id(0) * n
    cols = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], tl.float32)
    for j in range(0, n, BLOCK):
        acc += tl.load(x_ptr + base + j + cols, mask=j + cols < n, other=0.0)
    mean = tl.sum(acc, axis=0) / n
    acc = tl.zeros([BLOCK], tl.float32)
    for j in range(0, n, BLOCK):
        mask = j + cols < n
        d = tl.where(mask, tl.load(x_ptr + base + j + cols, mask=mask, other=0.0) - mean, 0.0)
        acc += d * d
    inv = 1.0 / tl.sqrt(tl.sum(acc, axis=0) / n + 1e-5)
    for j in range(0, n, BLOCK):
        mask = j + cols < n
        x = tl.load(x_ptr + base + j + cols, mask=mask, other=0.0)
        g = tl.load(g_ptr + j + cols, mask=mask, other=0.0)
        b = tl.load(b_ptr + j + cols, mask=mask, other=0.0)
        tl.store(y_ptr + base + j + cols, (x - mean) * inv * g + b, mask=mask)
