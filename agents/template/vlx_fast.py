"""Optimised VLX kernels: how the oracle kernels in tasks/<id>/vlx/oracle.vasm were made.

Compared with the baseline (`agents.template.vlx`) they double-buffer every DMA stream,
process several rows (or vectors) per loop iteration with independent registers and
accumulators, and pack each loop body with the list scheduler of `vlx_schedule`, so that
the load, vector ALU and MAC slots work in the same cycles. GEMM keeps an 8 x 16 output block
in eight accumulators and takes a's values from vector lanes (`vmac a0, v3, v16[3]`), so one
b row loaded from local memory feeds eight MACs.
"""

from __future__ import annotations

from agents.template.vlx_schedule import render


def _loop(reg: str, count: str, body: str) -> str:
    return f"        loop  {reg}, {count}\n{body}        endloop\n"


# --- row-block kernels: double-buffered blocks of BR rows, groups of G rows ---

_ROW_LAYOUT = """\
.equ IN0, 0
.equ IN1, 14336
.equ OUT0, 28672
.equ OUT1, 43008
.equ CONST, 57344
"""


def _pad_rows(value: str, vectors: int) -> str:
    """Fill the last `vectors` vectors of every row of both input buffers with `value`."""
    stores = [
        f"vst L[r6 + {buf} + NP - {16 * (i + 1)}], v31"
        for buf in ("IN0", "IN1")
        for i in range(vectors)
    ]
    body = "        mul   r6, r5, RS\n" + "".join(f"        {s}\n" for s in stores)
    return f"        vmov  v31, #{value}\n" + _loop("r5", "BR", body)


def _row_half(
    body: str,
    x: str,
    y: str,
    one_per_row: bool,
    cur: tuple[str, str, str, str],
    nxt: tuple[str, str],
    label: str,
) -> str:
    """One block from buffer `cur` while the next block is fetched into `nxt`."""
    in_buf, out_buf, load_tag, store_tag = cur
    next_in, next_tag = nxt
    store = (
        f"        dst   {store_tag}, D[r1 + @{y}], L[{out_buf}], 1, r2\n"
        if one_per_row
        else "        mul   r9, r1, W\n"
        f"        dst   {store_tag}, D[r9 + @{y}, W], L[{out_buf}, RS], r2, W\n"
    )
    return (
        "        add   r3, r1, BR\n"
        f"        bge   r3, $M, {label}\n"
        "        { sub r4, $M, r3 ; mul r9, r3, W }\n"
        "        min   r4, r4, BR\n"
        f"        dld   {next_tag}, L[{next_in}, RS], D[r9 + @{x}, W], r4, W\n"
        f"{label}:\n"
        "        sub   r2, $M, r1\n"
        "        min   r2, r2, BR            // rows in this block\n"
        f"        dwait {load_tag}\n"
        f"        dwait {store_tag}\n"
        + body.replace("{IN}", in_buf).replace("{OUT}", out_buf)
        + store
        + "        add   r1, r1, BR\n"
        "        bge   r1, $M, done\n"
    )


def row_kernel(
    name: str,
    x: str,
    y: str,
    width: str,
    body: str,
    prologue: str,
    group: int,
    chunk: int,
    bank_skew: bool = False,
    one_per_row: bool = False,
) -> str:
    """`body` handles the r2 rows of a block in groups of `group` rows; rows are RS words
    apart in local memory (NP rounded to `chunk` words, plus 16 with `bank_skew` when that
    makes RS / 16 odd, so that consecutive rows start in different banks)."""
    stride = "NP + 16 * (1 - (NP / 16) % 2)" if bank_skew else "NP"
    return (
        f"// {name}: optimised VLX kernel (double-buffered, unrolled, scheduled)\n"
        f".equ W, {width}\n"
        f".equ NP, cdiv(W, {chunk}) * {chunk}    // a row in local memory, padded\n"
        f".equ RS, {stride}                      // row stride in local memory\n"
        f".equ G, {group}                        // rows per group\n"
        ".equ BR, max(G, min(cdiv($M, G) * G, 14336 / RS / G * G))  // rows per block\n"
        + _ROW_LAYOUT
        + prologue
        + "        li    r1, 0                 // first row of the block\n"
        "        { li r2, min($M, BR) ; li r9, 0 }\n"
        f"        dld   t0, L[IN0, RS], D[@{x}, W], r2, W\n"
        "pair:\n"
        + _row_half(body, x, y, one_per_row, ("IN0", "OUT0", "t0", "t2"), ("IN1", "t1"), "even")
        + _row_half(body, x, y, one_per_row, ("IN1", "OUT1", "t1", "t3"), ("IN0", "t0"), "odd")
        + "        jmp   pair\n"
        "done:\n"
        "        dwait t2\n"
        "        dwait t3\n"
    )


