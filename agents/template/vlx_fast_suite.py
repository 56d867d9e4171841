"""Optimised VLX kernels for the rest of the suite: how their oracles were made.

They reuse the pieces of `agents.template.vlx_fast`: the double-buffered flat stream (the
elementwise activations), the double-buffered row-block kernel with a grouped body
(reductions, norms), and the register-blocked matrix kernel with an epilogue (linear, batched
matmul). The convolutions use the matrix kernel's 8 x 16 block of accumulators over output
pixels; every loop body is packed by the list scheduler.
"""

from __future__ import annotations

from collections.abc import Callable

from agents.template.vlx_fast import (
    _const,
    _flat_half,
    _groups,
    _loop,
    _pad_rows,
    mat_kernel,
    row_kernel,
)
from agents.template.vlx_fast_blocks import BIAS, GELU, RELU, product, zero
from agents.template.vlx_schedule import render

# --- elementwise: the tensors as one run of M*N words, double-buffered blocks of B words ---


def _flat_body(ops: list[str], vectors: int) -> str:
    """`ops` (with {x} the input vector and {t} a temporary that ends as the result) for
    `vectors` vectors per iteration."""
    body = [f"vld v{j}, L[r6 + {{IN}} + {16 * j}]" for j in range(vectors)]
    for op in ops:
        body += [op.format(x=f"v{j}", t=f"v{16 + j}") for j in range(vectors)]
    body += [f"vst L[r6 + {{OUT}} + {16 * j}], v{16 + j}" for j in range(vectors)]
    body.append(f"add r6, r6, {16 * vectors}")
    return (
        f"        {{ add r5, r2, {16 * vectors - 1} ; li r6, 0 }}\n"
        f"        div   r5, r5, {16 * vectors}      // iterations\n"
        + _loop("r7", "r5", render(body))
    )


def flat_kernel(name: str, ops: list[str], vectors: int = 16) -> str:
    body = _flat_body(ops, vectors)
    return (
        f"// {name}: optimised VLX kernel (double-buffered, unrolled, scheduled)\n"
        ".equ T, $M * $N                    // words in all\n"
        ".equ B, 4096                       // words per block\n"
        ".equ IN0, 0\n"
        ".equ IN1, 8192\n"
        ".equ OUT0, 16384\n"
        ".equ OUT1, 24576\n"
        "        { li r1, 0 ; li r2, min(T, B) }\n"
        "        dld   t0, L[IN0], D[@x], 1, r2\n"
        "pair:\n"
        + _flat_half(body, ("IN0", "OUT0", "t0", "t2"), ("IN1", "t1"), "even")
        + _flat_half(body, ("IN1", "OUT1", "t1", "t3"), ("IN0", "t0"), "odd")
        + "        jmp   pair\n"
        "done:\n"
        "        dwait t2\n"
        "        dwait t3\n"
    )


def relu() -> str:
    return flat_kernel("relu", ["vrelu {t}, {x}"])


GELU_OPS = [
    "vmul {t}, {x}, {x}",
    "vmul {t}, {t}, #0.044715",
    "vadd {t}, {t}, #1",
    "vmul {t}, {t}, {x}",
    "vmul {t}, {t}, #0.7978845608028654",
    "vtanh {t}, {t}",
    "vadd {t}, {t}, #1",
    "vmul {t}, {t}, {x}",
    "vmul {t}, {t}, #0.5",
]


def gelu() -> str:
    return flat_kernel("gelu", GELU_OPS)


# --- one value per row: groups of 8 rows, one accumulator (or running max) each ---


def _reduce_body(sum_rows: bool) -> str:
    rows = range(8)
    step = [f"vld v{k}, L[r8 + {{IN}} + {k} * RS]" for k in rows]
    if sum_rows:
        step += [f"vmac a{k}, v{k}, #1" for k in rows]
        start = [f"vclr a{k}" for k in rows]
        finish = [f"vrd v{16 + k}, a{k}" for k in rows]
        finish += [f"vredsum v{16 + k}, v{16 + k}" for k in rows]
    else:
        step += [f"vmax v{16 + k}, v{16 + k}, v{k}" for k in rows]
        start = [f"vmov v{16 + k}, #-inf" for k in rows]
        finish = [f"vredmax v{16 + k}, v{16 + k}" for k in rows]
    step.append("add r8, r8, 16")
    finish += [f"vst1 L[r12 + {{OUT}} + {k}], v{16 + k}[0]" for k in rows]
    inner = render([*start, "mov r8, r6"]) + _loop("r10", "NP / 16", render(step)) + render(finish)
    return _groups(inner)


