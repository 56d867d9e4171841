"""gelu, naive: 128 elements per program with one warp (the speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "gelu"
# @ grid = ["cdiv(M * N, 128)"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 128 }
# @ args = ["x", "y", "M * N"]


@triton.jit
def gelu(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask)
    u = 0.7978845608028654 * (x + 0.044715 * x * x * x)
    # 0.5 * (1 + tanh(u)) = 1 / (1 + exp(-2u))
    tl.store(y_ptr + offs, x / (1.0 + tl.exp(-2.0 * u)), mask=mask)
