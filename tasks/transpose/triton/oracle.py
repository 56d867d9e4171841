"""transpose: on small matrices (under 2^17 elements, where latency dominates) one program
per row of x with up to eight warps along it, one load and one store in flight per thread;
on large ones 32x32 tiles read along the rows of x and written along the rows of y, Triton
moving each tile between the two layouts through shared memory so that both the loads and
the stores are coalesced. The plan picks the path (T = 0 or 1)."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "transpose"
# @ grid = [
# @     "cdiv(N, min(max(next_pow2(N), 32), 1024 - 992 * min(1, M * N // 131072)))",
# @     "cdiv(M, 1 + 31 * min(1, M * N // 131072))",
# @ ]
# @ num_warps = "max(8 * min(1, M * N // 131072), min(8, max(1, next_pow2(N) // 32)))"
# @ args = ["x", "y", "M", "N"]
# @ [launch.constexprs]
# @ BM = "1 + 31 * min(1, M * N // 131072)"
# @ BN = "min(max(next_pow2(N), 32), 1024 - 992 * min(1, M * N // 131072))"


@triton.jit
def transpose(x_ptr, y_ptr, m, n, BM: tl.constexpr, BN: tl.constexpr):
    rn = tl.program_id(0) * BN + tl.arange(0, BN)
    if BM == 1:
        row = tl.program_id(1)
        x = tl.load(x_ptr + row * n + rn, mask=rn < n)
        tl.store(y_ptr + rn * m + row, x, mask=rn < n)
    else:
        rm = tl.program_id(1) * BM + tl.arange(0, BM)
        tile = tl.load(
            x_ptr + rm[:, None] * n + rn[None, :], mask=(rm[:, None] < m) & (rn[None, :] < n)
        )
        mask = (rn[:, None] < n) & (rm[None, :] < m)
        tl.store(y_ptr + rn[:, None] * m + rm[None, :], tl.trans(tile), mask=mask)
