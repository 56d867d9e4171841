"""flash_attention: o = softmax(q @ k^T / sqrt(D)) @ v for q [S, D], k, v [T, D] with T long:
stream k and v in blocks. Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "attention"
# @ grid = ["S", "1"]
# @ constexprs = { BT = 32, BD = "next_pow2(D)" }
# @ args = ["q", "k", "v", "o", "T", "D", "D", "D", "1"]


@triton.jit
def attention(
    q_ptr, k_ptr, v_ptr, o_ptr, t, d, q_stride, kv_stride, group, BT: tl.constexpr, BD: tl.constexpr
):
    pass  # TODO: o[row, head] = softmax(q k^T / sqrt(D)) v for one query row