def row_sum() -> str:
    return row_kernel(
        "row_sum", "x", "y", "$N", _reduce_body(True), _pad_rows("0", 1), 8, 16, True, True
    )


def row_max() -> str:
    return row_kernel(
        "row_max", "x", "y", "$N", _reduce_body(False), _pad_rows("-inf", 1), 8, 16, True, True
    )


# --- layernorm: groups of 4 rows; sums and sums of squares in one pass ---


def layernorm_body(src: str = "{IN}", dst: str = "{OUT}") -> str:
    """Groups of 4 rows at `src` (RS words apart, padding 0), normalised into `dst`; g at
    CONST and beta at CONST + NP."""
    rows = range(4)
    sums = [f"vld v{k}, L[r8 + {src} + {k} * RS]" for k in rows]
    sums += [f"vmac a{k}, v{k}, #1" for k in rows] + [f"vmac a{4 + k}, v{k}, v{k}" for k in rows]
    sums.append("add r8, r8, 16")
    stats = [f"vrd v{16 + k}, a{k}" for k in rows] + [f"vrd v{20 + k}, a{4 + k}" for k in rows]
    stats += [f"vredsum v{16 + k}, v{16 + k}" for k in rows]
    stats += [f"vredsum v{20 + k}, v{20 + k}" for k in rows]
    stats += [f"vmul v{16 + k}, v{16 + k}, #(1.0 / W)" for k in rows]  # mean
    stats += [f"vmul v{20 + k}, v{20 + k}, #(1.0 / W)" for k in rows]
    stats += [f"vmul v{24 + k}, v{16 + k}, v{16 + k}" for k in rows]
    stats += [f"vsub v{20 + k}, v{20 + k}, v{24 + k}" for k in rows]  # variance
    stats += [f"vadd v{20 + k}, v{20 + k}, #1e-5" for k in rows]
    stats += [f"vrsqrt v{20 + k}, v{20 + k}" for k in rows]
    scale = ["vld v8, L[r11 + CONST]", "vld v9, L[r11 + CONST + NP]"]
    scale += [f"vld v{k}, L[r8 + {src} + {k} * RS]" for k in rows]
    scale += [f"vsub v{k}, v{k}, v{16 + k}" for k in rows]
    scale += [f"vmul v{k}, v{k}, v{20 + k}" for k in rows]
    scale += [f"vfma v{k}, v{k}, v8, v9" for k in rows]
    scale += [f"vst L[r8 + {dst} + {k} * RS], v{k}" for k in rows]
    scale += ["add r8, r8, 16", "add r11, r11, 16"]
    inner = (
        render([f"vclr a{i}" for i in range(8)] + ["mov r8, r6"])
        + _loop("r10", "NP / 16", render(sums))
        + render([*stats, "mov r8, r6", "li r11, 0"])
        + _loop("r10", "NP / 16", render(scale))
    )
    return _groups(inner)


def layernorm() -> str:
    prologue = (
        _pad_rows("0", 1)
        + _const("g", "0")
        + "        dld   t4, L[CONST + NP], D[@b], 1, W\n        dwait t4\n"
    )
    return row_kernel("layernorm", "x", "y", "$N", layernorm_body(), prologue, 4, 16, True)


def _ln_consts(g: str, beta: str, width: str) -> str:
    return (
        _const(g, "0")
        + "        vst   L[CONST + NP + NP - 16], v31\n"
        + f"        dld   t4, L[CONST + NP], D[@{beta}], 1, {width}\n        dwait t4\n"
    )


