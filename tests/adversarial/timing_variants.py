"""Gaming variants of the naive gemm for the timing model: the same work, plus idle blocks
(an extra grid dimension), idle warps (early return), or all of it in one block. Shared by
tests/adversarial/test_timing_exploits.py and benchmarks/timing_model_fidelity.py."""

from __future__ import annotations

from pathlib import Path

TASKS = Path(__file__).resolve().parents[2] / "tasks"
CUDA_NAIVE = (TASKS / "gemm" / "cuda" / "naive.cu").read_text()
TRITON_NAIVE = (TASKS / "gemm" / "triton" / "naive.py").read_text()

CUDA_IDLE_GRID = CUDA_NAIVE.replace(
    '//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]', '//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)", "64"]'
).replace("  if (row >= m", "  if (blockIdx.z != 0) return;\n  if (row >= m")

CUDA_IDLE_BLOCKS_FIRST = CUDA_NAIVE.replace(
    '//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]', '//@ grid = ["cdiv(N, 16) * 8", "cdiv(M, 16)"]'
).replace(
    "  int col = blockIdx.x * blockDim.x + threadIdx.x;",
    "  if (blockIdx.x % 8 != 7) return;  // seven idle blocks before each working one\n"
    "  int col = (blockIdx.x / 8) * blockDim.x + threadIdx.x;",
)

CUDA_IDLE_WARPS = (
    CUDA_NAIVE.replace("//@ block = [16, 16]", "//@ block = [16, 64]")
    .replace(
        "  int row = blockIdx.y * blockDim.y + threadIdx.y;",
        "  if (threadIdx.y >= 16) return;  // three of every four warps leave at once\n"
        "  int row = blockIdx.y * 16 + threadIdx.y;",
    )
    .replace("blockIdx.x * blockDim.x", "blockIdx.x * 16")
)

CUDA_ONE_BLOCK = """//@ [[launch]]
//@ kernel = "gemm_one"
//@ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
//@ block = [16, 16]
//@ args = ["a", "b", "c", "M", "N", "K"]

extern "C" __global__ void gemm_one(const float* a, const float* b, float* c, int m, int n,
                                    int k) {
  if (blockIdx.x != 0 || blockIdx.y != 0) return;  // block (0, 0) does all the work
  for (int row = threadIdx.y; row < m; row += 16)
    for (int col = threadIdx.x; col < n; col += 16) {
      float acc = 0.0f;
      for (int p = 0; p < k; ++p) acc += a[(long long)row * k + p] * b[(long long)p * n + col];
      c[(long long)row * n + col] = acc;
    }
}
"""

TRITON_IDLE_GRID = (
    TRITON_NAIVE.replace(
        '# @ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]',
        '# @ grid = ["cdiv(N, 16)", "cdiv(M, 16)", "8"]',
    )
    .replace(
        "    for k0 in range(0, k, BK):",
        "    live = tl.program_id(2) == 0  # programs with a third index > 0 do nothing\n"
        "    for k0 in range(0, tl.where(live, k, 0), BK):",
    )
    .replace("    mask = (rm[:, None] < m)", "    mask = live & (rm[:, None] < m)")
)

TRITON_ONE_PROGRAM = '''"""gemm with every tile computed by program (0, 0) of a full grid."""

import triton
import triton.language as tl

# @ [[launch]]
# @ kernel = "gemm"
# @ grid = ["cdiv(N, 16)", "cdiv(M, 16)"]
# @ num_warps = 1
# @ num_stages = 1
# @ constexprs = { BM = 16, BN = 16, BK = 16 }
# @ args = ["a", "b", "c", "M", "N", "K"]


@triton.jit
def gemm(a_ptr, b_ptr, c_ptr, m, n, k, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
    live = (tl.program_id(0) == 0) & (tl.program_id(1) == 0)
    tiles_m = tl.where(live, tl.cdiv(m, BM), 0)
    for tm in range(0, tiles_m):
        for tn in range(0, tl.cdiv(n, BN)):
            rm = tm * BM + tl.arange(0, BM)
            rn = tn * BN + tl.arange(0, BN)
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
            tl.store(c_ptr + rm[:, None] * n + rn[None, :], acc, mask=mask)
'''

CUDA_GAMING = {
    "idle-grid-dimension": CUDA_IDLE_GRID,
    "idle-blocks-interleaved": CUDA_IDLE_BLOCKS_FIRST,
    "early-return-warps": CUDA_IDLE_WARPS,
    "one-block-does-all": CUDA_ONE_BLOCK,
}
TRITON_GAMING = {
    "idle-grid-dimension": TRITON_IDLE_GRID,
    "one-program-does-all": TRITON_ONE_PROGRAM,
}
