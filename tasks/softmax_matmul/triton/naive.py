"""softmax_matmul, naive: one program of one warp per row of o, three passes over the row
of s in blocks of 32 (maximum, sum of exponentials, the weighted sum of the rows of v;
the speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "softmax_matmul"
# @ grid = ["S"]
# @ num_warps = 1
# @ constexprs = { BT = 32, BD = "max(next_pow2(D), 16)" }
# @ args = ["s", "v", "o", "T", "D"]


@triton.jit
def softmax_matmul(s_ptr, v_ptr, o_ptr, t, d, BT: tl.constexpr, BD: tl.constexpr):
    row = tl.program_id(0)
    rt = tl.arange(0, BT)
    rd = tl.arange(0, BD)
    mx = tl.full([BT], float("-inf"), tl.float32)
    for t0 in range(0, t, BT):
        x = tl.load(s_ptr + row * t + t0 + rt, mask=t0 + rt < t, other=float("-inf"))
        mx = tl.maximum(mx, x)
    m = tl.max(mx, axis=0)
    total = tl.zeros([BT], tl.float32)
    for t0 in range(0, t, BT):
        x = tl.load(s_ptr + row * t + t0 + rt, mask=t0 + rt < t, other=float("-inf"))
        total += tl.exp(x - m)
    inv = 1.0 / tl.sum(total, axis=0)
    acc = tl.zeros([BD], tl.float32)
    for t0 in range(0, t, BT):
        x = tl.load(s_ptr + row * t + t0 + rt, mask=t0 + rt < t, other=float("-inf"))
        mask = (t0 + rt[:, None] < t) & (rd[None, :] < d)
        vv = tl.load(v_ptr + (t0 + rt)[:, None] * d + rd[None, :], mask=mask, other=0.0)
        acc += tl.sum((tl.exp(x - m) * inv)[:, None] * vv, axis=0)
    tl.store(o_ptr + row * d + rd, acc, mask=rd < d)
