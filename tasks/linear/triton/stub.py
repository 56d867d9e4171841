"""linear: y = x @ w + b for x [M, K], w [K, N], b [N]. Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "linear"
# @ grid = ["cdiv(N, 32)", "cdiv(M, 32)"]
# @ constexprs = { BM = 32, BN = 32, BK = 32 }
# @ args = ["x", "w", "b", "y", "M", "N", "K"]


@triton.jit
def linear(
    x_ptr, w_ptr, b_ptr, y_ptr, m, n, k, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr
):
    pass  # TODO: tiles of y with tl.dot(x, w, input_precision="ieee") plus the bias