def _groups(inner: str) -> str:
    """Loop over the groups of a block; r6 = the group's first word, r12 = its first row."""
    return (
        "        { add r5, r2, G - 1 ; li r6, 0 }\n"
        "        { div r5, r5, G ; li r12, 0 }\n"
        + _loop("r7", "r5", inner + "        { add r6, r6, G * RS ; add r12, r12, G }\n")
    )


def _softmax_body() -> str:
    rows, chunks = range(4), range(2)
    vec = {(k, j): f"v{2 * k + j}" for k in rows for j in chunks}
    at = {(k, j): f"r8 + {{buf}} + {k} * RS + {16 * j}" for k in rows for j in chunks}
    max_pass = [f"vld {vec[k, j]}, L[{at[k, j].format(buf='{IN}')}]" for k in rows for j in chunks]
    max_pass += [f"vmax v{24 + k}, v{24 + k}, {vec[k, j]}" for j in chunks for k in rows]
    max_pass.append("add r8, r8, 32")
    exp_pass = [f"vld {vec[k, j]}, L[{at[k, j].format(buf='{IN}')}]" for k in rows for j in chunks]
    exp_pass += [f"vsub {vec[k, j]}, {vec[k, j]}, v{24 + k}[0]" for k in rows for j in chunks]
    exp_pass += [f"vexp {vec[k, j]}, {vec[k, j]}" for k in rows for j in chunks]
    exp_pass += [f"vmac a{k}, {vec[k, j]}, #1" for j in chunks for k in rows]
    exp_pass += [
        f"vst L[{at[k, j].format(buf='{OUT}')}], {vec[k, j]}" for k in rows for j in chunks
    ]
    exp_pass.append("add r8, r8, 32")
    scale = [f"vld {vec[k, j]}, L[{at[k, j].format(buf='{OUT}')}]" for k in rows for j in chunks]
    scale += [f"vmul {vec[k, j]}, {vec[k, j]}, v{28 + k}[0]" for k in rows for j in chunks]
    scale += [f"vst L[{at[k, j].format(buf='{OUT}')}], {vec[k, j]}" for k in rows for j in chunks]
    scale.append("add r8, r8, 32")
    between = [f"vredmax v{24 + k}, v{24 + k}" for k in rows] + [f"vclr a{k}" for k in rows]
    after = [f"vrd v{28 + k}, a{k}" for k in rows] + [f"vredsum v{28 + k}, v{28 + k}" for k in rows]
    after += [f"vrcp v{28 + k}, v{28 + k}" for k in rows]
    inner = (
        render([f"vmov v{24 + k}, #-inf" for k in rows] + ["mov r8, r6"])
        + _loop("r10", "NP / 32", render(max_pass))
        + render([*between, "mov r8, r6"])
        + _loop("r10", "NP / 32", render(exp_pass))
        + render([*after, "mov r8, r6"])
        + _loop("r10", "NP / 32", render(scale))
    )
    return _groups(inner)


