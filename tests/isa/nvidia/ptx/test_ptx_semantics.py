"""Instruction semantics on small hand-written PTX kernels, checked against NumPy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from isa.nvidia.ptx.numerics import f32_to_bf16, fma_f32
from tests.isa.nvidia.ptx.conftest import ptx_kernel, run_ptx

LOAD_F = """
    add.s64 %rd4, %rd2, %rd3;
    ld.global.f32 %f1, [%rd4];
    add.s64 %rd5, %rd1, %rd3;
"""
LOAD_R = """
    add.s64 %rd4, %rd2, %rd3;
    ld.global.u32 %r2, [%rd4];
    add.s64 %rd5, %rd1, %rd3;
"""


def test_integer_arithmetic_wraps_and_divides_toward_zero() -> None:
    a = np.array([7, -7, 2**31 - 1, -(2**31), 100, -100, 5, 0] * 4, dtype=np.int32)
    body = (
        LOAD_R
        + """
    add.s32 %r3, %r2, 1;
    div.s32 %r4, %r2, 3;
    rem.s32 %r5, %r2, 3;
    mul.hi.s32 %r6, %r2, 1000000;
    shr.s32 %r7, %r2, 1;
    xor.b32 %r8, %r3, %r4;
    add.s32 %r9, %r8, %r5;
    add.s32 %r9, %r9, %r6;
    add.s32 %r9, %r9, %r7;
    st.global.u32 [%rd5], %r9;
"""
    )
    out, _ = run_ptx(ptx_kernel(body), [a], (np.int32, 32))
    a64 = a.astype(np.int64)
    q = np.trunc(a64 / 3).astype(np.int64)
    exp = ((a64 + 1).astype(np.int32) ^ q.astype(np.int32)).astype(np.int64)
    exp = exp + (a64 - 3 * q) + ((a64 * 1000000) >> 32) + (a64 >> 1)
    np.testing.assert_array_equal(out, exp.astype(np.int64).astype(np.int32))


def test_fma_is_correctly_rounded() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal(32).astype(np.float32)
    body = (
        LOAD_F
        + """
    mul.f32 %f2, %f1, 0f3F8CCCCD;
    fma.rn.f32 %f3, %f1, %f2, 0fBF800000;
    st.global.f32 [%rd5], %f3;
"""
    )
    out, res = run_ptx(ptx_kernel(body), [a], (np.float32, 32))
    b = a * np.float32(1.1)
    exact = a.astype(np.float64) * b.astype(np.float64) - 1.0
    # a*b - 1 in f64 is exact here; rounding it once to f32 is the correctly rounded fma
    np.testing.assert_array_equal(out, exact.astype(np.float32))
    np.testing.assert_array_equal(out, fma_f32(a, b, np.float32(-1.0)))
    assert res.counters.flops == 32 * 3


@pytest.mark.parametrize(
    ("mode", "expect"),
    [
        ("rni", [2, -2, 2, 3]),
        ("rzi", [2, -2, 1, 2]),
        ("rmi", [2, -3, 1, 2]),
        ("rpi", [3, -2, 2, 3]),
    ],
)
def test_float_to_int_rounding_modes(mode: str, expect: list[int]) -> None:
    a = np.array([2.5, -2.5, 1.5, 2.7] * 8, dtype=np.float32)
    body = (
        LOAD_F
        + f"""
    cvt.{mode}.s32.f32 %r2, %f1;
    st.global.u32 [%rd5], %r2;
"""
    )
    out, _ = run_ptx(ptx_kernel(body), [a], (np.int32, 32))
    np.testing.assert_array_equal(out[:4], expect)


def test_float_to_int_saturates_and_nan_is_zero() -> None:
    a = np.array([3e9, -3e9, np.nan, -1.0] * 8, dtype=np.float32)
    body = (
        LOAD_F
        + """
    cvt.rzi.s32.f32 %r2, %f1;
    cvt.rzi.u32.f32 %r3, %f1;
    st.global.u32 [%rd5], %r2;
    mul.wide.u32 %rd6, %r1, 4;
    add.s64 %rd7, %rd5, 128;
    st.global.u32 [%rd7], %r3;
