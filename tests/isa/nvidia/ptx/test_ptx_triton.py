"""Triton kernels compiled for cuda sm_80 without a GPU (mma.sync, ldmatrix, cp.async,
shuffles), run in the emulator and checked against NumPy. Skipped without Triton."""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from typing import Any

import numpy as np
import pytest

from isa.nvidia.ptx import DeviceMemory, Module, PtxFault, launch, load_module
from isa.nvidia.ptx.numerics import bf16_to_f32, f32_to_bf16, to_tf32
from tests.isa.nvidia.ptx.conftest import KERNELS

pytest.importorskip("triton")
os.environ.setdefault("TRITON_DEFAULT_FP_FUSION", "1")


@functools.cache
def _kernels() -> Any:
    spec = importlib.util.spec_from_file_location(
        "kw_triton_kernels", KERNELS / "triton_kernels.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["kw_triton_kernels"] = mod
    spec.loader.exec_module(mod)
    return mod


@functools.cache
def _compile(
    name: str,
    sig: tuple[tuple[str, str], ...],
    consts: tuple[tuple[str, int], ...],
    arch: int = 80,
    num_warps: int = 4,
) -> tuple[str, int, int]:
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    fn = getattr(_kernels(), name)
    signature = dict(sig) | {k: "constexpr" for k, _ in consts}
    src = ASTSource(fn, signature, dict(consts))
    k = triton.compile(src, target=GPUTarget("cuda", arch, 32), options={"num_warps": num_warps})
    return k.asm["ptx"], int(k.metadata.shared), int(k.metadata.num_warps)


def _run_matmul(
    dtype: str, M: int, N: int, K: int, blocks: tuple[int, int, int], arch: int = 80
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Module]:
    sig = (
        ("a", f"*{dtype}"),
        ("b", f"*{dtype}"),
        ("c", "*fp32"),
        ("M", "i32"),
        ("N", "i32"),
        ("K", "i32"),
    )
    ptx, shared, warps = _compile(
        "matmul_kernel", sig, (("BM", blocks[0]), ("BN", blocks[1]), ("BK", blocks[2])), arch
    )
    module = load_module(ptx)
    rng = np.random.default_rng(0)
    A = rng.standard_normal((M, K)).astype(np.float32)
    B = rng.standard_normal((K, N)).astype(np.float32)
    mem = DeviceMemory()
    if dtype == "fp16":
        A, B = A.astype(np.float16), B.astype(np.float16)
        pa, pb = mem.alloc_array(A), mem.alloc_array(B)
    elif dtype == "bf16":
        ab, bb = f32_to_bf16(A), f32_to_bf16(B)
        pa, pb = mem.alloc_array(ab), mem.alloc_array(bb)
        A, B = bf16_to_f32(ab), bf16_to_f32(bb)
    else:
        pa, pb = mem.alloc_array(A), mem.alloc_array(B)
    pc = mem.alloc(4 * M * N, "c")
    extra = len(module.kernels["matmul_kernel"].params) - 6
    grid = (-(-M // blocks[0]), -(-N // blocks[1]), 1)
    r = launch(
        module,
        "matmul_kernel",
        grid,
        (32 * warps, 1, 1),
        [pa, pb, pc, M, N, K] + [0] * extra,
        mem,
        dynamic_shared_bytes=shared,
    )
    assert r.findings == [], r.findings
    assert r.counters.warp_instructions.get("tensor", 0) > 0
    return mem.read(pc, np.float32, (M, N)), A.astype(np.float64), B.astype(np.float64), module


@pytest.mark.parametrize("dtype", ["fp16", "bf16"])
def test_half_precision_matmul_uses_mma_and_matches(dtype: str) -> None:
    C, A, B, module = _run_matmul(dtype, 80, 72, 96, (64, 64, 32))
    ptx_ops = {i.base for k in module.kernels.values() for i in k.instructions}
    assert {"mma", "ldmatrix"} <= ptx_ops
    np.testing.assert_allclose(C, A @ B, rtol=1e-4, atol=1e-4)


def test_tf32_matmul_matches_tf32_rounded_inputs() -> None:
    C, A, B, module = _run_matmul("fp32", 48, 40, 40, (32, 32, 16))
    ptx_ops = {i.opcode for k in module.kernels.values() for i in k.instructions}
    assert any(op.startswith("cp.async") for op in ptx_ops)
    # Triton feeds raw f32 bits to mma: the tensor core ignores the low 13 mantissa bits
    At = to_tf32(A.astype(np.float32), "rz").view(np.float32).astype(np.float64)
    Bt = to_tf32(B.astype(np.float32), "rz").view(np.float32).astype(np.float64)
    np.testing.assert_allclose(C, At @ Bt, rtol=1e-5, atol=1e-5)


def test_softmax_row() -> None:
    ptx, shared, warps = _compile(
        "softmax_kernel", (("x", "*fp32"), ("y", "*fp32"), ("n", "i32")), (("BLOCK", 1024),)
    )
    module = load_module(ptx)
    x = np.random.default_rng(4).standard_normal((3, 1000)).astype(np.float32)
    mem = DeviceMemory()
    px, py = mem.alloc_array(x), mem.alloc(x.nbytes)
    extra = len(module.kernels["softmax_kernel"].params) - 3
    r = launch(
        module,
        "softmax_kernel",
        (3, 1, 1),
        (32 * warps, 1, 1),
        [px, py, 1000] + [0] * extra,
        mem,
        dynamic_shared_bytes=shared,
    )
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        mem.read(py, np.float32, x.shape), e / e.sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-8
    )
    assert r.findings == []
    assert r.findings == [] and r.counters.warp_instructions["sfu"] > 0


def test_elementwise_scan_reduction_and_atomics() -> None:
    sig = (("x", "*fp32"), ("h", "*fp16"), ("y", "*fp32"), ("s", "*fp32"), ("n", "i32"))
    ptx, shared, warps = _compile("features_kernel", sig, (("BLOCK", 256),))
    module = load_module(ptx)
    n = 500
    rng = np.random.default_rng(5)
    x = rng.standard_normal(n).astype(np.float32)
    h = rng.standard_normal(n).astype(np.float16)
    mem = DeviceMemory()
    px, ph, py = mem.alloc_array(x), mem.alloc_array(h), mem.alloc(4 * n)
    ps = mem.alloc_array(np.zeros(2, np.float32))
    extra = len(module.kernels["features_kernel"].params) - 5
    args = [px, ph, py, ps, n] + [0] * extra
    r = launch(
        module,
        "features_kernel",
        (2, 1, 1),
        (32 * warps, 1, 1),
        args,
        mem,
        dynamic_shared_bytes=shared,
    )
    assert r.findings == []
    xd, hd = x.astype(np.float64), h.astype(np.float64)
    blocks = [xd[:256], xd[256:]]
    scan = np.concatenate([np.cumsum(b) for b in blocks])
    exp = 1 / (1 + np.exp(-xd)) + np.sqrt(np.abs(xd)) + np.where(xd > 0, hd, -hd) + scan
    np.testing.assert_allclose(mem.read(py, np.float32, (n,)), exp, rtol=1e-5, atol=1e-5)
    total, amax = mem.read(ps, np.float32, (2,))
    np.testing.assert_allclose(total, xd.sum(), rtol=1e-5)
    assert amax == max(int(np.argmax(b)) for b in blocks)


@pytest.mark.parametrize(
    ("dtype", "blocks"),
    [
        ("fp16", (64, 64, 32)),
        ("fp16", (128, 64, 64)),
        ("bf16", (64, 128, 64)),
        ("fp16", (64, 32, 16)),
    ],
)
def test_sm90_wgmma_matmul_matches(dtype: str, blocks: tuple[int, int, int]) -> None:
    C, A, B, module = _run_matmul(dtype, 96, 80, 112, blocks, arch=90)
    ptx_ops = {i.base for k in module.kernels.values() for i in k.instructions}
    assert "wgmma" in ptx_ops
    np.testing.assert_allclose(C, A @ B, rtol=1e-4, atol=1e-4)


def test_sm90_tf32_matmul() -> None:
    C, A, B, module = _run_matmul("fp32", 80, 72, 64, (64, 64, 32), arch=90)
    ptx_ops = {i.opcode for k in module.kernels.values() for i in k.instructions}
    assert "wgmma.mma_async.sync.aligned.m64n64k8.f32.tf32.tf32" in ptx_ops
    At = to_tf32(A.astype(np.float32), "rz").view(np.float32).astype(np.float64)
    Bt = to_tf32(B.astype(np.float32), "rz").view(np.float32).astype(np.float64)
    np.testing.assert_allclose(C, At @ Bt, rtol=1e-5, atol=1e-5)


def test_unmasked_triton_store_faults_at_its_python_line() -> None:
    sig = (("x", "*fp32"), ("y", "*fp32"), ("n", "i32"))
    ptx, _, warps = _compile("unmasked_store_kernel", sig, (("BLOCK", 128),))
    module = load_module(ptx)
    mem = DeviceMemory()
    px, py = mem.alloc_array(np.ones(200, np.float32), "x"), mem.alloc(4 * 200, "y")
    extra = len(module.kernels["unmasked_store_kernel"].params) - 3
    with pytest.raises(PtxFault) as err:
        launch(
            module,
            "unmasked_store_kernel",
            (2, 1, 1),
            (32 * warps, 1, 1),
            [px, py, 200] + [0] * extra,
            mem,
        )
    f = err.value.findings[-1]
    line = next(
        i
        for i, t in enumerate((KERNELS / "triton_kernels.py").read_text().splitlines(), 1)
        if "BUG: no mask" in t
    )
    assert f.kind == "oob-global"
    assert f.source == f"triton_kernels.py:{line}"


def test_layer_norm_backward_with_a_lock_per_group_of_rows_completes() -> None:
    # Triton's tutorial with its default group size for N <= 1024 (256 locks) and its
    # num_warps (one warp per row): rows r and r + 256 contend for one lock in one chunk
    M, N, group = 512, 256, 256
    ptrs = ("DX", "DY", "DW", "DB", "X", "W", "Mean", "Rstd")
    sig = (*((p, "*fp32") for p in ptrs), ("Lock", "*i32"), ("stride", "i32"), ("N", "i32"))
    consts = (("GROUP_SIZE_M", group), ("BLOCK_SIZE_N", N))
    ptx, shared, warps = _compile("layer_norm_bwd_dx_fused", sig, consts, num_warps=1)
    module = load_module(ptx)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((M, N)).astype(np.float32)
    dy = rng.standard_normal((M, N)).astype(np.float32)
    w = rng.standard_normal(N).astype(np.float32)
    mean = x.mean(axis=1).astype(np.float32)
    rstd = (1 / np.sqrt(x.var(axis=1) + 1e-5)).astype(np.float32)
    mem = DeviceMemory()
    pdx, pdw, pdb = mem.alloc(4 * M * N), mem.alloc(4 * group * N), mem.alloc(4 * group * N)
    px, pdy, pw, pm, pr = (mem.alloc_array(a) for a in (x, dy, w, mean, rstd))
    plock = mem.alloc_array(np.zeros(2 * group, np.int32))  # locks, then first-row flags
    args = [pdx, pdy, pdw, pdb, px, pw, pm, pr, plock, N, N]
    extra = len(module.kernels["layer_norm_bwd_dx_fused"].params) - len(args)
    result = launch(
        module,
        "layer_norm_bwd_dx_fused",
        (M, 1, 1),
        (32 * warps, 1, 1),
        args + [0] * extra,
        mem,
        dynamic_shared_bytes=shared,
    )
    assert result.findings == []
    xhat = (x - mean[:, None]) * rstd[:, None]
    wdy = w * dy
    c1 = (xhat * wdy).sum(axis=1, keepdims=True) / N
    c2 = wdy.sum(axis=1, keepdims=True) / N
    dx = mem.read(pdx, np.float32, (M, N))
    np.testing.assert_allclose(dx, (wdy - (xhat * c1 + c2)) * rstd[:, None], rtol=1e-4, atol=1e-4)
    dw = mem.read(pdw, np.float32, (group, N))
    db = mem.read(pdb, np.float32, (group, N))
    # each group's buffer holds the sum of its two rows: no update was lost
    pairs = lambda a: a[:group] + a[group:]  # noqa: E731
    np.testing.assert_allclose(dw, pairs(dy * xhat), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(db, pairs(dy), rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(
        mem.read(plock, np.int32, (2 * group,)), [0] * group + [1] * group
    )
