"""ffn, naive: two launches of the naive GEMM (16x16 tiles, one warp each, k in steps of 16):
h = gelu(x @ w1 + b1) into a scratch buffer, then y = h @ w2 + b2 (the speed-up baseline)."""

import triton
import triton.language as tl

# @ [scratch]
# @ h = "M * F"
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(F, 16)", "cdiv(M, 16)"]
# @ num_warps = 1
# @ num_stages = 1
# @ args = ["x", "w1", "b1", "b1", "h", "M", "F", "E"]
# @ constexprs = { BIAS = 1, ACT = 2, RES = 0, BM = 16, BN = 16, BK = 16 }
# @
# @ [[launch]]
# @ kernel = "matmul"
# @ grid = ["cdiv(E, 16)", "cdiv(M, 16)"]
# @ num_warps = 1
# @ num_stages = 1
# @ args = ["h", "w2", "b2", "b2", "y", "M", "E", "F"]
# @ constexprs = { BIAS = 1, ACT = 0, RES = 0, BM = 16, BN = 16, BK = 16 }


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