"""
    )
    out, _ = run_ptx(ptx_kernel(body), [a], (np.uint32, 64))
    np.testing.assert_array_equal(out[:4].view(np.int32), [2**31 - 1, -(2**31), 0, -1])
    np.testing.assert_array_equal(out[32:36], [3_000_000_000, 0, 0, 0])


@pytest.mark.parametrize("mode", ["rn", "rz", "rm", "rp"])
def test_f64_to_f32_rounding_modes(mode: str) -> None:
    x = np.array([1 + 2.0**-30, -(1 + 2.0**-30), 1 / 3, -1 / 3] * 8, dtype=np.float64)
    body = f"""
    mul.wide.u32 %rd6, %r1, 8;
    add.s64 %rd4, %rd2, %rd6;
    ld.global.f64 %fd1, [%rd4];
    cvt.{mode}.f32.f64 %f1, %fd1;
    add.s64 %rd5, %rd1, %rd3;
    st.global.f32 [%rd5], %f1;
"""
    out, _ = run_ptx(ptx_kernel(body), [x], (np.float32, 32))
    near = x.astype(np.float32)
    up = np.where(near.astype(np.float64) < x, np.nextafter(near, np.float32(np.inf)), near)
    down = np.where(near.astype(np.float64) > x, np.nextafter(near, np.float32(-np.inf)), near)
    exp = {"rn": near, "rp": up, "rm": down, "rz": np.where(x > 0, down, up)}[mode]
    np.testing.assert_array_equal(out, exp)


def test_half_and_bfloat16_conversions_and_arithmetic() -> None:
    a = np.random.default_rng(1).standard_normal(32).astype(np.float32) * 100
    body = (
        LOAD_F
        + """
    cvt.rn.f16.f32 %rs1, %f1;
    cvt.rz.f16.f32 %rs2, %f1;
    add.f16 %rs3, %rs1, %rs2;
    cvt.f32.f16 %f2, %rs3;
    cvt.rn.bf16.f32 %rs4, %f1;
    cvt.f32.bf16 %f3, %rs4;
    add.f32 %f4, %f2, %f3;
    st.global.f32 [%rd5], %f4;
"""
    )
    out, _ = run_ptx(ptx_kernel(body), [a], (np.float32, 32))
    h = a.astype(np.float16)
    hz = np.where(np.abs(h.astype(np.float32)) > np.abs(a), np.nextafter(h, np.float16(0)), h)
    s = (h.astype(np.float32) + hz.astype(np.float32)).astype(np.float16).astype(np.float32)
    bf = (f32_to_bf16(a).astype(np.uint32) << 16).view(np.float32)
    np.testing.assert_array_equal(out, s + bf)


def test_f16x2_pack_and_mov_unpack() -> None:
    a = np.arange(32, dtype=np.float32) + 0.25
    body = (
        LOAD_F
        + """
    add.f32 %f2, %f1, 0f3F800000;
    cvt.rn.f16x2.f32 %r2, %f2, %f1;
    mov.b32 {%rs1, %rs2}, %r2;
    cvt.f32.f16 %f3, %rs1;
    cvt.f32.f16 %f4, %rs2;
    sub.f32 %f5, %f4, %f3;
    st.global.f32 [%rd5], %f5;
"""
    )
    out, _ = run_ptx(ptx_kernel(body), [a], (np.float32, 32))
    np.testing.assert_array_equal(out, np.ones(32, np.float32))  # hi - lo = (a + 1) - a


def test_setp_selp_and_predicated_store() -> None:
    a = np.arange(32, dtype=np.float32) - 16
    body = (
        LOAD_F
        + """
    setp.gt.f32 %p1, %f1, 0f00000000;
    selp.f32 %f2, %f1, 0f00000000, %p1;
    setp.lt.and.f32 %p2, %f1, 0fC1000000, %p1;
    @%p1 st.global.f32 [%rd5], %f2;
    @!%p1 st.global.f32 [%rd5], 0fBF800000;
"""
    )
    out, _ = run_ptx(ptx_kernel(body), [a], (np.float32, 32))
    np.testing.assert_array_equal(out, np.where(a > 0, a, -1))


def test_divergent_loop_reconverges() -> None:
    # thread t sums 0..t-1 in a loop whose trip count differs per thread, then all threads
    # meet again at a barrier (which faults if they did not reconverge)
    body = """
    mov.u32 %r2, 0;
    mov.u32 %r3, 0;
