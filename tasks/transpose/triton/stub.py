"""transpose: y [N, M] = x^T for x [M, N]. Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "transpose"
# @ grid = ["cdiv(N, 32)", "cdiv(M, 32)"]
# @ constexprs = { BM = 32, BN = 32 }
# @ args = ["x", "y", "M", "N"]


@triton.jit
def transpose(x_ptr, y_ptr, m, n, BM: tl.constexpr, BN: tl.constexpr):
    pass  # TODO: y[j, i] = x[i, j] for the BM x BN tile of this program
