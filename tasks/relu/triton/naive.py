"""relu, naive: 128 elements per program with one warp (the speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "relu"
# @ grid = ["cdiv(M * N, 128)"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 128 }
# @ args = ["x", "y", "M * N"]


@triton.jit
def relu(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask)
    tl.store(y_ptr + offs, tl.maximum(x, 0.0), mask=mask)
