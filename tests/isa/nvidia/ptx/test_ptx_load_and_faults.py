"""Loading PTX (errors name the line and the instruction), bad launches, hard faults and caps."""

from __future__ import annotations

import re

import numpy as np
import pytest

from isa.base import CompileError, ExecutionError
from isa.nvidia.ptx import DeviceMemory, EmuLimits, PtxError, PtxFault, launch, load_module
from tests.isa.nvidia.ptx.conftest import ptx_kernel, run_ptx


def test_module_header_params_and_shared_layout() -> None:
    text = ptx_kernel(
        "    add.s32 %r2, %r1, 1;",
        params=2,
        shared=".shared .align 8 .b8 a[12];\n.extern .shared .align 16 .b8 dyn[];",
    )
    m = load_module(text)
    assert (m.version, m.target, m.address_size) == ("8.0", "sm_80", 64)
    k = m.kernels["k"]
    assert [(p.name, p.ptype, p.offset) for p in k.params] == [
        ("k_param_0", "u64", 0),
        ("k_param_1", "u64", 8),
    ]
    assert k.static_shared_bytes == 12
    assert len(k.instructions) == 6


def test_unknown_instruction_is_named_with_its_line() -> None:
    text = ptx_kernel("    frobnicate.b32 %r2, %r1;")
    with pytest.raises(PtxError) as err:
        load_module(text)
    assert "unknown instruction 'frobnicate.b32'" in str(err.value)
    assert err.value.line == text.splitlines().index("    frobnicate.b32 %r2, %r1;") + 1
    assert isinstance(err.value, CompileError)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    add.s32 %q2, %r1, 1;", "register '%q2' is not declared"),
        ("    bra $NOWHERE;", "unknown label '$NOWHERE'"),
        ("    add.s32 %r2, %r1;", "takes 3 operands"),
        ("    call foo;", "calls the device function 'foo'"),
        ("    call (%rd5), %rd1, (%rd2), proto;", "calls through the register %rd1"),
        (
            "    mbarrier.init.shared.b64 [%rd1], 1;",
            "unsupported instruction 'mbarrier.init.shared.b64'",
        ),
    ],
)
def test_load_errors_are_one_clear_sentence(body: str, message: str) -> None:
    with pytest.raises(PtxError, match=re.escape(message)):
        load_module(ptx_kernel(body))


def test_no_kernel_is_an_error() -> None:
    with pytest.raises(PtxError, match=r"no \.entry"):
        load_module(".version 8.0\n.target sm_80\n.address_size 64\n")


def test_source_lines_come_from_loc_and_inlined_at() -> None:
    text = (
        ptx_kernel(
            "    .loc 1 7 3\n    add.s32 %r2, %r1, 1;\n"
            "    .loc 2 99 1, function_name $L__info, inlined_at 1 8 5\n    add.s32 %r3, %r1, 1;"
        )
        + '\n.file 1 "/src/kernel.cu"\n.file 2 "/usr/include/helper.h"\n'
    )
    ins = load_module(text).kernels["k"].instructions
    sources = [i.source for i in ins if i.opcode == "add.s32"]
    assert sources == ["kernel.cu:7", "kernel.cu:8"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"block": (2048, 1, 1)}, "the limit is 1024"),
        ({"args": [1]}, "takes 2 arguments"),
        ({"name": "nope"}, "has no kernel 'nope'"),
        ({"args": [1.5, 0]}, "needs an integer"),
    ],
)
def test_bad_launches_are_value_errors(kwargs: dict, message: str) -> None:
    m = load_module(ptx_kernel("    add.s32 %r2, %r1, 1;"))
    mem = DeviceMemory()
    with pytest.raises(ValueError, match=message):
        launch(
            m,
            kwargs.get("name", "k"),
            (1, 1, 1),
            kwargs.get("block", (32, 1, 1)),
            kwargs.get("args", [0, 0]),
            mem,
        )


def test_misaligned_and_null_accesses_fault() -> None:
    body = """
    add.s64 %rd4, %rd2, 2;
    ld.global.f32 %f1, [%rd4];
"""
    with pytest.raises(PtxFault, match="misaligned 4-byte access"):
        run_ptx(ptx_kernel(body), [np.zeros(4, np.float32)], (np.float32, 1))
    with pytest.raises(PtxFault, match="outside every allocation"):
        run_ptx(
            ptx_kernel("    mov.u64 %rd4, 0;\n    st.global.u32 [%rd4], %r1;", params=1),
            [],
            (np.float32, 1),
        )


