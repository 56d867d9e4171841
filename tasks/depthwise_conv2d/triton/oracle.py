"""depthwise_conv2d: [BP pixels, BC channels] tiles of y, 256 outputs per program of eight
warps (one per thread), the filter size a compile-time constant (taps unrolled), every tap
a coalesced load of x along the channels (a whole contiguous run when BC = C) and one
filter vector shared by the BP pixels."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "depthwise_conv2d"
# @ grid = [
# @     "cdiv((H - KH + 1) * (W - KW + 1), max(1, 256 // min(next_pow2(C), 256)))",
# @     "cdiv(C, min(next_pow2(C), 256))",
# @ ]
# @ num_warps = 8
# @ args = ["x", "w", "y", "H", "W", "C"]
# @ [launch.constexprs]
# @ BP = "max(1, 256 // min(next_pow2(C), 256))"
# @ BC = "min(next_pow2(C), 256)"
# @ KH = "KH"
# @ KW = "KW"


@triton.jit
def depthwise_conv2d(
    x_ptr,
    w_ptr,
    y_ptr,
    h,
    wd,
    c,
    BP: tl.constexpr,
    BC: tl.constexpr,
    KH: tl.constexpr,
    KW: tl.constexpr,
):
    oh = h - KH + 1
    ow = wd - KW + 1
    p = tl.program_id(0) * BP + tl.arange(0, BP)
    cs = tl.program_id(1) * BC + tl.arange(0, BC)
    pmask = p < oh * ow
    cmask = cs < c
    mask = pmask[:, None] & cmask[None, :]
    base = ((p // ow) * wd + p % ow) * c
    acc = tl.zeros([BP, BC], tl.float32)
    for a in tl.static_range(KH):
        for b in tl.static_range(KW):
            tap = (a * wd + b) * c
            x = tl.load(x_ptr + (base + tap)[:, None] + cs[None, :], mask=mask, other=0.0)
            w = tl.load(w_ptr + (a * KW + b) * c + cs, mask=cmask, other=0.0)
            acc += x * w[None, :]
    tl.store(y_ptr + (p * c)[:, None] + cs[None, :], acc, mask=mask)