$LOOP:
    setp.ge.u32 %p1, %r3, %r1;
    @%p1 bra $DONE;
    add.s32 %r2, %r2, %r3;
    add.s32 %r3, %r3, 1;
    bra.uni $LOOP;
$DONE:
    bar.sync 0;
    add.s64 %rd5, %rd1, %rd3;
    st.global.u32 [%rd5], %r2;
"""
    out, res = run_ptx(ptx_kernel(body, params=1), [], (np.uint32, 64), threads=64)
    t = np.arange(64)
    np.testing.assert_array_equal(out, t * (t - 1) // 2)
    assert res.counters.barriers == 1


def test_shfl_bfly_reduction_and_vote() -> None:
    a = np.arange(64, dtype=np.float32)
    body = (
        LOAD_F
        + """
    shfl.sync.bfly.b32 %r3, %f1, 16, 31, -1;
    mov.b32 %f2, %r3;
    add.f32 %f1, %f1, %f2;
    shfl.sync.bfly.b32 %r3, %f1, 8, 31, -1;
    mov.b32 %f2, %r3;
    add.f32 %f1, %f1, %f2;
    shfl.sync.bfly.b32 %r3, %f1, 4, 31, -1;
    mov.b32 %f2, %r3;
    add.f32 %f1, %f1, %f2;
    shfl.sync.bfly.b32 %r3, %f1, 2, 31, -1;
    mov.b32 %f2, %r3;
    add.f32 %f1, %f1, %f2;
    shfl.sync.bfly.b32 %r3, %f1, 1, 31, -1;
    mov.b32 %f2, %r3;
    add.f32 %f1, %f1, %f2;
    and.b32 %r4, %r1, 1;
    setp.eq.u32 %p1, %r4, 0;
    vote.sync.ballot.b32 %r5, %p1, -1;
    cvt.rn.f32.u32 %f3, %r5;
    add.f32 %f1, %f1, %f3;
    st.global.f32 [%rd5], %f1;
"""
    )
    out, _ = run_ptx(ptx_kernel(body), [a], (np.float32, 64), threads=64)
    sums = np.repeat([a[:32].sum(), a[32:].sum()], 32)
    np.testing.assert_array_equal(out, sums + np.float32(0x55555555))


def test_shfl_up_and_idx() -> None:
    body = """
    shfl.sync.up.b32 %r2, %r1, 1, 0, -1;
    shfl.sync.idx.b32 %r3, %r1, 5, 31, -1;
    shl.b32 %r3, %r3, 8;
    or.b32 %r4, %r2, %r3;
    add.s64 %rd5, %rd1, %rd3;
    st.global.u32 [%rd5], %r4;
"""
    out, _ = run_ptx(ptx_kernel(body, params=1), [], (np.uint32, 32))
    lane = np.arange(32)
    np.testing.assert_array_equal(out, np.maximum(lane - 1, 0) + (lane == 0) * 0 | (5 << 8))


def test_atomics_are_sequential_per_address() -> None:
    body = """
    atom.global.add.u32 %r2, [%rd2+8], 1;
    add.s64 %rd5, %rd1, %rd3;
    st.global.u32 [%rd5], %r2;
    cvt.rn.f32.u32 %f1, %r1;
    red.global.add.f32 [%rd2], %f1;
    atom.global.max.s32 %r3, [%rd2+4], %r1;
    setp.eq.u32 %p1, %r1, 63;
    @%p1 bra $LAST;
    ret;
$LAST:
    ld.global.f32 %f2, [%rd2];
    ld.global.u32 %r4, [%rd2+4];
    ld.global.u32 %r5, [%rd2+8];
    cvt.rzi.u32.f32 %r6, %f2;
    st.global.u32 [%rd1+256], %r6;
    st.global.u32 [%rd1+260], %r4;
    st.global.u32 [%rd1+264], %r5;
