"""flash_attention, naive: one program of one warp per query row, two passes over the keys in
blocks of 32 (the maximum, then the exponentials and the weighted sum of v; the speed-up
baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "attention"
# @ grid = ["S", "1"]
# @ num_warps = 1
# @ constexprs = { BT = 32, BD = "max(next_pow2(D), 16)" }
# @ args = ["q", "k", "v", "o", "T", "D", "D", "D", "1"]


@triton.jit
def attention(
    q_ptr, k_ptr, v_ptr, o_ptr, t, d, q_stride, kv_stride, group, BT: tl.constexpr, BD: tl.constexpr
):
    row = tl.program_id(0)
    hq = tl.program_id(1)
    hk = hq // group
    rt = tl.arange(0, BT)
    rd = tl.arange(0, BD)
    q = tl.load(q_ptr + row * q_stride + hq * d + rd, mask=rd < d, other=0.0)
    scale = 1.0 / tl.sqrt(d.to(tl.float32))
    mx = tl.full([BT], float("-inf"), tl.float32)
    for t0 in range(0, t, BT):
        mask = (t0 + rt[:, None] < t) & (rd[None, :] < d)
        kk = tl.load(k_ptr + (t0 + rt)[:, None] * kv_stride + hk * d + rd[None, :], mask=mask)
        sc = tl.where(t0 + rt < t, tl.sum(kk * q[None, :], axis=1) * scale, float("-inf"))
        mx = tl.maximum(mx, sc)
    m = tl.max(mx, axis=0)
    total = tl.zeros([BT], tl.float32)
    acc = tl.zeros([BD], tl.float32)
    for t0 in range(0, t, BT):
        mask = (t0 + rt[:, None] < t) & (rd[None, :] < d)
        kk = tl.load(k_ptr + (t0 + rt)[:, None] * kv_stride + hk * d + rd[None, :], mask=mask)
        sc = tl.sum(kk * q[None, :], axis=1) * scale
        p = tl.where(t0 + rt < t, tl.exp(sc - m), 0.0)
        total += p
        vv = tl.load(v_ptr + (t0 + rt)[:, None] * kv_stride + hk * d + rd[None, :], mask=mask)
        acc += tl.sum(p[:, None] * vv, axis=0)
    tl.store(o_ptr + row * q_stride + hq * d + rd, acc / tl.sum(total, axis=0), mask=rd < d)
