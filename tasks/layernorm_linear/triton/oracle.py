"""layernorm_linear: a first launch keeps only the mean and 1 / sqrt(var + 1e-5) of every row
(8 bytes a row, the row held in registers); the GEMM (32x32 tiles of y, eight warps, k in
steps of 32, tl.dot ieee fp32) normalises each tile of x as it loads it, so the normalised
x is never written, and adds the bias in its epilogue."""

import triton
import triton.language as tl

# @ [scratch]
# @ stats = "2 * M"
# @
# @ [[launch]]
# @ kernel = "ln_stats"
# @ grid = ["M"]
# @ num_warps = "min(8, max(1, next_pow2(K) // 32))"
# @ constexprs = { BLOCK = "max(next_pow2(K), 32)" }
# @ args = ["x", "stats", "K"]
# @
# @ [[launch]]
# @ kernel = "matmul_ln"
# @ grid = ["cdiv(N, 32)", "cdiv(M, 32)"]
# @ num_warps = 8
# @ num_stages = 2
# @ args = ["x", "w", "b", "b", "y", "stats", "g", "beta", "M", "N", "K"]
# @ constexprs = { BIAS = 1, ACT = 0, RES = 0, BM = 32, BN = 32, BK = 32 }


@triton.jit
def ln_stats(x_ptr, stats_ptr, n, BLOCK: tl.constexpr):
    """mean and 1 / sqrt(var + 1e-5) of one row, from the row held in registers."""
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n
    x = tl.load(x_ptr + row * n + cols, mask=mask, other=0.0)
    mean = tl.sum(x, axis=0) / n
    d = tl.where(mask, x - mean, 0.0)
    tl.store(stats_ptr + 2 * row, mean)
    tl.store(stats_ptr + 2 * row + 1, 1.0 / tl.sqrt(tl.sum(d * d, axis=0) / n + 1e-5))


@triton.jit
def matmul_ln(
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
    mean = tl.load(stats_ptr + 2 * rm, mask=rm < m, other=0.0)
    rstd = tl.load(stats_ptr + 2 * rm + 1, mask=rm < m, other=0.0)
    acc = tl.zeros([BM, BN], tl.float32)
    for k0 in range(0, k, BK):
        a = tl.load(
            x_ptr + rm[:, None] * k + (k0 + rk)[None, :],
            mask=(rm[:, None] < m) & (k0 + rk[None, :] < k),
            other=0.0,
        )
        kmask = k0 + rk < k
        gk = tl.load(g_ptr + k0 + rk, mask=kmask, other=0.0)
        bk = tl.load(beta_ptr + k0 + rk, mask=kmask, other=0.0)
        a = (a - mean[:, None]) * rstd[:, None] * gk[None, :] + bk[None, :]
        a = tl.where((rm[:, None] < m) & kmask[None, :], a, 0.0)
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