"""
    ptx = ptx_kernel(body, params=2)
    out, res = run_ptx(ptx, [np.zeros(3, np.float32)], (np.uint32, 67), threads=64)
    assert sorted(out[:64].tolist()) == list(range(64))  # every thread saw a distinct old value
    assert out[64:].tolist() == [sum(range(64)), 63, 64]
    assert res.counters.atomics == 3 * 64


def test_shared_memory_vector_access_and_bank_conflicts() -> None:
    shared = ".shared .align 16 .b8 sm[2048];"
    body = """
    mov.u32 %r2, sm;
    shl.b32 %r3, %r1, 4;
    add.s32 %r4, %r2, %r3;
    cvt.rn.f32.u32 %f1, %r1;
    st.shared.v4.f32 [%r4], {%f1, %f1, %f1, %f1};
    bar.sync 0;
    shl.b32 %r5, %r1, 7;
    and.b32 %r5, %r5, 511;
    add.s32 %r6, %r2, %r5;
    ld.shared.f32 %f2, [%r6];
    add.s64 %rd5, %rd1, %rd3;
    st.global.f32 [%rd5], %f2;
"""
    out, res = run_ptx(ptx_kernel(body, params=1, shared=shared), [], (np.float32, 32))
    # thread t reads byte 128 * (t % 4), inside the 16-byte slot of thread 8 * (t % 4)
    np.testing.assert_array_equal(out, (np.arange(32) % 4) * 8.0)
    # the v4 store: 4 conflict-free quarter-warp wavefronts; the strided load: 4 distinct
    # words in bank 0, so 4 wavefronts, 3 of them conflicts
    assert res.counters.shared_wavefronts == 8
    assert res.counters.shared_bank_conflicts == 3
    assert res.findings == []


def test_uninitialised_shared_read_is_reported() -> None:
    shared = ".shared .align 4 .b8 sm[128];"
    body = """
    mov.u32 %r2, sm;
    ld.shared.f32 %f1, [%r2+64];
    add.s64 %rd5, %rd1, %rd3;
    st.global.f32 [%rd5], %f1;
"""
    _, res = run_ptx(ptx_kernel(body, params=1, shared=shared), [], (np.float32, 32))
    assert [f.kind for f in res.findings] == ["uninit-shared"]


def test_local_memory_and_generic_addressing() -> None:
    text = ptx_kernel(
        """
    mov.u64 %rd6, depot;
    cvta.local.u64 %rd7, %rd6;
    st.u32 [%rd7+4], %r1;
    ld.local.u32 %r2, [%rd6+4];
    add.s64 %rd5, %rd1, %rd3;
    st.global.u32 [%rd5], %r2;
""",
        params=1,
    ).replace(".reg .pred %p<8>;", ".reg .pred %p<8>;\n    .local .align 8 .b8 depot[16];")
    out, _ = run_ptx(text, [], (np.uint32, 32))
    np.testing.assert_array_equal(out, np.arange(32))


def test_bit_manipulation() -> None:
    a = np.array([0x12345678, 0xF0F0F0F0, 1, 0x80000000] * 8, dtype=np.uint32)
    body = (
        LOAD_R
        + """
    popc.b32 %r3, %r2;
    clz.b32 %r4, %r2;
    bfe.u32 %r5, %r2, 4, 8;
    prmt.b32 %r6, %r2, 0, 0x0123;
    lop3.b32 %r7, %r2, %r5, %r6, 0x96;
    shf.l.wrap.b32 %r8, %r2, %r2, 8;
    add.s32 %r9, %r3, %r4;
    xor.b32 %r9, %r9, %r7;
    xor.b32 %r9, %r9, %r8;
    st.global.u32 [%rd5], %r9;
"""
    )
    out, _ = run_ptx(ptx_kernel(body), [a], (np.uint32, 32))
    a64 = a.astype(np.uint64)
    popc = np.array([bin(int(x)).count("1") for x in a], dtype=np.uint64)
    clz = np.array([32 - int(x).bit_length() for x in a], dtype=np.uint64)
    bfe = (a64 >> 4) & 0xFF
    prmt = np.array(
        [int.from_bytes(int(x).to_bytes(4, "little")[::-1], "little") for x in a], dtype=np.uint64
    )
    lop = a64 ^ bfe ^ prmt
    rot = ((a64 << 8) | (a64 >> 24)) & 0xFFFFFFFF
    exp = ((popc + clz) ^ lop ^ rot) & 0xFFFFFFFF
    np.testing.assert_array_equal(out, exp.astype(np.uint32))


def test_approximate_math_is_close() -> None:
    a = np.linspace(0.1, 4, 32).astype(np.float32)
    body = (
        LOAD_F
        + """
    ex2.approx.ftz.f32 %f2, %f1;
    lg2.approx.f32 %f3, %f1;
    rsqrt.approx.f32 %f4, %f1;
    tanh.approx.f32 %f5, %f1;
    sin.approx.f32 %f6, %f1;
    add.f32 %f7, %f2, %f3;
    add.f32 %f7, %f7, %f4;
    add.f32 %f7, %f7, %f5;
    add.f32 %f7, %f7, %f6;
    st.global.f32 [%rd5], %f7;