def add_layernorm() -> str:
    """The block's rows of r come into the output buffer (its padding zeroed first), are added
    to x's in two-vector steps (rows are a multiple of 32 words), then normalised."""
    add = [f"vld v{j}, L[r8 + {{IN}} + {16 * j}]" for j in range(2)]
    add += [f"vld v{4 + j}, L[r8 + {{OUT}} + {16 * j}]" for j in range(2)]
    add += [f"vadd v{j}, v{j}, v{4 + j}" for j in range(2)]
    add += [f"vst L[r8 + {{IN}} + {16 * j}], v{j}" for j in range(2)]
    add.append("add r8, r8, 32")
    zero = "".join(f"        vst   L[r6 + {{OUT}} + NP - {16 * (i + 1)}], v31\n" for i in range(2))
    residual = (
        "        vmov  v31, #0\n"
        + _loop("r5", "r2", "        mul   r6, r5, RS\n" + zero)
        + "        mul   r13, r1, W\n"
        "        dld   t5, L[{OUT}, RS], D[r13 + @r, W], r2, W\n"
        "        { dwait t5 ; mul r5, r2, RS / 32 ; li r8, 0 }\n" + _loop("r10", "r5", render(add))
    )
    prologue = _pad_rows("0", 2) + _ln_consts("g", "b", "W")
    body = residual + layernorm_body()
    return row_kernel("add_layernorm", "x", "y", "$N", body, prologue, 4, 32)


def layernorm_linear() -> str:
    """Each block of x's rows is normalised in place before the products (g and beta padded
    with 0 keep the rows' zero padding 0); g and beta sit in the second half of b's panels
    (K <= 512)."""
    prologue = (
        ".equ RS, KP\n.equ NP, KP\n.equ G, 4\n.equ W, $K\n"
        ".equ CONST, B1 + 8192                // g and beta\n"
        + _ln_consts("g", "beta", "$K")
        + "        dld   t3, L[BIAS], D[@b], 1, $N\n        dwait t3\n"
    )
    block = layernorm_body("ABUF", "ABUF")
    return mat_kernel(
        "layernorm_linear", "x", "w", "y", ["vadd {v}, {v}, v30"], prologue, block=block
    )


SILU_GATE = [
    "vmul {t}, {g}, #-1",
    "vexp {t}, {t}",
    "vadd {t}, {t}, #1",
    "vrcp {t}, {t}",
    "vmul {t}, {g}, {t}",
    "vmul {v}, {v}, {t}",
]


def swiglu() -> str:
    return mat_kernel("swiglu", "x", "wg", "y", SILU_GATE, "", b2="wu")


# --- matrix kernels ---


def linear() -> str:
    bias = "        dld   t3, L[BIAS], D[@b], 1, $N\n        dwait t3\n"
    return mat_kernel("linear", "x", "w", "y", ["vadd {v}, {v}, v30"], bias)


def batched_matmul() -> str:
    return mat_kernel("batched_matmul", "a", "b", "c", [], "", batch="$B")


def _rope_step(vectors: int) -> str:
    """`vectors` (position, head) rows: x1 in X1, x2 in X2 (RP words apart, like y1, y2 in
    Y1, Y2); r8 = the first row's word, r9 = its position's cos/sin word (heads of one
    position share it, so rows advance r8 by RP and r9 by RP every H rows)."""
    ops: list[str] = []
    for j in range(vectors):
        ops += [f"vld v{4 * j}, L[r8 + X1 + {16 * j}]", f"vld v{4 * j + 1}, L[r8 + X2 + {16 * j}]"]
        ops += [f"vld v{4 * j + 2}, L[r9 + COS + {16 * j}]"]
        ops += [f"vld v{4 * j + 3}, L[r9 + SIN + {16 * j}]"]
    for j in range(vectors):
        x1, x2, c, sn = (f"v{4 * j + i}" for i in range(4))
        ops += [f"vmul v{16 + j}, {x1}, {c}", f"vmul v{24 + j}, {x2}, {sn}"]
        ops += [f"vsub v{16 + j}, v{16 + j}, v{24 + j}"]
        ops += [f"vmul v{24 + j}, {x2}, {c}", f"vfma v{24 + j}, {x1}, {sn}, v{24 + j}"]
        ops += [f"vst L[r8 + Y1 + {16 * j}], v{16 + j}", f"vst L[r8 + Y2 + {16 * j}], v{24 + j}"]
    ops.append(f"add r8, r8, {16 * vectors}")
    ops.append(f"add r9, r9, {16 * vectors}")
    return render(ops)


