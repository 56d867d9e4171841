"""swiglu: 32x32 tiles of y on the emulator's small sizes, 64x64 from M = 1024 on (the plan
picks them), eight warps each, k in steps of 32, loads pipelined; both products share
every tile of x, silu and the gate fused."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "swiglu"
# @ grid = [
# @     "cdiv(N, 32 * min(2, max(1, M // 1024)))",
# @     "cdiv(M, 32 * min(2, max(1, M // 1024)))",
# @ ]
# @ num_warps = 8
# @ num_stages = 2
# @ args = ["x", "wg", "wu", "y", "M", "N", "K"]
# @ [launch.constexprs]
# @ BM = "32 * min(2, max(1, M // 1024))"
# @ BN = "32 * min(2, max(1, M // 1024))"
# @ BK = 32


@triton.jit
def swiglu(
    x_ptr, wg_ptr, wu_ptr, y_ptr, m, n, k, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr
):
    rm = tl.program_id(1) * BM + tl.arange(0, BM)
    rn = tl.program_id(0) * BN + tl.arange(0, BN)
    rk = tl.arange(0, BK)
    gate = tl.zeros([BM, BN], tl.float32)
    up = tl.zeros([BM, BN], tl.float32)
    for k0 in range(0, k, BK):
        a = tl.load(
            x_ptr + rm[:, None] * k + (k0 + rk)[None, :],
            mask=(rm[:, None] < m) & (k0 + rk[None, :] < k),
            other=0.0,
        )
        b = tl.load(
            wg_ptr + (k0 + rk)[:, None] * n + rn[None, :],
            mask=(k0 + rk[:, None] < k) & (rn[None, :] < n),
            other=0.0,
        )
        gate += tl.dot(a, b, input_precision="ieee")
        b2 = tl.load(
            wu_ptr + (k0 + rk)[:, None] * n + rn[None, :],
            mask=(k0 + rk[:, None] < k) & (rn[None, :] < n),
            other=0.0,
        )
        up += tl.dot(a, b2, input_precision="ieee")
    mask = (rm[:, None] < m) & (rn[None, :] < n)
    out = gate / (1.0 + tl.exp(-gate)) * up
    tl.store(y_ptr + rm[:, None] * n + rn[None, :], out, mask=mask)
