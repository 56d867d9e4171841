"""A register-blocked matrix product between local-memory buffers, the building block of the
optimised two-layer, convolution-block and attention kernels.

`product` computes out = a @ b for row groups of 8 rows and column tiles of 16: eight
accumulators, b's rows loaded once per 16 steps of k and a's values taken from vector lanes
(`vmac a3, v5, v19[5]`), so the MAC unit works every cycle. a's rows are padded with zeros to
whole chunks of 16 words and b's rows beyond K are zero (or a's padding is zero and b's
finite), so no step needs a mask. Registers: r4, r5 (tile, its first column), r18..r23.
"""

from __future__ import annotations

from agents.template.vlx_fast import _loop
from agents.template.vlx_schedule import render


def _chunk(a: str, a_stride: str, b: str, b_stride: str, rows: int = 8) -> str:
    ops = [f"vld v{k}, L[r22 + {b} + {k} * {b_stride}]" for k in range(16)]
    ops += [f"vld v{16 + i}, L[r21 + {a} + {i} * {a_stride}]" for i in range(rows)]
    ops += [f"vmac a{i}, v{k}, v{16 + i}[{k}]" for k in range(16) for i in range(rows)]
    ops += ["add r21, r21, 16", f"add r22, r22, 16 * {b_stride}"]
    return render(ops)


def product(
    a: str,
    a_stride: str,
    chunks: str,
    b: str,
    b_stride: str,
    tiles: str,
    groups: str,
    out: str,
    out_stride: str,
    epilogue: tuple[str, ...] = (),
    vector: str = "",
    init: tuple[str, ...] = (),
    starts: tuple[str, str, str] = ("0", "", ""),
    rows: int = 8,
) -> str:
    """out rows (`rows` per group: 8, or 4 in half the code; `groups` groups) = a rows @ b
    over `chunks` chunks of 16 k, for `tiles` 16-column tiles. `vector` (a buffer) is loaded
    per tile into v30 (a bias or a mask); `epilogue` ops act on each result {v} of row {i} of
    the group (at r19 + {i} * out_stride in `out`) with a temporary {t}; `init` ops replace
    clearing the accumulators ({a} the accumulator, {i} the row, {v} and {t} free registers).
    `starts`: a register (or constant) where a's rows start, and registers added to b's and
    out's column (empty: none)."""
    start = (
        [op.format(a=f"a{i}", i=i, v=f"v{i}", t=f"v{8 + i}") for op in init for i in range(rows)]
        if init
        else [f"vclr a{i}" for i in range(rows)]
    )
    finish = [f"vrd v{i}, a{i}" for i in range(rows)]
    finish += [op.format(v=f"v{i}", t=f"v{8 + i}", i=i) for op in epilogue for i in range(rows)]
    finish += [f"vst L[r19 + {out} + {i} * {out_stride}], v{i}" for i in range(rows)]
    finish += [f"add r18, r18, {rows} * {a_stride}", f"add r19, r19, {rows} * {out_stride}"]
    a_start, b_start, out_start = starts
    b_col = f"add r22, r5, {b_start}" if b_start else "mov r22, r5"
    group = (
        render([*start, "mov r21, r18", b_col])
        + _loop("r23", chunks, _chunk(a, a_stride, b, b_stride, rows))
        + render(finish)
    )
    load = f"        vld   v30, L[r5 + {vector}]\n" if vector else ""
    return _loop(
        "r4",
        tiles,
        f"        {{ shl r5, r4, 4 ; mov r18, {a_start} }}\n"
        + load
        + (f"        add   r19, r5, {out_start}\n" if out_start else "        mov   r19, r5\n")
        + _loop("r20", groups, group),
    )


def zero(at: str, words: str, reg: str = "r5") -> str:
    """Zero `words` words (a multiple of 16) from L[at] on."""
    return f"        {{ vmov v31, #0 ; li {reg}, {at} }}\n" + _loop(
        "r4", f"({words}) / 16", f"        {{ vst L[{reg}], v31 ; add {reg}, {reg}, 16 }}\n"
    )


GELU = (
    "vmul {t}, {v}, {v}",
    "vmul {t}, {t}, #0.044715",
    "vadd {t}, {t}, #1",
    "vmul {t}, {t}, {v}",
    "vmul {t}, {t}, #0.7978845608028654",
    "vtanh {t}, {t}",
    "vadd {t}, {t}, #1",
    "vmul {t}, {t}, {v}",
    "vmul {v}, {t}, #0.5",
)
BIAS = ("vadd {v}, {v}, v30",)
RELU = ("vrelu {v}, {v}",)


def serial_product(
    a: str,
    a_stride: str,
    chunks: str,
    b: str,
    b_stride: str,
    tiles: str,
    groups: str,
    out: str,
    out_stride: str,
    epilogue: tuple[str, ...] = (),
    vector: str = "",
    starts: tuple[str, str, str] = ("0", "", ""),
    rows: int = 8,
) -> str:
    """What `product` computes, the way the baseline compiler does it: one row and one
    16-column tile at a time, one operation per bundle, one accumulator (loop r16)."""
    a_start, b_start, out_start = starts
    finish = "".join(f"        {op.format(v='v0', t='v1', i=0)}\n" for op in epilogue)
    load = f"        vld   v30, L[r5 + {vector}]\n" if vector else ""
    step = (
        f"        {{ vld1 v2, L[r21 + {a}] ; vld v3, L[r22 + {b}] ;"
        f" add r21, r21, 1 ; add r22, r22, {b_stride} }}\n"
    )
    row = (
        "        vclr  a0\n"
        "        mov   r21, r18\n"
        + (f"        add   r22, r5, {b_start}\n" if b_start else "        mov   r22, r5\n")
        + f"        loop  r23, {chunks} * 16\n"
        + step
        + "        vmac  a0, v3, v2\n"
        "        endloop\n"
        "        vrd   v0, a0\n" + finish + f"        vst   L[r19 + {out}], v0\n"
        f"        add   r18, r18, {a_stride}\n"
        f"        add   r19, r19, {out_stride}\n"
    )
    return (
        f"        loop  r4, {tiles}\n"
        "        shl   r5, r4, 4\n"
        f"        mov   r18, {a_start}\n"
        + load
        + (f"        add   r19, r5, {out_start}\n" if out_start else "        mov   r19, r5\n")
        + f"        mul   r20, {groups}, {rows}\n"
        "        loop  r16, r20\n" + row + "        endloop\n"
        "        endloop\n"
    )