def rope() -> str:
    """Halves of every (position, head) row are split into their own rows of RP words by the
    DMA (x1 rows and x2 rows), so no vector crosses a half; y1 and y2 go back the same way."""
    return (
        "// rope: optimised VLX kernel (halves split by DMA, unrolled, scheduled)\n"
        ".equ RP, cdiv($R, 16) * 16\n"
        ".equ BS, max(1, min($S, 10240 / ($H * RP + RP)))  // positions per block\n"
        ".equ X1, 0\n"
        ".equ X2, 10240\n"
        ".equ Y1, 20480\n"
        ".equ Y2, 30720\n"
        ".equ COS, 40960\n"
        ".equ SIN, 51200\n"
        "        li    r1, 0\n"
        "block:\n"
        "        { sub r2, $S, r1 ; mul r3, r1, $H * 2 * $R }\n"
        "        { min r2, r2, BS ; mul r4, r1, $R }\n"
        "        mul   r5, r2, $H            // rows of this block\n"
        "        dld   t0, L[X1, RP], D[r3 + @x, 2 * $R], r5, $R\n"
        "        dld   t0, L[X2, RP], D[r3 + @x + $R, 2 * $R], r5, $R\n"
        "        dld   t0, L[COS, RP], D[r4 + @cos, $R], r2, $R\n"
        "        dld   t0, L[SIN, RP], D[r4 + @sin, $R], r2, $R\n"
        "        { dwait t0 ; li r8, 0 ; li r9, 0 }\n"
        "        dwait t1\n"
        "        loop  r6, r2\n"
        "        loop  r7, $H\n"
        "        mov   r11, r9\n"
        + _loop("r10", "RP / 16", _rope_step(1))
        + "        mov   r9, r11\n"
        "        endloop\n"
        "        add   r9, r9, RP\n"
        "        endloop\n"
        "        dst   t1, D[r3 + @y, 2 * $R], L[Y1, RP], r5, $R\n"
        "        dst   t1, D[r3 + @y + $R, 2 * $R], L[Y2, RP], r5, $R\n"
        "        add   r1, r1, BS\n"
        "        blt   r1, $S, block\n"
        "        dwait t1\n"
    )


SUITE_ORACLES: dict[str, Callable[[], str]] = {
    "rope": rope,
    "add_layernorm": add_layernorm,
    "layernorm_linear": layernorm_linear,
    "swiglu": swiglu,
    "relu": relu,
    "gelu": gelu,
    "row_sum": row_sum,
    "row_max": row_max,
    "layernorm": layernorm,
    "linear": linear,
    "batched_matmul": batched_matmul,
}


# --- transpose: the vector units and the DMA engine each transpose part of every block ---


def _transpose_row() -> str:
    """Row r6 of the block (at L[r11 + IN]) into column r6 of OUT (VS words apart)."""
    ops = [f"vld v{j}, L[r11 + IN + {16 * j}]" for j in range(2)]
    ops += [
        f"vst1 L[r12 + OUT + {16 * j + lane} * V], v{j}[{lane}]"
        for j in range(2)
        for lane in range(16)
    ]
    ops += ["add r11, r11, 32", "add r12, r12, 32 * V"]
    return render(ops)


def transpose() -> str:
    """Blocks of BR rows of x: the first V rows go through vector registers (one `vst1` per
    word into a local N x V strip of y, stored by one DMA), the rest leave as columns of y
    straight from local memory (a DMA of N rows of one word each), so both engines work."""
    return (
        "// transpose: optimised VLX kernel (vector and DMA transposes overlapped)\n"
        ".equ BR, 32                        // rows of x per block\n"
        ".equ V, 16                         // of which the vector units transpose (V >= BR - V)\n"
        ".equ NP, cdiv($N, 32) * 32\n"
        ".equ IN, 0                         // the block, rows $N words apart\n"
        ".equ OUT, 32768                    // NP x V strip of y\n"
        "        li    r1, 0\n"
        "block:\n"
        "        { sub r2, $M, r1 ; mul r3, r1, $N }\n"
        "        { min r2, r2, BR ; dwait t1 }  // the last block's column transfers read IN\n"
        "        dld   t0, L[IN], D[r3 + @x], r2, $N\n"
        "        { min r4, r2, V ; sub r5, r2, V ; dwait t0 }\n"
        "        { li r6, 0 ; li r11, 0 ; dwait t2 }\n"
        "        loop  r7, r4\n"
        "        bge   r6, r5, vec           // a row for the DMA engine as well?\n"
        "        { add r8, r1, r6 ; mul r9, r6, $N }\n"
        "        dst   t1, D[r8 + @y + V, $M], L[r9 + IN + V * $N, 1], $N, 1\n"
        "vec:\n"
        "        { mov r12, r6 ; mul r11, r6, $N }\n"
        + _loop("r10", "NP / 32", _transpose_row())
        + "        add   r6, r6, 1\n"
        "        endloop\n"
        "        dst   t2, D[r1 + @y, $M], L[OUT, V], $N, r4\n"
        "        add   r1, r1, BR\n"
        "        blt   r1, $M, block\n"
        "        dwait t1\n"
        "        dwait t2\n"
    )


