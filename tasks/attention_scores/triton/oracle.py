"""attention_scores: blocks of 16 rows of p per program of eight warps; q k^T by tl.dot (ieee
fp32) on [16, 32] tiles ([16, 16] when T <= 16). One pass over the keys writes the scaled
scores (log2 domain) to p while keeping a running maximum and sum (online softmax); a
second, purely elementwise pass rewrites each tile normalised, so q k^T is computed once."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "attention_scores"
# @ grid = ["cdiv(S, 16)"]
# @ num_warps = 8
# @ num_stages = 2
# @ constexprs = { BS = 16, BT = "min(32, max(16, next_pow2(T)))", BD = "max(next_pow2(D), 16)" }
# @ args = ["q", "k", "p", "S", "T", "D"]


@triton.jit
def attention_scores(
    q_ptr, k_ptr, p_ptr, s, t, d, BS: tl.constexpr, BT: tl.constexpr, BD: tl.constexpr
):
    rs = tl.program_id(0) * BS + tl.arange(0, BS)
    rt = tl.arange(0, BT)
    rd = tl.arange(0, BD)
    q = tl.load(
        q_ptr + rs[:, None] * d + rd[None, :], mask=(rs[:, None] < s) & (rd[None, :] < d), other=0.0
    )
    qk_scale = 1.4426950408889634 / tl.sqrt(d.to(tl.float32))
    m_i = tl.full([BS], float("-inf"), tl.float32)
    l_i = tl.zeros([BS], tl.float32)
    for t0 in range(0, t, BT):
        kmask = (t0 + rt[:, None] < t) & (rd[None, :] < d)
        kk = tl.load(k_ptr + (t0 + rt)[:, None] * d + rd[None, :], mask=kmask, other=0.0)
        sc = tl.dot(q, tl.trans(kk), input_precision="ieee") * qk_scale
        sc = tl.where(t0 + rt[None, :] < t, sc, float("-inf"))
        smask = (rs[:, None] < s) & (t0 + rt[None, :] < t)
        tl.store(p_ptr + rs[:, None] * t + t0 + rt[None, :], sc, mask=smask)
        m_new = tl.maximum(m_i, tl.max(sc, axis=1))
        l_i = l_i * tl.exp2(m_i - m_new) + tl.sum(tl.exp2(sc - m_new[:, None]), axis=1)
        m_i = m_new
    inv = 1.0 / l_i
    tl.debug_barrier()  # the raw scores written above are read below by other threads
    for t0 in range(0, t, BT):
        mask = (rs[:, None] < s) & (t0 + rt[None, :] < t)
        sc = tl.load(p_ptr + rs[:, None] * t + t0 + rt[None, :], mask=mask, other=0.0)
        out = tl.exp2(sc - m_i[:, None]) * inv[:, None]
        tl.store(p_ptr + rs[:, None] * t + t0 + rt[None, :], out, mask=mask)
