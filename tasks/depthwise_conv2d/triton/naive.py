"""depthwise_conv2d, naive: one program of one warp per output row, its pixels one after
the other, the channels in blocks of 32, one tap at a time (the speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "depthwise_conv2d"
# @ grid = ["H - KH + 1"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "w", "y", "W", "C", "KH", "KW"]


@triton.jit
def depthwise_conv2d(x_ptr, w_ptr, y_ptr, wd, c, kh, kw, BLOCK: tl.constexpr):
    ow = wd - kw + 1
    i = tl.program_id(0)
    cs = tl.arange(0, BLOCK)
    for j in range(0, ow):
        for c0 in range(0, c, BLOCK):
            mask = c0 + cs < c
            acc = tl.zeros([BLOCK], tl.float32)
            for a in range(0, kh):
                for b in range(0, kw):
                    x = tl.load(x_ptr + ((i + a) * wd + j + b) * c + c0 + cs, mask=mask, other=0.0)
                    w = tl.load(w_ptr + (a * kw + b) * c + c0 + cs, mask=mask, other=0.0)
                    acc += x * w
            tl.store(y_ptr + (i * ow + j) * c + c0 + cs, acc, mask=mask)