SUITE_ORACLES["transpose"] = transpose


# --- convolutions: 8 output pixels x 16 channels in eight accumulators ---

CONV_SIZES = """\
.equ OH, $H - $KH + 1
.equ OW, $W - $KW + 1
.equ OWP, cdiv(OW, 8) * 8            // output pixels of a row, in groups of 8
"""


def _conv_chunk() -> str:
    """16 steps along a patch row for 8 pixels: w rows in v0..v15, x in lanes of v16..v23."""
    ops = [f"vld v{k}, L[r22 + WBUF + {k} * FP]" for k in range(16)]
    ops += [f"vld v{16 + i}, L[r21 + XBUF + {i} * $C]" for i in range(8)]
    ops += [f"vmac a{i}, v{k}, v{16 + i}[{k}]" for k in range(16) for i in range(8)]
    ops += ["add r21, r21, 16", "add r22, r22, 16 * FP"]
    return render(ops)


def _pixel_groups(start: list[str], taps: str, finish: list[str]) -> str:
    """For every group of 8 pixels of the output row (r5 = the group's first pixel): clear
    the accumulators, run `taps`, then `finish`."""
    return _loop(
        "r4",
        "OWP / 8",
        render([f"vclr a{i}" for i in range(8)] + start) + taps + render(finish),
    )


CONV_LAYOUT = """\
.equ XBUF, 0
.equ WBUF, 45056
.equ OBUF, 61440 - OWP * FP        // one output row: OWP x FP
"""


def conv2d() -> str:
    store = (
        "        mul   r11, r1, OW * $F\n        dst   t2, D[r11 + @y, $F], L[OBUF, FP], OW, $F\n"
    )
    return conv_rows("conv2d", "w", CONV_LAYOUT, (), "", store)


def conv_block() -> str:
    """conv_rows with b1 and relu into a row of h, then the 1 x 1 convolution as a product
    with w2 (resident, zero padded) plus b2 and relu."""
    layout = (
        ".equ GP, cdiv($G, 16) * 16\n"
        ".equ XBUF, 0                       // x (H * W * C <= 32,000)\n"
        ".equ WBUF, 32768\n"
        ".equ OBUF, 49152                   // a row of h: OWP x FP\n"
        ".equ W2, 53248                     // FP x GP\n"
        ".equ O2, 57344                     // a row of y: OWP x GP\n"
        ".equ B1, 61440\n"
        ".equ B2, 63488\n"
    )
    prologue = (
        zero("W2", "4096")
        + zero("B1", "4096")
        + "        dld   t3, L[W2, GP], D[@w2, $G], $F, $G\n"
        "        dld   t3, L[B1], D[@b1], 1, $F\n"
        "        dld   t3, L[B2], D[@b2], 1, $G\n"
        "        dwait t3\n"
    )
    layer2 = product(
        "OBUF",
        "FP",
        "FP / 16",
        "W2",
        "GP",
        "GP / 16",
        "OWP / 8",
        "O2",
        "GP",
        (*BIAS, *RELU),
        "B2",
    )
    store = (
        layer2 + "        mul   r11, r1, OW * $G\n"
        "        dst   t2, D[r11 + @y, $G], L[O2, GP], OW, $G\n"
    )
    epilogue = ("vadd {v}, {v}, v30", "vrelu {v}, {v}")
    return conv_rows(
        "conv_block", "w1", layout + prologue, epilogue, "        vld   v30, L[r3 + B1]\n", store
    )


