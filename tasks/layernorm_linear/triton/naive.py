"""layernorm_linear, naive: two launches: the naive layernorm (one program of one warp per
row, three passes in blocks of 32) writes the normalised x to a scratch buffer, then 16x16
tiles of y, one warp each, k in steps of 16, the bias added (the speed-up baseline)."""

import triton
import triton.language as tl

# @ [scratch]
# @ h = "M * K"
# @
# @ [[launch]]
# @ kernel = "layernorm"
# @ grid = ["M"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "g", "beta", "h", "K"]
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
# @ num_warps = 1
# @ num_stages = 1
# @ args = ["h", "w", "b", "b", "y", "M", "N", "K"]
# @ constexprs = { BIAS = 1, ACT = 0, RES = 0, BM = 16, BN = 16, BK = 16 }


@triton.jit
def layernorm(x_ptr, g_ptr, b_ptr, y_ptr, n, BLOCK: tl.constexpr):
    base = tl.program_id(0) * n
    cols = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], tl.float32)
    for j in range(0, n, BLOCK):
        acc += tl.load(x_ptr + base + j + cols, mask=j + cols < n, other=0.0)
    mean = tl.sum(acc, axis=0) / n
    acc = tl.zeros([BLOCK], tl.float32)
    for j in range(0, n, BLOCK):
        mask = j + cols < n
        d = tl.where(mask, tl.load(x_ptr + base + j + cols, mask=mask, other=0.0) - mean, 0.0)
        acc += d * d
    inv = 1.0 / tl.sqrt(tl.sum(acc, axis=0) / n + 1e-5)
    for j in range(0, n, BLOCK):
        mask = j + cols < n
        x = tl.load(x_ptr + base + j + cols, mask=mask, other=0.0)
        g = tl.load(g_ptr + j + cols, mask=mask, other=0.0)
        b = tl.load(b_ptr + j + cols, mask=mask, other=0.0)
        tl.store(y_ptr + base + j + cols, (x - mean) * inv * g + b, mask=mask)


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