"""
    )
    out, res = run_ptx(ptx_kernel(body), [a], (np.float32, 32))
    exp = np.exp2(a) + np.log2(a) + 1 / np.sqrt(a) + np.tanh(a) + np.sin(a)
    np.testing.assert_allclose(out, exp, rtol=1e-5)
    assert res.counters.warp_instructions["sfu"] == 5


def test_barrier_in_a_loop_whose_trip_count_depends_on_the_block() -> None:
    # block b runs b + 1 iterations of: write sm[tid], barrier, read sm[63 - tid], barrier
    shared = ".shared .align 4 .b8 sm[256];"
    body = """
    mov.u32 %r2, %ctaid.x;
    mov.u32 %r3, 0;
    mov.u32 %r4, sm;
    shl.b32 %r5, %r1, 2;
    add.s32 %r6, %r4, %r5;
    mov.u32 %r7, 63;
    sub.s32 %r8, %r7, %r1;
    shl.b32 %r8, %r8, 2;
    add.s32 %r9, %r4, %r8;
    mov.u32 %r10, 0;
$LOOP:
    add.s32 %r11, %r1, %r3;
    st.shared.u32 [%r6], %r11;
    bar.sync 0;
    ld.shared.u32 %r12, [%r9];
    add.s32 %r10, %r10, %r12;
    bar.sync 0;
    add.s32 %r3, %r3, 1;
    setp.le.u32 %p1, %r3, %r2;
    @%p1 bra $LOOP;
    mov.u32 %r13, %ntid.x;
    mad.lo.s32 %r14, %r2, %r13, %r1;
    mul.wide.u32 %rd6, %r14, 4;
    add.s64 %rd5, %rd1, %rd6;
    st.global.u32 [%rd5], %r10;
"""
    out, res = run_ptx(
        ptx_kernel(body, params=1, shared=shared), [], (np.uint32, 256), threads=64, blocks=4
    )
    got = out.reshape(4, 64)
    t = np.arange(64)
    for b in range(4):
        # sum over iterations i <= b of (63 - t) + i
        np.testing.assert_array_equal(got[b], (b + 1) * (63 - t) + b * (b + 1) // 2)
    assert res.findings == []
    assert res.counters.barriers == 2 * (1 + 2 + 3 + 4)


@pytest.mark.parametrize("mode", ["rz", "rm", "rp"])
def test_directed_rounding_of_f32_add(mode: str) -> None:
    # 1 + 2^-40: far below f32 precision, and not exact in the f64 sum of 1 and -(2^-80)
    a = np.full(32, 1.0, np.float32)
    body = (
        LOAD_F
        + f"""
    add.{mode}.f32 %f2, %f1, 0f2B800000;
    sub.{mode}.f32 %f3, %f1, 0f2B800000;
    add.f32 %f4, %f2, %f3;
    st.global.f32 [%rd5], %f4;