def _rmsnorm_body() -> str:
    rows, chunks = range(4), range(2)
    vec = {(k, j): f"v{2 * k + j}" for k in rows for j in chunks}
    at = {(k, j): f"r8 + {{buf}} + {k} * RS + {16 * j}" for k in rows for j in chunks}
    sums = [f"vld {vec[k, j]}, L[{at[k, j].format(buf='{IN}')}]" for k in rows for j in chunks]
    sums += [f"vmac a{2 * k + j}, {vec[k, j]}, {vec[k, j]}" for k in rows for j in chunks]
    sums.append("add r8, r8, 32")
    scale = [f"vld v{16 + j}, L[r11 + CONST + {16 * j}]" for j in chunks]
    scale += [f"vld {vec[k, j]}, L[{at[k, j].format(buf='{IN}')}]" for k in rows for j in chunks]
    scale += [f"vmul {vec[k, j]}, {vec[k, j]}, v{24 + k}[0]" for k in rows for j in chunks]
    scale += [f"vmul {vec[k, j]}, {vec[k, j]}, v{16 + j}" for k in rows for j in chunks]
    scale += [f"vst L[{at[k, j].format(buf='{OUT}')}], {vec[k, j]}" for k in rows for j in chunks]
    scale += ["add r8, r8, 32", "add r11, r11, 32"]
    norm = [f"vrd v{16 + 2 * k + j}, a{2 * k + j}" for k in rows for j in chunks]
    norm += [f"vadd v{24 + k}, v{16 + 2 * k}, v{17 + 2 * k}" for k in rows]
    norm += [f"vredsum v{24 + k}, v{24 + k}" for k in rows]
    norm += [f"vmul v{24 + k}, v{24 + k}, #(1.0 / $N)" for k in rows]
    norm += [f"vadd v{24 + k}, v{24 + k}, #1e-5" for k in rows]
    norm += [f"vrsqrt v{24 + k}, v{24 + k}" for k in rows]
    inner = (
        render([f"vclr a{i}" for i in range(8)] + ["mov r8, r6"])
        + _loop("r10", "NP / 32", render(sums))
        + render([*norm, "mov r8, r6", "li r11, 0"])
        + _loop("r10", "NP / 32", render(scale))
    )
    return _groups(inner)


def _gemv_body() -> str:
    rows = range(8)
    dots = ["vld v16, L[r11 + CONST]"]
    dots += [f"vld v{k}, L[r8 + {{IN}} + {k} * RS]" for k in rows]
    dots += [f"vmac a{k}, v{k}, v16" for k in rows]
    dots += ["add r8, r8, 16", "add r11, r11, 16"]
    finish = [f"vrd v{16 + k}, a{k}" for k in rows]
    finish += [f"vredsum v{16 + k}, v{16 + k}" for k in rows]
    finish += [f"vst1 L[r12 + {{OUT}} + {k}], v{16 + k}[0]" for k in rows]
    inner = (
        render([f"vclr a{k}" for k in rows] + ["mov r8, r6", "li r11, 0"])
        + _loop("r10", "NP / 16", render(dots))
        + render(finish)
    )
    return _groups(inner)


def _const(tensor: str, pad: str) -> str:
    """Load a vector of W words to CONST (its padding set to `pad` first)."""
    return (
        f"        vmov  v31, #{pad}\n"
        "        { vst L[CONST + NP - 16], v31 }\n"
        f"        dld   t4, L[CONST], D[@{tensor}], 1, W\n"
        "        dwait t4\n"
    )


def softmax() -> str:
    return row_kernel("softmax", "x", "y", "$N", _softmax_body(), _pad_rows("-inf", 2), 4, 32)


def rmsnorm() -> str:
    prologue = _pad_rows("0", 2) + _const("g", "0")
    return row_kernel("rmsnorm", "x", "y", "$N", _rmsnorm_body(), prologue, 4, 32)


def gemv() -> str:
    prologue = _pad_rows("0", 1) + _const("x", "0")
    return row_kernel(
        "gemv", "a", "y", "$K", _gemv_body(), prologue, 8, 16, bank_skew=True, one_per_row=True
    )


# --- silu: the tensors as one run of M*N words, in double-buffered blocks of B words ---


def silu_body() -> str:
    vectors = range(16)
    ops = [f"vld v{j}, L[r6 + {{IN}} + {16 * j}]" for j in vectors]
    ops += [f"vmul v{16 + j}, v{j}, #-1" for j in vectors]
    ops += [f"vexp v{16 + j}, v{16 + j}" for j in vectors]
    ops += [f"vadd v{16 + j}, v{16 + j}, #1" for j in vectors]
    ops += [f"vrcp v{16 + j}, v{16 + j}" for j in vectors]
    ops += [f"vmul v{16 + j}, v{j}, v{16 + j}" for j in vectors]
    ops += [f"vst L[r6 + {{OUT}} + {16 * j}], v{16 + j}" for j in vectors]
    ops.append("add r6, r6, 256")
    return (
        "        { add r5, r2, 255 ; li r6, 0 }\n"
        "        shr   r5, r5, 8             // iterations of 16 vectors\n"
        + _loop("r7", "r5", render(ops))
    )


