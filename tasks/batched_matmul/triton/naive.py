"""batched_matmul, naive: 16x16 tiles of every c[b], one warp each, k in steps of 16 (the
speed-up baseline)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "batched_matmul"
# @ grid = ["cdiv(N, 16)", "cdiv(M, 16)", "B"]
# @ num_warps = 1
# @ num_stages = 1
# @ constexprs = { BM = 16, BN = 16, BK = 16 }
# @ args = ["a", "b", "c", "M", "N", "K"]


@triton.jit
def batched_matmul(
    a_ptr, b_ptr, c_ptr, m, n, k, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr
):
    batch = tl.program_id(2)
    a_ptr += batch * m * k
    b_ptr += batch * k * n
    c_ptr += batch * m * n
    rm = tl.program_id(1) * BM + tl.arange(0, BM)
    rn = tl.program_id(0) * BN + tl.arange(0, BN)
    rk = tl.arange(0, BK)
    acc = tl.zeros([BM, BN], tl.float32)
    for k0 in range(0, k, BK):
        a = tl.load(
            a_ptr + rm[:, None] * k + (k0 + rk)[None, :],
            mask=(rm[:, None] < m) & (k0 + rk[None, :] < k),
            other=0.0,
        )
        b = tl.load(
            b_ptr + (k0 + rk)[:, None] * n + rn[None, :],
            mask=(k0 + rk[:, None] < k) & (rn[None, :] < n),
            other=0.0,
        )
        acc += tl.dot(a, b, input_precision="ieee")
    mask = (rm[:, None] < m) & (rn[None, :] < n)
    out = acc
    tl.store(c_ptr + rm[:, None] * n + rn[None, :], out, mask=mask)
