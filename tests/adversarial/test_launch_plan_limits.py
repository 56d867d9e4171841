"""The launch plan as an attack surface: plans that ask for absurd scratch, grids, shared
memory or integer arguments get one sentence naming the limit (`isa.nvidia.limits`), before
anything is allocated or launched, instead of an internal error or a minute of emulation."""

from __future__ import annotations

import time

from tests.adversarial import test_cuda_exploits as cuda
from tests.adversarial import test_triton_exploits as triton
from tests.adversarial.exploits import Exploit, assert_rejected, judge

KIND = "launch-plan limits"


def cuda_plan(grid: str = '"cdiv(M * N, 256)"', block: str = "256", extra: str = "") -> str:
    plan = f"""{extra}//@ [[launch]]
//@ kernel = "silu"
//@ grid = [{grid}]
//@ block = [{block}]
//@ args = ["x", "y", "M * N"]
"""
    return cuda.silu(plan=plan)


def cuda_arg(arg: str) -> str:
    return cuda.silu(plan=cuda.PLAN.replace('"M * N"]', f"{arg}]"))


SCRATCH = "does not compile: .*scratch buffers need .*; at most 4 GiB of scratch is allowed"
CASES = [
    Exploit(
        "scratch of 10^12 x M x N elements",
        "silu",
        cuda_plan(extra='//@ [scratch]\n//@ huge = "1000000000000 * M * N"\n'),
        SCRATCH,
        ("C1",),
    ),
    Exploit(
        "many scratch buffers, each below the limit",
        "silu",
        cuda_plan(
            extra="//@ [scratch]\n" + "".join(f'//@ s{i} = "200000000 + M"\n' for i in range(8))
        ),
        SCRATCH,
        ("C1",),
    ),
    Exploit(
        "grid of 2^31-1 x 65535 blocks",
        "silu",
        cuda_plan(grid='"2147483647", "65535"'),
        r"the grid has \d+ blocks; at most 16777216 \(2\^24\) blocks",
        ("C1",),
    ),
    Exploit(
        "grid y beyond the hardware's 65535",
        "silu",
        cuda_plan(grid='"1", "70000"'),
        "grid dimension y is 70000; at most 65535",
        ("C1",),
    ),
    Exploit(
        "a gigabyte of dynamic shared memory",
        "silu",
        cuda.silu(plan=cuda.PLAN.replace("[256]", '[256]\n//@ shared = "1073741824"')),
        "needs 1 GiB of shared memory; at most 227 KiB on sm_90",
        ("C1",),
    ),
    Exploit(
        "16M blocks of 1024 threads: more warps than the emulator's cap",
        "silu",
        cuda_plan(grid='"16777216"', block="1024"),
        "starts \\d+ warps; the emulator runs at most \\d+ warp instructions",
        ("C1",),
    ),
    Exploit(
        "an integer argument beyond 32 bits",
        "silu",
        cuda_arg('"M * N + 4294967296"'),
        r"argument 4294967424 for parameter \w+ is outside the range of its type \.u32",
        ("C1",),
    ),
    Exploit(
        "a negative argument beyond 32 bits",
        "silu",
        cuda_arg('"0 - 4294967296"'),
        r"argument -4294967296 for parameter \w+ is outside the range",
        ("C1",),
    ),
]
TRITON_CASES = [
    Exploit(
        "Triton: an integer argument beyond 32 bits",
        "silu",
        triton.silu(plan=triton.PLAN.replace('"M * N"]', '"M * N + 8589934592"]')),
        r"argument 8589934720 for parameter \w+ is outside the range",
        ("C1",),
    ),
    Exploit(
        "Triton: scratch of 10^12 x M x N elements",
        "silu",
        triton.silu(plan='# @ [scratch]\n# @ huge = "1000000000000 * M * N"\n' + triton.PLAN),
        SCRATCH,
        ("C1",),
    ),
]
EXPLOITS = [("cuda:sm_90", e) for e in CASES] + [("triton:sm_80", e) for e in TRITON_CASES]


def test_absurd_plans_are_refused_quickly_with_the_limit() -> None:
    for target, exploit in EXPLOITS:
        started = time.monotonic()
        verdict = judge(exploit.task, target, exploit.text(), configs=exploit.configs)
        assert_rejected(verdict, exploit.reason)
        assert "internal error" not in verdict.reason
        assert time.monotonic() - started < 60, exploit.name  # refused, not emulated


def test_arguments_within_their_type_are_accepted() -> None:
    """A C `int` is a .u32 parameter in nvcc's PTX: -1 and 2^32-1 both fit its 32 bits."""
    from isa.nvidia.limits import param_range
    from isa.nvidia.signature import EntryParam

    assert param_range(EntryParam("n", "u32", 4)) == (-(1 << 31), (1 << 32) - 1)
    assert param_range(EntryParam("n", "s32", 4)) == (-(1 << 31), (1 << 31) - 1)
    assert param_range(EntryParam("p", "u64", 8)) == (-(1 << 63), (1 << 64) - 1)
    assert param_range(EntryParam("f", "f32", 4)) is None