def test_shared_out_of_bounds_faults() -> None:
    body = "    mov.u32 %r2, sm;\n    st.shared.u32 [%r2+64], %r1;"
    with pytest.raises(PtxFault, match="out-of-bounds shared-memory access") as err:
        run_ptx(
            ptx_kernel(body, params=1, shared=".shared .align 4 .b8 sm[64];"), [], (np.float32, 1)
        )
    assert isinstance(err.value, ExecutionError)
    assert err.value.findings[-1].kind == "oob-shared"


def test_barrier_reached_by_part_of_a_block_faults() -> None:
    body = """
    setp.lt.u32 %p1, %r1, 16;
    @%p1 bra $SKIP;
    bar.sync 0;
$SKIP:
    bar.sync 0;
"""
    with pytest.raises(PtxFault, match="only part of the block"):
        run_ptx(ptx_kernel(body, params=1), [], (np.float32, 1), threads=64)


def test_infinite_loop_hits_the_step_cap() -> None:
    body = "$L:\n    add.s32 %r2, %r2, 1;\n    bra.uni $L;"
    m = load_module(ptx_kernel(body))
    mem = DeviceMemory()
    with pytest.raises(PtxFault, match="loop forever"):
        launch(
            m, "k", (1, 1, 1), (32, 1, 1), [0, 0], mem, limits=EmuLimits(max_steps_per_chunk=1000)
        )


def test_trap_faults() -> None:
    with pytest.raises(PtxFault, match="trap"):
        run_ptx(ptx_kernel("    trap;", params=1), [], (np.float32, 1))


def test_blocks_run_in_bounded_chunks() -> None:
    body = """
    mov.u32 %r2, %ctaid.x;
    mov.u32 %r3, %ntid.x;
    mad.lo.s32 %r4, %r2, %r3, %r1;
    mul.wide.u32 %rd4, %r4, 4;
    add.s64 %rd5, %rd1, %rd4;
    st.global.u32 [%rd5], %r4;
"""
    m = load_module(ptx_kernel(body, params=1))
    mem = DeviceMemory()
    out = mem.alloc(4 * 40 * 96)
    r = launch(
        m, "k", (40, 1, 1), (96, 1, 1), [out], mem, limits=EmuLimits(max_threads_per_chunk=500)
    )
    np.testing.assert_array_equal(mem.read(out, np.uint32, (40 * 96,)), np.arange(40 * 96))
    assert r.counters.blocks == 40 and r.counters.warps == 40 * 3


def test_chunks_shrink_to_bound_host_memory() -> None:
    body = "    mov.u64 %rd6, depot;\n    st.local.u32 [%rd6+4096], %r1;"
    text = ptx_kernel(body, params=1).replace(
        ".reg .pred %p<8>;", ".reg .pred %p<8>;\n    .local .align 8 .b8 depot[8192];"
    )
    m = load_module(text)
    mem = DeviceMemory()
    # 8 KiB of local memory x 1024 threads x 64 blocks would be 512 MiB in one chunk
    r = launch(
        m, "k", (64, 1, 1), (1024, 1, 1), [0], mem, limits=EmuLimits(max_chunk_bytes=32 << 20)
    )
    assert r.counters.blocks == 64
    big = text.replace("depot[8192]", "depot[1048576]")
    with pytest.raises(ValueError, match="local memory per thread"):
        launch(load_module(big), "k", (1, 1, 1), (32, 1, 1), [0], mem)


def test_warp_instruction_cap_over_a_launch() -> None:
    body = "    add.s32 %r2, %r1, 1;\n    add.s32 %r2, %r2, 1;"
    m = load_module(ptx_kernel(body))
    mem = DeviceMemory()
    limits = EmuLimits(max_warp_instructions=100, max_threads_per_chunk=64)
    with pytest.raises(PtxFault, match="too large to emulate"):
        launch(m, "k", (40, 1, 1), (64, 1, 1), [0, 0], mem, limits=limits)
