"""decoder_block, naive: nine launches of naive kernels: rmsnorm rows (one warp per row,
blocks of 32) into scratch, q, k, v by the naive GEMM (16x16 tiles, one warp each), causal
attention one query row and head per program (two passes over the visible keys), the
output projection with the residual added, the second rmsnorm, gelu(. @ w1), and the down
projection with the residual (the speed-up baseline)."""

import triton
import triton.language as tl

# @ [scratch]
# @ a = "S * H * D"
# @ q = "S * H * D"
# @ k = "S * H * D"
# @ v = "S * H * D"
# @ att = "S * H * D"
# @ h1 = "S * H * D"
# @ a2 = "S * H * D"
# @ f = "S * F"
# @
# @ [[launch]]
# @ kernel = "rmsnorm"
# @ grid = ["S"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "g1", "a", "H * D"]
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(H * D, 16)", "cdiv(S, 16)"]
# @ num_warps = 1
# @ num_stages = 1
# @ args = ["a", "wq", "x", "x", "q", "S", "H * D", "H * D"]
# @ constexprs = { BIAS = 0, ACT = 0, RES = 0, BM = 16, BN = 16, BK = 16 }
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(H * D, 16)", "cdiv(S, 16)"]
# @ num_warps = 1
# @ num_stages = 1
# @ args = ["a", "wk", "x", "x", "k", "S", "H * D", "H * D"]
# @ constexprs = { BIAS = 0, ACT = 0, RES = 0, BM = 16, BN = 16, BK = 16 }
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(H * D, 16)", "cdiv(S, 16)"]
# @ num_warps = 1
# @ num_stages = 1
# @ args = ["a", "wv", "x", "x", "v", "S", "H * D", "H * D"]
# @ constexprs = { BIAS = 0, ACT = 0, RES = 0, BM = 16, BN = 16, BK = 16 }
# @
# @ [[launch]]
# @ kernel = "causal_attention"
# @ grid = ["S", "H"]
# @ num_warps = 1
# @ constexprs = { BT = 32, BD = "max(next_pow2(D), 16)" }
# @ args = ["q", "k", "v", "att", "H * D", "D"]
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(H * D, 16)", "cdiv(S, 16)"]
# @ num_warps = 1
# @ num_stages = 1
# @ args = ["att", "wo", "x", "x", "h1", "S", "H * D", "H * D"]
# @ constexprs = { BIAS = 0, ACT = 0, RES = 1, BM = 16, BN = 16, BK = 16 }
# @
# @ [[launch]]
# @ kernel = "rmsnorm"
# @ grid = ["S"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["h1", "g2", "a2", "H * D"]
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(F, 16)", "cdiv(S, 16)"]
# @ num_warps = 1
# @ num_stages = 1
# @ args = ["a2", "w1", "x", "x", "f", "S", "F", "H * D"]
# @ constexprs = { BIAS = 0, ACT = 2, RES = 0, BM = 16, BN = 16, BK = 16 }
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(H * D, 16)", "cdiv(S, 16)"]
# @ num_warps = 1
# @ num_stages = 1
# @ args = ["f", "w2", "x", "h1", "y", "S", "H * D", "F"]
# @ constexprs = { BIAS = 0, ACT = 0, RES = 1, BM = 16, BN = 16, BK = 16 }


@triton.jit
def rmsnorm(x_ptr, g_ptr, y_ptr, n, BLOCK: tl.constexpr):
    base = tl.program_id(0) * n
    cols = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], tl.float32)
    for j in range(0, n, BLOCK):
        x = tl.load(x_ptr + base + j + cols, mask=j + cols < n, other=0.0)
        acc += x * x
    inv = 1.0 / tl.sqrt(tl.sum(acc, axis=0) / n + 1e-5)
    for j in range(0, n, BLOCK):
        mask = j + cols < n
        x = tl.load(x_ptr + base + j + cols, mask=mask, other=0.0)
        g = tl.load(g_ptr + j + cols, mask=mask, other=0.0)
        tl.store(y_ptr + base + j + cols, x * inv * g, mask=mask)


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
def causal_attention(q_ptr, k_ptr, v_ptr, o_ptr, e, d, BT: tl.constexpr, BD: tl.constexpr):
    """One query row of one head; it sees the keys 0..row only."""
    row = tl.program_id(0)
    col = tl.program_id(1) * d
    rt = tl.arange(0, BT)
    rd = tl.arange(0, BD)
    q = tl.load(q_ptr + row * e + col + rd, mask=rd < d, other=0.0)
    scale = 1.0 / tl.sqrt(d.to(tl.float32))
    mx = tl.full([BT], float("-inf"), tl.float32)
    for t0 in range(0, row + 1, BT):
        mask = (t0 + rt[:, None] <= row) & (rd[None, :] < d)
        kk = tl.load(k_ptr + (t0 + rt)[:, None] * e + col + rd[None, :], mask=mask, other=0.0)
        sc = tl.where(t0 + rt <= row, tl.sum(kk * q[None, :], axis=1) * scale, float("-inf"))
        mx = tl.maximum(mx, sc)
    m = tl.max(mx, axis=0)
    total = tl.zeros([BT], tl.float32)
    acc = tl.zeros([BD], tl.float32)
    for t0 in range(0, row + 1, BT):
        mask = (t0 + rt[:, None] <= row) & (rd[None, :] < d)
        kk = tl.load(k_ptr + (t0 + rt)[:, None] * e + col + rd[None, :], mask=mask, other=0.0)
        sc = tl.sum(kk * q[None, :], axis=1) * scale
        p = tl.where(t0 + rt <= row, tl.exp(sc - m), 0.0)
        total += p
        vv = tl.load(v_ptr + (t0 + rt)[:, None] * e + col + rd[None, :], mask=mask, other=0.0)
        acc += tl.sum(p[:, None] * vv, axis=0)
    tl.store(o_ptr + row * e + col + rd, acc / tl.sum(total, axis=0), mask=rd < d)
