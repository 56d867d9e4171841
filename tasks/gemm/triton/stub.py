"""gemm: c = a @ b for a [M, K], b [K, N], c [M, N]. Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "gemm"
# @ grid = ["cdiv(N, 32)", "cdiv(M, 32)"]
# @ constexprs = { BM = 32, BN = 32, BK = 32 }
# @ args = ["a", "b", "c", "M", "N", "K"]


@triton.jit
def gemm(a_ptr, b_ptr, c_ptr, m, n, k, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
    pass  # TODO: tiles of c with tl.dot(a, b, input_precision="ieee")
