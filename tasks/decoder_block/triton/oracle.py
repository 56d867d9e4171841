"""decoder_block: the two rmsnorms reduced to one scale per row (a launch each, the row in
registers) that the following GEMMs apply to x's tiles as they load them, so no normalised
copy is written; q, k, v, the output projection, w1 and w2 as tiled GEMMs (32x32 tiles,
eight warps, k in steps of 32, tl.dot ieee fp32) with gelu and the residual adds fused
into their epilogues; causal attention as a flash kernel (16 query rows per program and
head, online softmax, key blocks past the last row skipped)."""

import triton
import triton.language as tl

# @ [scratch]
# @ r1 = "S"
# @ r2 = "S"
# @ q = "S * H * D"
# @ k = "S * H * D"
# @ v = "S * H * D"
# @ att = "S * H * D"
# @ h1 = "S * H * D"
# @ f = "S * F"
# @
# @ [[launch]]
# @ kernel = "rms_stats"
# @ grid = ["S"]
# @ num_warps = "min(8, max(1, next_pow2(H * D) // 32))"
# @ constexprs = { BLOCK = "max(next_pow2(H * D), 32)" }
# @ args = ["x", "r1", "H * D"]
# @
# @ [[launch]]
# @ kernel = "matmul_rms"
# @ grid = ["cdiv(H * D, 32)", "cdiv(S, 32)"]
# @ num_warps = 8
# @ num_stages = 2
# @ args = ["x", "wq", "x", "x", "q", "r1", "g1", "g1", "S", "H * D", "H * D"]
# @ constexprs = { BIAS = 0, ACT = 0, RES = 0, BM = 32, BN = 32, BK = 32 }
# @
# @ [[launch]]
# @ kernel = "matmul_rms"
# @ grid = ["cdiv(H * D, 32)", "cdiv(S, 32)"]
# @ num_warps = 8
# @ num_stages = 2
# @ args = ["x", "wk", "x", "x", "k", "r1", "g1", "g1", "S", "H * D", "H * D"]
# @ constexprs = { BIAS = 0, ACT = 0, RES = 0, BM = 32, BN = 32, BK = 32 }
# @
# @ [[launch]]
# @ kernel = "matmul_rms"
# @ grid = ["cdiv(H * D, 32)", "cdiv(S, 32)"]
# @ num_warps = 8
# @ num_stages = 2
# @ args = ["x", "wv", "x", "x", "v", "r1", "g1", "g1", "S", "H * D", "H * D"]
# @ constexprs = { BIAS = 0, ACT = 0, RES = 0, BM = 32, BN = 32, BK = 32 }
# @
# @ [[launch]]
# @ kernel = "causal_attention"
# @ grid = ["cdiv(S, 16)", "H"]
# @ num_warps = 8
# @ num_stages = 2
# @ constexprs = { BS = 16, BT = 16, BD = "max(next_pow2(D), 16)" }
# @ args = ["q", "k", "v", "att", "S", "H * D", "D"]
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(H * D, 32)", "cdiv(S, 32)"]
# @ num_warps = 8
# @ num_stages = 2
# @ args = ["att", "wo", "x", "x", "h1", "S", "H * D", "H * D"]
# @ constexprs = { BIAS = 0, ACT = 0, RES = 1, BM = 32, BN = 32, BK = 32 }
# @
# @ [[launch]]
# @ kernel = "rms_stats"
# @ grid = ["S"]
# @ num_warps = "min(8, max(1, next_pow2(H * D) // 32))"
# @ constexprs = { BLOCK = "max(next_pow2(H * D), 32)" }
# @ args = ["h1", "r2", "H * D"]
# @
# @ [[launch]]
# @ kernel = "matmul_rms"
# @ grid = ["cdiv(F, 32)", "cdiv(S, 32)"]
# @ num_warps = 8
# @ num_stages = 2
# @ args = ["h1", "w1", "x", "x", "f", "r2", "g2", "g2", "S", "F", "H * D"]
# @ constexprs = { BIAS = 0, ACT = 2, RES = 0, BM = 32, BN = 32, BK = 32 }
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(H * D, 32)", "cdiv(S, 32)"]
# @ num_warps = 8
# @ num_stages = 2
# @ args = ["f", "w2", "x", "h1", "y", "S", "H * D", "F"]
# @ constexprs = { BIAS = 0, ACT = 0, RES = 1, BM = 32, BN = 32, BK = 32 }


@triton.jit
def rms_stats(x_ptr, stats_ptr, n, BLOCK: tl.constexpr):
    """1 / sqrt(mean(x^2) + 1e-5) of one row, from the row held in registers."""
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + row * n + cols, mask=cols < n, other=0.0)
    tl.store(stats_ptr + row, 1.0 / tl.sqrt(tl.sum(x * x, axis=0) / n + 1e-5))


