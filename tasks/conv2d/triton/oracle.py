"""conv2d as an implicit GEMM: y [P = OH*OW pixels, F] = X [P, KH*KW*C] @ w [KH*KW*C, F],
where w is already that matrix in memory and X is gathered on the fly (row p of X is the
receptive field of pixel p: tap offset (a * W + b) * C + c). 32x32 tiles of y, eight
warps, k in steps of 16, tl.dot (ieee fp32), no im2col buffer."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "conv2d"
# @ grid = ["cdiv(F, 32)", "cdiv((H - KH + 1) * (W - KW + 1), 32)"]
# @ num_warps = 8
# @ num_stages = 2
# @ constexprs = { BP = 32, BF = 32, BK = 16 }
# @ args = ["x", "w", "y", "H", "W", "C", "F", "KW", "KH * KW * C"]


@triton.jit
def conv2d(
    x_ptr,
    w_ptr,
    y_ptr,
    h,
    wd,
    c,
    f,
    kw,
    k,
    BP: tl.constexpr,
    BF: tl.constexpr,
    BK: tl.constexpr,
):
    ow = wd - kw + 1
    npix = (h - k // (kw * c) + 1) * ow
    rp = tl.program_id(1) * BP + tl.arange(0, BP)
    rf = tl.program_id(0) * BF + tl.arange(0, BF)
    rk = tl.arange(0, BK)
    base = ((rp // ow) * wd + rp % ow) * c  # x offset of each pixel's first tap
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
    mask = (rp[:, None] < npix) & (rf[None, :] < f)
    tl.store(y_ptr + rp[:, None] * f + rf[None, :], acc, mask=mask)