"""
    )
    out, _ = run_ptx(ptx_kernel(body), [a], (np.float32, 32))
    one = np.float32(1)
    up, down = np.nextafter(one, np.float32(2)), np.nextafter(one, np.float32(0))
    exp = {"rz": one + down, "rm": one + down, "rp": up + one}[mode]
    np.testing.assert_array_equal(out, np.full(32, exp, np.float32))


def _u64(v: int) -> int:
    return v % (1 << 64)


def _s64(v: int) -> int:
    v = _u64(v)
    return v - (1 << 64) if v >= 1 << 63 else v


@pytest.mark.parametrize(
    ("op", "ref"),
    [
        ("mul.hi.u64", lambda a, b: (_u64(a) * _u64(b)) >> 64),
        ("mul.hi.s64", lambda a, b: (_s64(a) * _s64(b)) >> 64),
        ("mul.lo.s64", lambda a, b: a * b),
        ("div.u64", lambda a, b: _u64(a) // _u64(b)),
        ("rem.s64", lambda a, b: _s64(a) - _s64(b) * int(_s64(a) / _s64(b))),
        ("min.s64", lambda a, b: min(_s64(a), _s64(b))),
        ("max.u64", lambda a, b: max(_u64(a), _u64(b))),
        ("shr.s64", lambda a, b: _s64(a) >> (_u64(b) % 64)),
        ("sub.s64", lambda a, b: a - b),
    ],
)
def test_64_bit_integer_ops_against_python_integers(
    op: str, ref: Callable[[int, int], int]
) -> None:
    rng = np.random.default_rng(7)
    a = rng.integers(-(2**63), 2**63 - 1, 32, dtype=np.int64)
    b = rng.integers(-(2**63), 2**63 - 1, 32, dtype=np.int64)
    b[b == 0] = 3
    if op.startswith("shr"):
        b = b % 64
    body = (
        """
    mul.wide.u32 %rd6, %r1, 8;
    add.s64 %rd4, %rd2, %rd6;
    ld.global.u64 %rd7, [%rd4];
    ld.global.u64 %rd8, [%rd4+256];
    """
        + (
            f"cvt.u32.u64 %r2, %rd8;\n    {op} %rd9, %rd7, %r2;"
            if op.startswith("shr")
            else f"{op} %rd9, %rd7, %rd8;"
        )
        + """
    add.s64 %rd5, %rd1, %rd6;
    st.global.u64 [%rd5], %rd9;
"""
    )
    out, _ = run_ptx(ptx_kernel(body), [np.concatenate([a, b])], (np.uint64, 32))
    exp = [_u64(ref(int(x), int(y))) for x, y in zip(a, b, strict=True)]
    assert [int(v) for v in out] == exp


@pytest.mark.parametrize(
    ("cmp", "ref"),
    [
        ("lt", lambda a, b: a < b),
        ("ltu", lambda a, b: not a >= b),
        ("neu", lambda a, b: a != b),
        ("ne", lambda a, b: a != b and a == a and b == b),
        ("equ", lambda a, b: a == b or a != a or b != b),
        ("num", lambda a, b: a == a and b == b),
        ("nan", lambda a, b: a != a or b != b),
        ("geu", lambda a, b: not a < b),
    ],
)
def test_float_comparisons_with_nan(cmp: str, ref: Callable[[float, float], object]) -> None:
    vals = [0.0, -1.0, np.nan, 2.0, np.inf, 2.0, -np.inf, np.nan]
    a = np.array((vals * 4)[:32], np.float32)
    b = np.array(([2.0, np.nan, 1.0, 2.0] * 8), np.float32)
    body = f"""
    add.s64 %rd4, %rd2, %rd3;
    ld.global.f32 %f1, [%rd4];
    ld.global.f32 %f2, [%rd4+128];
    setp.{cmp}.f32 %p1, %f1, %f2;
    selp.u32 %r2, 1, 0, %p1;
    add.s64 %rd5, %rd1, %rd3;
    st.global.u32 [%rd5], %r2;
"""
    out, _ = run_ptx(ptx_kernel(body), [np.concatenate([a, b])], (np.uint32, 32))
    exp = [int(bool(ref(float(x), float(y)))) for x, y in zip(a, b, strict=True)]
    assert out.tolist() == exp


@pytest.mark.parametrize(
    ("cvt", "ref"),
    [
        ("cvt.s64.s32", lambda v: v),
        ("cvt.u64.u32", lambda v: v % 2**32),
        ("cvt.u64.s8", lambda v: ((v % 256) ^ 128) - 128),
        ("cvt.sat.s8.s32", lambda v: max(-128, min(127, v))),
        ("cvt.sat.u16.s32", lambda v: max(0, min(65535, v))),
        ("cvt.u64.u16", lambda v: v % 65536),
    ],
)
def test_integer_conversions(cvt: str, ref: Callable[[int], int]) -> None:
    rng = np.random.default_rng(8)
    a = rng.integers(-(2**31), 2**31 - 1, 32, dtype=np.int64).astype(np.int32)
    a[:4] = [-1, 127, 128, 70000]
    body = f"""
    add.s64 %rd4, %rd2, %rd3;
    ld.global.u32 %r2, [%rd4];
    {cvt} %rd7, %r2;
    mul.wide.u32 %rd6, %r1, 8;
    add.s64 %rd5, %rd1, %rd6;
    st.global.u64 [%rd5], %rd7;
