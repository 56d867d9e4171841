"""attention_scores, naive: one program of one warp per row of p, the keys in blocks of 32:
the raw scores are written to p while their maximum is taken, then two more passes over
the row (the sum of the exponentials, the normalised output; the speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "attention_scores"
# @ grid = ["S"]
# @ num_warps = 1
# @ constexprs = { BT = 32, BD = "max(next_pow2(D), 16)" }
# @ args = ["q", "k", "p", "T", "D"]


@triton.jit
def attention_scores(q_ptr, k_ptr, p_ptr, t, d, BT: tl.constexpr, BD: tl.constexpr):
    row = tl.program_id(0)
    rt = tl.arange(0, BT)
    rd = tl.arange(0, BD)
    q = tl.load(q_ptr + row * d + rd, mask=rd < d, other=0.0)
    scale = 1.0 / tl.sqrt(d.to(tl.float32))
    mx = tl.full([BT], float("-inf"), tl.float32)
    for t0 in range(0, t, BT):
        mask = (t0 + rt[:, None] < t) & (rd[None, :] < d)
        kk = tl.load(k_ptr + (t0 + rt)[:, None] * d + rd[None, :], mask=mask, other=0.0)
        sc = tl.sum(kk * q[None, :], axis=1) * scale
        tl.store(p_ptr + row * t + t0 + rt, sc, mask=t0 + rt < t)
        mx = tl.maximum(mx, tl.where(t0 + rt < t, sc, float("-inf")))
    m = tl.max(mx, axis=0)
    total = tl.zeros([BT], tl.float32)
    for t0 in range(0, t, BT):
        sc = tl.load(p_ptr + row * t + t0 + rt, mask=t0 + rt < t, other=float("-inf"))
        total += tl.exp(sc - m)
    inv = 1.0 / tl.sum(total, axis=0)
    for t0 in range(0, t, BT):
        sc = tl.load(p_ptr + row * t + t0 + rt, mask=t0 + rt < t, other=float("-inf"))
        tl.store(p_ptr + row * t + t0 + rt, tl.exp(sc - m) * inv, mask=t0 + rt < t)