def conv_rows(
    name: str, w: str, layout: str, epilogue: tuple[str, ...], tile: str, store: str
) -> str:
    """A patch row (KW * C words, padded to RWP with zero rows of w) is contiguous in x, so
    each output row is a matrix product: 8 pixels x 16 filters per block of accumulators.
    `epilogue` ops act on each result {v} (after `tile` ran at the filter tile's start,
    r3 = its first filter); `store` runs per output row r1 (tag t2)."""
    finish = [f"vrd v{i}, a{i}" for i in range(8)]
    finish += [op.format(v=f"v{i}") for op in epilogue for i in range(8)]
    finish += [f"vst L[r19 + OBUF + {i} * FP], v{i}" for i in range(8)]
    finish += ["add r5, r5, 8", "add r19, r19, 8 * FP"]
    taps = _loop(
        "r6",
        "$KH",
        "        mov   r21, r20\n"
        + _loop("r8", "RWP / 16", _conv_chunk())
        + "        add   r20, r20, $W * $C\n",
    )
    start = ["mul r20, r1, $W", "mov r22, r3"]
    start += ["add r20, r20, r5", "mul r20, r20, $C"]
    return (
        f"// {name}: optimised VLX kernel (register-blocked 8 pixels x 16 filters, scheduled)\n"
        + CONV_SIZES
        + ".equ FP, cdiv($F, 16) * 16          // a row of w in local memory\n"
        ".equ RW, $KW * $C                  // contiguous words of one patch row\n"
        ".equ RWP, cdiv(RW, 16) * 16        // rows of w per kernel row, zero padded\n"
        + layout
        + "        { vmov v31, #0 ; li r5, WBUF }\n"
        + _loop("r4", "$KH * RWP * FP / 16", "        { vst L[r5], v31 ; add r5, r5, 16 }\n")
        + "        li    r5, $H * $W * $C\n"
        + _loop("r4", "RWP / 16 + 1", "        { vst L[r5], v31 ; add r5, r5, 16 }\n")
        + "        dld   t0, L[XBUF], D[@x], 1, $H * $W * $C\n"
        f"        {{ li r5, WBUF ; li r6, @{w} }}\n"
        + _loop(
            "r4",
            "$KH",
            "        dld   t1, L[r5, FP], D[r6, $F], RW, $F\n"
            "        { add r5, r5, RWP * FP ; add r6, r6, RW * $F }\n",
        )
        + "        dwait t0\n"
        "        dwait t1\n"
        "        li    r1, 0                 // output row\n"
        "orow:\n"
        "        dwait t2\n"
        + _loop(
            "r2",
            "FP / 16",
            "        { shl r3, r2, 4 ; li r5, 0 }  // the tile's first filter; first pixel\n"
            "        mov   r19, r3\n" + tile + _pixel_groups(start, taps, finish),
        )
        + store
        + "        add   r1, r1, 1\n"
        "        blt   r1, OH, orow\n"
        "        dwait t2\n"
    )


def depthwise_conv2d() -> str:
    """16 channels of 8 output pixels in eight accumulators; one w vector per tap feeds
    eight MACs. The KH rows of x an output row needs are loaded for each output row."""
    tap = ["vld v8, L[r22 + WBUF]"]
    tap += [f"vld v{i}, L[r21 + XBUF + {i} * $C]" for i in range(8)]
    tap += [f"vmac a{i}, v{i}, v8" for i in range(8)]
    tap += ["add r21, r21, $C", "add r22, r22, $C"]
    taps = _loop(
        "r6",
        "$KH",
        "        mov   r21, r20\n"
        + _loop("r8", "$KW", render(tap))
        + "        add   r20, r20, $W * $C\n",
    )
    finish = [f"vrd v{i}, a{i}" for i in range(8)]
    finish += [f"vst L[r19 + OBUF + {i} * CP], v{i}" for i in range(8)]
    finish += ["add r5, r5, 8", "add r19, r19, 8 * CP"]
    start = ["mul r20, r5, $C", "mov r22, r3"]
    start += ["add r20, r20, r3"]
    return (
        "// depthwise_conv2d: optimised VLX kernel (8 pixels x 16 channels per block, scheduled)\n"
        + CONV_SIZES
        + ".equ CP, cdiv($C, 16) * 16\n"
        ".equ XBUF, 0                       // KH rows of x\n"
        ".equ WBUF, 49152\n"
        ".equ OBUF, 57344                   // one output row: OWP x CP\n"
        "        dld   t1, L[WBUF], D[@w], 1, $KH * $KW * $C\n"
        "        dwait t1\n"
        "        li    r1, 0                 // output row\n"
        "orow:\n"
        "        mul   r12, r1, $W * $C\n"
        "        dwait t2\n"
        "        dld   t0, L[XBUF], D[r12 + @x], 1, $KH * $W * $C\n"
        "        dwait t0\n"
        + _loop(
            "r2",
            "CP / 16",
            "        { shl r3, r2, 4 ; li r5, 0 }  // the tile's first channel; first pixel\n"
            "        mov   r19, r3\n" + _pixel_groups(start, taps, finish),
        )
        + "        mul   r11, r1, OW * $C\n"
        "        dst   t2, D[r11 + @y, $C], L[OBUF, CP], OW, $C\n"
        "        add   r1, r1, 1\n"
        "        blt   r1, OH, orow\n"
        "        dwait t2\n"
    )


