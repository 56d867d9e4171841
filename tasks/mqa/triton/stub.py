"""mqa: per query head h, o_h = softmax(q_h k^T / sqrt(D)) v, all heads sharing k, v [T, D].
Write the kernel body."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "attention"
# @ grid = ["S", "H"]
# @ constexprs = { BT = 32, BD = "next_pow2(D)" }
# @ args = ["q", "k", "v", "o", "T", "D", "H * D", "D", "H"]


@triton.jit
def attention(
    q_ptr, k_ptr, v_ptr, o_ptr, t, d, q_stride, kv_stride, group, BT: tl.constexpr, BD: tl.constexpr
):
    pass  # TODO: o[row, head] = softmax(q k^T / sqrt(D)) v for one query row
