"""mqa: blocks of 16 query rows per program of eight warps (one grid row per head), the keys
and values in blocks of 32, q k^T and p v with tl.dot (ieee fp32), online softmax (running
max and sum, exp2 with log2(e) folded into the scale), one pass over k and v, o normalised
once at the end; every head reads the one shared k and v."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "attention"
# @ grid = ["cdiv(S, 16)", "H"]
# @ num_warps = 8
# @ num_stages = 2
# @ constexprs = { BS = 16, BT = 32, BD = "max(next_pow2(D), 16)" }
# @ args = ["q", "k", "v", "o", "S", "T", "D", "H * D", "D", "H"]


@triton.jit
def attention(
    q_ptr,
    k_ptr,
    v_ptr,
    o_ptr,
    s,
    t,
    d,
    q_stride,
    kv_stride,
    group,
    BS: tl.constexpr,
    BT: tl.constexpr,
    BD: tl.constexpr,
):
    hq = tl.program_id(1)
    hk = hq // group
    rs = tl.program_id(0) * BS + tl.arange(0, BS)
    rt = tl.arange(0, BT)
    rd = tl.arange(0, BD)
    qmask = (rs[:, None] < s) & (rd[None, :] < d)
    q = tl.load(q_ptr + rs[:, None] * q_stride + hq * d + rd[None, :], mask=qmask, other=0.0)
    qk_scale = 1.4426950408889634 / tl.sqrt(d.to(tl.float32))  # log2(e) / sqrt(D): exp2 below
    m_i = tl.full([BS], float("-inf"), tl.float32)
    l_i = tl.zeros([BS], tl.float32)
    acc = tl.zeros([BS, BD], tl.float32)
    for t0 in range(0, t, BT):
        kvmask = (t0 + rt[:, None] < t) & (rd[None, :] < d)
        kv_off = (t0 + rt)[:, None] * kv_stride + hk * d + rd[None, :]
        kk = tl.load(k_ptr + kv_off, mask=kvmask, other=0.0)
        sc = tl.dot(q, tl.trans(kk), input_precision="ieee") * qk_scale
        sc = tl.where(t0 + rt[None, :] < t, sc, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(sc, axis=1))
        p = tl.exp2(sc - m_new[:, None])
        alpha = tl.exp2(m_i - m_new)
        l_i = l_i * alpha + tl.sum(p, axis=1)
        vv = tl.load(v_ptr + kv_off, mask=kvmask, other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p, vv, input_precision="ieee")
        m_i = m_new
    tl.store(o_ptr + rs[:, None] * q_stride + hq * d + rd[None, :], acc / l_i[:, None], mask=qmask)
