"""gelu: 512 elements per program of four warps (vectorised 16-byte accesses); tanh
through one exp."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "gelu"
# @ grid = ["cdiv(M * N, 512)"]
# @ num_warps = 4
# @ constexprs = { BLOCK = 512 }
# @ args = ["x", "y", "M * N"]


@triton.jit
def gelu(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask)
    u = 0.7978845608028654 * (x + 0.044715 * x * x * x)
    # 0.5 * (1 + tanh(u)) = 1 / (1 + exp(-2u))
    tl.store(y_ptr + offs, x / (1.0 + tl.exp(-2.0 * u)), mask=mask)
