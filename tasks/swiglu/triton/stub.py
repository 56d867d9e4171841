"""swiglu: y = silu(x @ wg) * (x @ wu) for x [M, K], wg, wu [K, N]. Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "swiglu"
# @ grid = ["cdiv(N, 32)", "cdiv(M, 32)"]
# @ constexprs = { BM = 32, BN = 32, BK = 32 }
# @ args = ["x", "wg", "wu", "y", "M", "N", "K"]


@triton.jit
def swiglu(
    x_ptr, wg_ptr, wu_ptr, y_ptr, m, n, k, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr
):
    pass  # TODO: tiles of both products, then silu(gate) * up