SUITE_ORACLES["conv2d"] = conv2d
SUITE_ORACLES["depthwise_conv2d"] = depthwise_conv2d


# --- two layers and convolution blocks: register-blocked products between local buffers ---


def ffn() -> str:
    """w1 and w2 stay in local memory (zero padded); per block of rows, h = gelu(x w1 + b1)
    is kept on chip in 8 x 16 blocks and multiplied by w2 the same way. Needs
    cdiv(E, 16) * cdiv(F, 16) * 256 <= 16,384."""
    layer1 = product(
        "XB", "EP", "EP / 16", "W1", "FP", "FP / 16", "r17", "HB", "FP", BIAS + GELU, "B1"
    )
    layer2 = product("HB", "FP", "FP / 16", "W2", "EP", "EP / 16", "r17", "OB", "EP", BIAS, "B2")
    return (
        "// ffn: optimised VLX kernel (weights resident, register-blocked 8 x 16, scheduled)\n"
        ".equ EP, cdiv($E, 16) * 16\n"
        ".equ FP, cdiv($F, 16) * 16\n"
        ".equ BR, max(8, min(cdiv($M, 8) * 8, min(8192 / EP, 12288 / FP) / 8 * 8))\n"
        ".equ W1, 0                         // EP x FP\n"
        ".equ W2, 16384                     // FP x EP\n"
        ".equ XB, 32768\n"
        ".equ HB, 40960\n"
        ".equ OB, 53248\n"
        ".equ B1, 61440\n"
        ".equ B2, 63488\n"
        + zero("W1", "32768")
        + zero("B1", "4096")
        + "        dld   t4, L[W1, FP], D[@w1, $F], $E, $F\n"
        "        dld   t4, L[W2, EP], D[@w2, $E], $F, $E\n"
        "        dld   t4, L[B1], D[@b1], 1, $F\n"
        "        dld   t4, L[B2], D[@b2], 1, $E\n"
        + _loop("r4", "BR", "        mul   r5, r4, EP\n        vst   L[r5 + XB + EP - 16], v31\n")
        + "        { dwait t4 ; li r1, 0 }\n"
        "block:\n"
        "        { sub r2, $M, r1 ; mul r3, r1, $E }\n"
        "        min   r2, r2, BR\n"
        "        dld   t0, L[XB, EP], D[r3 + @x, $E], r2, $E\n"
        "        { add r17, r2, 7 ; dwait t0 }\n"
        "        { shr r17, r17, 3 ; dwait t2 }    // groups of 8 rows\n"
        + layer1
        + layer2
        + "        dst   t2, D[r3 + @y, $E], L[OB, EP], r2, $E\n"
        "        add   r1, r1, BR\n"
        "        blt   r1, $M, block\n"
        "        dwait t2\n"
    )


SUITE_ORACLES["ffn"] = ffn
SUITE_ORACLES["conv_block"] = conv_block


def _attention_oracles() -> None:
    from agents.template import vlx_fast_attention as fa

    for task_id in ("sdpa", "flash_attention", "mha", "gqa", "mqa"):
        SUITE_ORACLES[task_id] = getattr(fa, task_id)
    SUITE_ORACLES["attention_scores"] = fa.attention_scores
    SUITE_ORACLES["softmax_matmul"] = fa.softmax_matmul


_attention_oracles()


def decoder_block() -> str:
    from agents.template.vlx_decoder import decoder_block as make

    return make(fast=True)


SUITE_ORACLES["decoder_block"] = decoder_block