@triton.jit
def matmul_rms(
    x_ptr,
    w_ptr,
    b_ptr,
    r_ptr,
    y_ptr,
    stats_ptr,
    g_ptr,
    beta_ptr,
    m,
    n,
    k,
    BIAS: tl.constexpr,
    ACT: tl.constexpr,
    RES: tl.constexpr,
    BM: tl.constexpr,
    BN: tl.constexpr,
    BK: tl.constexpr,
):
    """y = act(x @ w + b) + r on one BM x BN tile; ACT 0 none, 1 relu, 2 gelu (tanh form)."""
    rm = tl.program_id(1) * BM + tl.arange(0, BM)
    rn = tl.program_id(0) * BN + tl.arange(0, BN)
    rk = tl.arange(0, BK)
    rstd = tl.load(stats_ptr + rm, mask=rm < m, other=0.0)
    acc = tl.zeros([BM, BN], tl.float32)
    for k0 in range(0, k, BK):
        a = tl.load(
            x_ptr + rm[:, None] * k + (k0 + rk)[None, :],
            mask=(rm[:, None] < m) & (k0 + rk[None, :] < k),
            other=0.0,
        )
        gk = tl.load(g_ptr + k0 + rk, mask=k0 + rk < k, other=0.0)
        a = a * rstd[:, None] * gk[None, :]
        b = tl.load(
            w_ptr + (k0 + rk)[:, None] * n + rn[None, :],
            mask=(k0 + rk[:, None] < k) & (rn[None, :] < n),
            other=0.0,
        )
        acc += tl.dot(a, b, input_precision="ieee")
    mask = (rm[:, None] < m) & (rn[None, :] < n)
    if BIAS:
        acc += tl.load(b_ptr + rn, mask=rn < n, other=0.0)[None, :]
    if ACT == 1:
        acc = tl.maximum(acc, 0.0)
    if ACT == 2:
        u = 0.7978845608028654 * (acc + 0.044715 * acc * acc * acc)
        acc = acc / (1.0 + tl.exp(-2.0 * u))
    if RES:
        acc += tl.load(r_ptr + rm[:, None] * n + rn[None, :], mask=mask, other=0.0)
    tl.store(y_ptr + rm[:, None] * n + rn[None, :], acc, mask=mask)


@triton.jit
def matmul(
    x_ptr,
    w_ptr,
    b_ptr,
    r_ptr,
    y_ptr,
    m,
    n,
    k,
    BIAS: tl.constexpr,
    ACT: tl.constexpr,
    RES: tl.constexpr,
    BM: tl.constexpr,
    BN: tl.constexpr,
    BK: tl.constexpr,
):
    """y = act(x @ w + b) + r on one BM x BN tile; ACT 0 none, 1 relu, 2 gelu (tanh form)."""
    rm = tl.program_id(1) * BM + tl.arange(0, BM)
    rn = tl.program_id(0) * BN + tl.arange(0, BN)
    rk = tl.arange(0, BK)
    acc = tl.zeros([BM, BN], tl.float32)
    for k0 in range(0, k, BK):
        a = tl.load(
            x_ptr + rm[:, None] * k + (k0 + rk)[None, :],
            mask=(rm[:, None] < m) & (k0 + rk[None, :] < k),
            other=0.0,
        )
        b = tl.load(
            w_ptr + (k0 + rk)[:, None] * n + rn[None, :],
            mask=(k0 + rk[:, None] < k) & (rn[None, :] < n),
            other=0.0,
        )
        acc += tl.dot(a, b, input_precision="ieee")
    mask = (rm[:, None] < m) & (rn[None, :] < n)
    if BIAS:
        acc += tl.load(b_ptr + rn, mask=rn < n, other=0.0)[None, :]
    if ACT == 1:
        acc = tl.maximum(acc, 0.0)
    if ACT == 2:
        u = 0.7978845608028654 * (acc + 0.044715 * acc * acc * acc)
        acc = acc / (1.0 + tl.exp(-2.0 * u))
    if RES:
        acc += tl.load(r_ptr + rm[:, None] * n + rn[None, :], mask=mask, other=0.0)
    tl.store(y_ptr + rm[:, None] * n + rn[None, :], acc, mask=mask)


@triton.jit
def causal_attention(
    q_ptr, k_ptr, v_ptr, o_ptr, s, e, d, BS: tl.constexpr, BT: tl.constexpr, BD: tl.constexpr
):
    """BS query rows of one head, online softmax over the key blocks up to the last row."""
    col = tl.program_id(1) * d
    rs = tl.program_id(0) * BS + tl.arange(0, BS)
    rt = tl.arange(0, BT)
    rd = tl.arange(0, BD)
    qmask = (rs[:, None] < s) & (rd[None, :] < d)
    q = tl.load(q_ptr + rs[:, None] * e + col + rd[None, :], mask=qmask, other=0.0)
    qk_scale = 1.4426950408889634 / tl.sqrt(d.to(tl.float32))
    m_i = tl.full([BS], float("-inf"), tl.float32)
    l_i = tl.zeros([BS], tl.float32)
    acc = tl.zeros([BS, BD], tl.float32)
    for t0 in range(0, tl.minimum(s, (tl.program_id(0) + 1) * BS), BT):
        kvmask = (t0 + rt[:, None] < s) & (rd[None, :] < d)
        kv_off = (t0 + rt)[:, None] * e + col + rd[None, :]
        kk = tl.load(k_ptr + kv_off, mask=kvmask, other=0.0)
        sc = tl.dot(q, tl.trans(kk), input_precision="ieee") * qk_scale
        sc = tl.where(t0 + rt[None, :] <= rs[:, None], sc, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(sc, axis=1))
        p = tl.exp2(sc - m_new[:, None])
        alpha = tl.exp2(m_i - m_new)
        l_i = l_i * alpha + tl.sum(p, axis=1)
        vv = tl.load(v_ptr + kv_off, mask=kvmask, other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p, vv, input_precision="ieee")
        m_i = m_new
    tl.store(o_ptr + rs[:, None] * e + col + rd[None, :], acc / l_i[:, None], mask=qmask)
