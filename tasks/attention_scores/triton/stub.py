"""attention_scores: p = softmax(q @ k^T / sqrt(D)) row by row, for q [S, D], k [T, D].
Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "attention_scores"
# @ grid = ["S"]
# @ constexprs = { BT = "next_pow2(T)", BD = "next_pow2(D)" }
# @ args = ["q", "k", "p", "T", "D"]


@triton.jit
def attention_scores(q_ptr, k_ptr, p_ptr, t, d, BT: tl.constexpr, BD: tl.constexpr):
    pass  # TODO: one row of p per program
