"""softmax_matmul: blocks of 16 rows of o per program of eight warps, one pass over s and v
in [16, 32] tiles ([16, 16] when T <= 16): online softmax (running maximum and sum, the
accumulator rescaled when the maximum grows), p v by tl.dot (ieee fp32), o normalised once
at the end."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "softmax_matmul"
# @ grid = ["cdiv(S, 16)"]
# @ num_warps = 8
# @ num_stages = 2
# @ constexprs = { BS = 16, BT = "min(32, max(16, next_pow2(T)))", BD = "max(next_pow2(D), 16)" }
# @ args = ["s", "v", "o", "S", "T", "D"]


@triton.jit
def softmax_matmul(
    s_ptr, v_ptr, o_ptr, sn, t, d, BS: tl.constexpr, BT: tl.constexpr, BD: tl.constexpr
):
    rs = tl.program_id(0) * BS + tl.arange(0, BS)
    rt = tl.arange(0, BT)
    rd = tl.arange(0, BD)
    m_i = tl.full([BS], float("-inf"), tl.float32)
    l_i = tl.zeros([BS], tl.float32)
    acc = tl.zeros([BS, BD], tl.float32)
    for t0 in range(0, t, BT):
        smask = (rs[:, None] < sn) & (t0 + rt[None, :] < t)
        x = tl.load(s_ptr + rs[:, None] * t + t0 + rt[None, :], mask=smask, other=float("-inf"))
        # rows past S hold -inf everywhere: keep their maximum finite so that no NaN appears
        m_new = tl.maximum(tl.maximum(m_i, tl.max(x, axis=1)), -1e30)
        p = tl.exp(x - m_new[:, None])
        alpha = tl.exp(m_i - m_new)
        l_i = l_i * alpha + tl.sum(p, axis=1)
        vmask = (t0 + rt[:, None] < t) & (rd[None, :] < d)
        vv = tl.load(v_ptr + (t0 + rt)[:, None] * d + rd[None, :], mask=vmask, other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p, vv, input_precision="ieee")
        m_i = m_new
    mask = (rs[:, None] < sn) & (rd[None, :] < d)
    tl.store(o_ptr + rs[:, None] * d + rd[None, :], acc / l_i[:, None], mask=mask)
