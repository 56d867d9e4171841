"""conv_block: two launches: the convolution as an implicit GEMM (32x32 tiles of h [pixels,
F], x gathered on the fly as the [pixels, KH*KW*C] matrix, w1 already that [KH*KW*C, F]
matrix in memory, eight warps, k in steps of 16, tl.dot ieee fp32, bias and relu fused)
into a scratch buffer h, then y = relu(h @ w2 + b2) as a tiled GEMM (32x32 tiles, eight
warps, bias and relu fused)."""

import triton
import triton.language as tl

# @ [scratch]
# @ h = "(H - KH + 1) * (W - KW + 1) * F"
# @
# @ [[launch]]
# @ kernel = "conv_relu"
# @ grid = ["cdiv(F, 32)", "cdiv((H - KH + 1) * (W - KW + 1), 32)"]
# @ num_warps = 8
# @ num_stages = 2
# @ constexprs = { BP = 32, BF = 32, BK = 16 }
# @ args = ["x", "w1", "b1", "h", "(H - KH + 1) * (W - KW + 1)", "W", "C", "F", "KW", "KH * KW * C"]
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(G, 32)", "cdiv((H - KH + 1) * (W - KW + 1), 32)"]
# @ num_warps = 8
# @ num_stages = 2
# @ args = ["h", "w2", "b2", "b2", "y", "(H - KH + 1) * (W - KW + 1)", "G", "F"]
# @ constexprs = { BIAS = 1, ACT = 1, RES = 0, BM = 32, BN = 32, BK = 32 }


@triton.jit
def conv_relu(
    x_ptr,
    w_ptr,
    b_ptr,
    y_ptr,
    npix,
    wd,
    c,
    f,
    kw,
    k,
    BP: tl.constexpr,
    BF: tl.constexpr,
    BK: tl.constexpr,
):
    """Implicit GEMM: h [P, F] = relu(X [P, KH*KW*C] @ w1 [KH*KW*C, F] + b1), X gathered."""
    ow = wd - kw + 1
    rp = tl.program_id(1) * BP + tl.arange(0, BP)
    rf = tl.program_id(0) * BF + tl.arange(0, BF)
    rk = tl.arange(0, BK)
    base = ((rp // ow) * wd + rp % ow) * c
    acc = tl.zeros([BP, BF], tl.float32)
    for k0 in range(0, k, BK):
        kk = k0 + rk
        tap = ((kk // (kw * c)) * wd + (kk // c) % kw) * c + kk % c
        a = tl.load(
            x_ptr + base[:, None] + tap[None, :],
            mask=(rp[:, None] < npix) & (kk[None, :] < k),
            other=0.0,
        )
        b = tl.load(
            w_ptr + kk[:, None] * f + rf[None, :],
            mask=(kk[:, None] < k) & (rf[None, :] < f),
            other=0.0,
        )
        acc += tl.dot(a, b, input_precision="ieee")
    acc = tl.maximum(acc + tl.load(b_ptr + rf, mask=rf < f, other=0.0)[None, :], 0.0)
    mask = (rp[:, None] < npix) & (rf[None, :] < f)
    tl.store(y_ptr + rp[:, None] * f + rf[None, :], acc, mask=mask)


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
