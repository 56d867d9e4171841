"""conv2d, naive: one program of one warp per output pixel, the filters in blocks of 32,
one (tap, channel) at a time: a scalar of x times a row of w (the speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "conv2d"
# @ grid = ["(H - KH + 1) * (W - KW + 1)"]
# @ num_warps = 1
# @ constexprs = { BLOCK = 32 }
# @ args = ["x", "w", "y", "W", "C", "F", "KH", "KW"]


@triton.jit
def conv2d(x_ptr, w_ptr, y_ptr, wd, c, f, kh, kw, BLOCK: tl.constexpr):
    ow = wd - kw + 1
    p = tl.program_id(0)
    i = p // ow
    j = p % ow
    fs = tl.arange(0, BLOCK)
    for f0 in range(0, f, BLOCK):
        mask = f0 + fs < f
        acc = tl.zeros([BLOCK], tl.float32)
        for a in range(0, kh):
            for b in range(0, kw):
                for ch in range(0, c):
                    x = tl.load(x_ptr + ((i + a) * wd + j + b) * c + ch)
                    w = tl.load(w_ptr + ((a * kw + b) * c + ch) * f + f0 + fs, mask=mask)
                    acc += x * w
        tl.store(y_ptr + p * f + f0 + fs, acc, mask=mask)
