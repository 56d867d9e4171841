"""softmax, naive: one program per row, three passes over the row in blocks of 32
(the speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "softmax"
# @ grid = ["M"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "y", "N"]


@triton.jit
def softmax(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    base = row * n
    cols = tl.arange(0, BLOCK)
    mx = tl.full([BLOCK], float("-inf"), tl.float32)
    for j in range(0, n, BLOCK):
        x = tl.load(x_ptr + base + j + cols, mask=j + cols < n, other=float("-inf"))
        mx = tl.maximum(mx, x)
    m = tl.max(mx, axis=0)
    acc = tl.zeros([BLOCK], tl.float32)
    for j in range(0, n, BLOCK):
        x = tl.load(x_ptr + base + j + cols, mask=j + cols < n, other=float("-inf"))
        acc += tl.exp(x - m)
    s = tl.sum(acc, axis=0)
    for j in range(0, n, BLOCK):
        x = tl.load(x_ptr + base + j + cols, mask=j + cols < n, other=float("-inf"))
        tl.store(y_ptr + base + j + cols, tl.exp(x - m) / s, mask=j + cols < n)