def _flat_half(body: str, cur: tuple[str, str, str, str], nxt: tuple[str, str], label: str) -> str:
    in_buf, out_buf, load_tag, store_tag = cur
    next_in, next_tag = nxt
    return (
        "        add   r3, r1, B\n"
        f"        bge   r3, T, {label}\n"
        "        sub   r4, T, r3\n"
        "        min   r4, r4, B\n"
        f"        dld   {next_tag}, L[{next_in}], D[r3 + @x], 1, r4\n"
        f"{label}:\n"
        "        sub   r2, T, r1\n"
        "        min   r2, r2, B             // words in this block\n"
        f"        dwait {load_tag}\n"
        f"        dwait {store_tag}\n"
        + body.replace("{IN}", in_buf).replace("{OUT}", out_buf)
        + f"        dst   {store_tag}, D[r1 + @y], L[{out_buf}], 1, r2\n"
        "        add   r1, r1, B\n"
        "        bge   r1, T, done\n"
    )


def silu() -> str:
    body = silu_body()
    return (
        "// silu: optimised VLX kernel (double-buffered, unrolled, scheduled)\n"
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


# --- gemm: 8 x 16 output blocks in eight accumulators, b panels double-buffered ---


def _chunk_body(panel: str) -> str:
    """16 steps of k for an 8 x 16 block: b rows in v0..v15, a's values in lanes of v16..v23."""
    ops = [f"vld v{k}, L[r22 + {panel} + {16 * k}]" for k in range(16)]
    ops += [f"vld v{16 + i}, L[r21 + ABUF + {i} * KP]" for i in range(8)]
    ops += [f"vmac a{i}, v{k}, v{16 + i}[{k}]" for k in range(16) for i in range(8)]
    ops += ["add r21, r21, 16", "add r22, r22, 256"]
    return render(ops)


def _mat_half(
    b: str,
    out: str,
    epilogue: list[str],
    cur: tuple[str, str, str, str],
    nxt: tuple[str, str],
    label: str,
    batch: bool = False,
    b2: str = "",
) -> str:
    panel, obuf, load_tag, store_tag = cur
    next_panel, next_tag = nxt
    clear = render([f"vclr a{i}" for i in range(8)] + ["mov r21, r18", "li r22, 0"])
    finish = [f"vrd v{i}, a{i}" for i in range(8)]
    if b2:  # the first product parks in the output tile; the epilogue reads it as {g}
        first = [*finish, *(f"vst L[r19 + {obuf} + {16 * i}], v{i}" for i in range(8))]
        finish += [f"vld v{8 + i}, L[r19 + {obuf} + {16 * i}]" for i in range(8)]
    finish += [
        e.format(v=f"v{i}", g=f"v{8 + i}", t=f"v{16 + i}") for e in epilogue for i in range(8)
    ]
    finish += [f"vst L[r19 + {obuf} + {16 * i}], v{i}" for i in range(8)]
    finish += ["add r18, r18, 8 * KP", "add r19, r19, 128"]
    group = clear + _loop("r23", "KC", _chunk_body(panel))
    if b2:
        group += render(first) + clear + _loop("r23", "KC", _chunk_body(f"{panel} + PANEL"))
    group += render(finish)
    second = (
        f"        dld   {next_tag}, L[{next_panel} + PANEL, 16], D[r15 + @{b2}, $N], $K, r16\n"
        if b2
        else ""
    )
    return (
        "        add   r14, r4, 1\n"
        f"        bge   r14, NT, {label}\n"
        "        mul   r15, r14, 16\n"
        "        sub   r16, $N, r15\n"
        "        min   r16, r16, 16\n"
        + ("        add   r15, r15, r26\n" if batch else "")
        + f"        dld   {next_tag}, L[{next_panel}, 16], D[r15 + @{b}, $N], $K, r16\n"
        + second
        + f"{label}:\n"
        "        mul   r5, r4, 16            // the tile's first column\n"
        "        { sub r13, $N, r5 ; add r17, r2, 7 }\n"
        "        { min r13, r13, 16 ; shr r17, r17, 3 }   // columns; groups of 8 rows\n"
        f"        dwait {load_tag}\n"
        f"        dwait {store_tag}\n"
        "        { vld v30, L[r5 + BIAS] ; li r18, 0 ; li r19, 0 }\n"
        + _loop("r20", "r17", group)
        + "        mul   r24, r1, $N\n"
        "        add   r24, r24, r5\n"
        + ("        add   r24, r24, r27\n" if batch else "")
        + f"        dst   {store_tag}, D[r24 + @{out}, $N], L[{obuf}, 16], r2, r13\n"
        "        add   r4, r4, 1\n"
    )


_PAD_B2 = "        vst   L[r6 + B0 + PANEL], v31\n        vst   L[r6 + B1 + PANEL], v31\n"


def mat_kernel(
    name: str,
    a: str,
    b: str,
    out: str,
    epilogue: list[str],
    prologue: str,
    batch: str = "",
    block: str = "",
    b2: str = "",
) -> str:
    """out = a @ b with `epilogue` on every 16-column result; with `batch` (a size), that many
    independent products, r25..r27 holding the current one's offsets in a, b and out. `block`
    runs on each block of a's rows once it is in local memory (rows KP words apart, r2 of
    them). With `b2`, a second weight's panels sit PANEL words after b's (K <= 512) and the
    epilogue sees a @ b as {g} and a @ b2 as {v}."""
    next_batch = (
        "        add   r28, r28, 1\n"
        "        mul   r25, r28, $M * $K\n"
        "        mul   r26, r28, $K * $N\n"
        "        mul   r27, r28, $M * $N\n"
        f"        blt   r28, {batch}, batch\n"
        if batch
        else ""
    )
    return (
        f"// {name}: optimised VLX kernel (register-blocked 8 x 16, scheduled, double-buffered)\n"
        ".equ KP, cdiv($K, 16) * 16          // a row in local memory, padded with zeros\n"
        ".equ KC, KP / 16\n"
        ".equ NT, cdiv($N, 16)                // column tiles\n"
        ".equ BR, max(8, min(cdiv($M, 8) * 8, min(128, 24576 / KP / 8 * 8)))  // rows per block\n"
        ".equ ABUF, 0\n"
        ".equ B0, 24576                       // KP x 16 panels of b\n"
        ".equ B1, 40960\n"
        ".equ O0, 57344                       // BR x 16 output tiles\n"
        ".equ O1, 59392\n"
        ".equ BIAS, 61440\n"
        + (".equ PANEL, 8192                     // b2's panels after b's\n" if b2 else "")
        + "        vmov  v31, #0\n"
        + _loop("r5", "BR", "        mul   r6, r5, KP\n        vst   L[r6 + ABUF + KP - 16], v31\n")
        + _loop(
            "r5",
            "KP - $K",
            "        add   r6, r5, $K\n        shl   r6, r6, 4\n"
            "        vst   L[r6 + B0], v31\n        vst   L[r6 + B1], v31\n"
            + (_PAD_B2 if b2 else ""),
        )
        + prologue
        + ("batch:\n" if batch else "")
        + "        li    r1, 0\n"
        "mblock:\n"
        "        sub   r2, $M, r1\n"
        "        { min r2, r2, BR ; mul r3, r1, $K }   // rows in this block\n"
        + ("        add   r3, r3, r25\n" if batch else "")
        + f"        dld   t0, L[ABUF, KP], D[r3 + @{a}, $K], r2, $K\n"
        f"        dld   t4, L[B0, 16], D[{'r26 + ' if batch else ''}@{b}, $N], $K, min(16, $N)\n"
        + (f"        dld   t4, L[B0 + PANEL, 16], D[@{b2}, $N], $K, min(16, $N)\n" if b2 else "")
        + "        { dwait t0 ; li r4, 0 }\n"
        + block
        + "ntile:\n"
        + _mat_half(
            b, out, epilogue, ("B0", "O0", "t4", "t6"), ("B1", "t5"), "even", bool(batch), b2
        )
        + "        bge   r4, NT, mdone\n"
        + _mat_half(
            b, out, epilogue, ("B1", "O1", "t5", "t7"), ("B0", "t4"), "odd", bool(batch), b2
        )
        + "        blt   r4, NT, ntile\n"
        "mdone:\n"
        "        add   r1, r1, BR\n"
        "        blt   r1, $M, mblock\n" + next_batch + "        dwait t6\n"
        "        dwait t7\n"
    )


def gemm() -> str:
    return mat_kernel("gemm", "a", "b", "c", [], "")


def linear_relu() -> str:
    bias = "        dld   t3, L[BIAS], D[@b], 1, $N\n        dwait t3\n"
    return mat_kernel("linear_relu", "x", "w", "y", ["vadd {v}, {v}, v30", "vrelu {v}, {v}"], bias)


ORACLES = {
    "silu": silu,
    "softmax": softmax,
    "rmsnorm": rmsnorm,
    "gemv": gemv,
    "gemm": gemm,
    "linear_relu": linear_relu,
}