"""
    if cvt.split(".")[-2] in ("s8", "u16"):  # destination narrower than 64 bits: via %r3
        body = body.replace(f"{cvt} %rd7, %r2;", f"{cvt} %r3, %r2;\n    cvt.s64.s32 %rd7, %r3;")
    out, _ = run_ptx(ptx_kernel(body), [a], (np.int64, 32))
    assert out.tolist() == [ref(int(v)) for v in a]


def test_f16_and_bf16_round_trips_of_random_bits() -> None:
    rng = np.random.default_rng(9)
    bits = rng.integers(0, 2**32, 32, dtype=np.uint64).astype(np.uint32)
    bits[:4] = [0x00000001, 0x7F800000, 0x7FC00000, 0x33800001]  # subnormal, inf, nan, tiny
    x = bits.view(np.float32)
    body = (
        LOAD_F
        + """
    cvt.rn.f16.f32 %rs1, %f1;
    cvt.rn.bf16.f32 %rs2, %f1;
    mov.b32 %r2, {%rs1, %rs2};
    st.global.u32 [%rd5], %r2;
"""
    )
    out, _ = run_ptx(ptx_kernel(body), [x], (np.uint32, 32))
    with np.errstate(over="ignore"):
        f16 = x.astype(np.float16).view(np.uint16)
    bf = f32_to_bf16(x)
    got_h, got_b = (out & 0xFFFF).astype(np.uint16), (out >> 16).astype(np.uint16)
    nan = np.isnan(x)
    np.testing.assert_array_equal(got_h[~nan], f16[~nan])
    np.testing.assert_array_equal(got_b[~nan], bf[~nan])
    assert np.isnan(got_h.view(np.float16)[nan]).all()
    # round to nearest even at the bf16 halfway point
    assert f32_to_bf16(np.array([1 + 2**-8], np.float32))[0] == 0x3F80
    assert f32_to_bf16(np.array([1 + 3 * 2**-8], np.float32))[0] == 0x3F82


def _stmatrix_kernel(trans: str) -> str:
    # Lane t holds words in[4t .. 4t+3] in r10..r13, stores them with stmatrix.x4 (lane t names
    # row t % 8 of matrix t // 8), then writes back the 16-byte shared row t.
    shared = ".shared .align 16 .b8 sm[512];"
    body = f"""
    mov.u32 %r2, sm;
    shl.b32 %r3, %r1, 4;
    add.s32 %r4, %r2, %r3;
    mul.wide.u32 %rd4, %r1, 16;
    add.s64 %rd5, %rd2, %rd4;
    ld.global.v4.u32 {{%r10, %r11, %r12, %r13}}, [%rd5];
    stmatrix.sync.aligned.m8n8.x4{trans}.shared.b16 [%r4], {{%r10, %r11, %r12, %r13}};
    bar.sync 0;
    ld.shared.v4.u32 {{%r20, %r21, %r22, %r23}}, [%r4];
    add.s64 %rd6, %rd1, %rd4;
    st.global.v4.u32 [%rd6], {{%r20, %r21, %r22, %r23}};
"""
    return ptx_kernel(body, params=2, shared=shared)


@pytest.mark.parametrize("trans", ["", ".trans"])
def test_stmatrix_lays_fragments_out_as_ldmatrix_reads_them(trans: str) -> None:
    words = np.random.default_rng(3).integers(0, 2**32, 128, dtype=np.uint32)
    out, _ = run_ptx(_stmatrix_kernel(trans), [words], (np.uint32, 128))
    halves = words.view(np.uint16).reshape(32, 4, 2)  # lane, register, (low, high)
    got = out.view(np.uint16).reshape(4, 8, 8)  # matrix, row, column
    for lane in range(32):
        row, col = lane // 4, 2 * (lane % 4)
        for m in range(4):
            for e in range(2):
                r, c = (col + e, row) if trans else (row, col + e)
                assert got[m, r, c] == halves[lane, m, e]
