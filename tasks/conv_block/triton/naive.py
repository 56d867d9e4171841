"""conv_block, naive: two launches: the naive convolution (one program of one warp per output
pixel, the filters in blocks of 32, one (tap, channel) at a time, bias and relu) into a
scratch buffer h, then the naive GEMM y = relu(h @ w2 + b2) (16x16 tiles, one warp each;
the speed-up baseline)."""

import triton
import triton.language as tl

# @ [scratch]
# @ h = "(H - KH + 1) * (W - KW + 1) * F"
# @
# @ [[launch]]
# @ kernel = "conv_relu"
# @ grid = ["(H - KH + 1) * (W - KW + 1)"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "w1", "b1", "h", "W", "C", "F", "KH", "KW"]
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(G, 16)", "cdiv((H - KH + 1) * (W - KW + 1), 16)"]
# @ num_warps = 1
# @ num_stages = 1
# @ args = ["h", "w2", "b2", "b2", "y", "(H - KH + 1) * (W - KW + 1)", "G", "F"]
# @ constexprs = { BIAS = 1, ACT = 1, RES = 0, BM = 16, BN = 16, BK = 16 }


@triton.jit
def conv_relu(x_ptr, w_ptr, b_ptr, y_ptr, wd, c, f, kh, kw, BLOCK: tl.constexpr):
    """h[p] = relu(conv(x, w)[p] + b) for one output pixel p, the filters in blocks."""
    ow = wd - kw + 1
    p = tl.program_id(0)
    i = p // ow
    j = p % ow
    fs = tl.arange(0, BLOCK)
    for f0 in range(0, f, BLOCK):
        mask = f0 + fs < f
        acc = tl.load(b_ptr + f0 + fs, mask=mask, other=0.0)
        for a in range(0, kh):
            for b in range(0, kw):
                for ch in range(0, c):
                    x = tl.load(x_ptr + ((i + a) * wd + j + b) * c + ch)
                    w = tl.load(w_ptr + ((a * kw + b) * c + ch) * f + f0 + fs, mask=mask)
                    acc += x * w
        tl.store(y_ptr + p * f + f0 + fs, tl.maximum(acc, 0.0), mask=mask)


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
