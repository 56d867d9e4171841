"""softmax_matmul: o = softmax(s) @ v, the softmax over every row of s [S, T], v [T, D].
Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "softmax_matmul"
# @ grid = ["S"]
# @ constexprs = { BT = "next_pow2(T)", BD = "next_pow2(D)" }
# @ args = ["s", "v", "o", "T", "D"]


@triton.jit
def softmax_matmul(s_ptr, v_ptr, o_ptr, t, d, BT: tl.constexpr, BD: tl.constexpr):
    pass  # TODO: one row of o per program
