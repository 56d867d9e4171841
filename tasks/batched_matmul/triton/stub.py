"""batched_matmul: c[b] = a[b] @ b[b] for a [B, M, K], b [B, K, N]. Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "batched_matmul"
# @ grid = ["cdiv(N, 32)", "cdiv(M, 32)", "B"]
# @ constexprs = { BM = 32, BN = 32, BK = 32 }
# @ args = ["a", "b", "c", "M", "N", "K"]


@triton.jit
def batched_matmul(
    a_ptr, b_ptr, c_ptr, m, n, k, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr
):
    pass  # TODO: one tile of c[program_id(2)] per program
