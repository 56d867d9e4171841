"""Block kernels for TILE: one program shape that most of the suite composes into.

A block kernel walks `batches x row blocks`. Per iteration it loads the row block of every
input stream, runs a body (vector and matrix pieces from the macros below), and stores the row
block of every output stream. Resident operands (weights, gammas, whole K / V of a head) are
loaded once, or once per batch; a per-batch `setup` may transform them (transpose K). The
row-block size comes from the scratchpad budget, so one source serves every configuration.

`pipelined=False` is the baseline the template agent submits (each transfer waited on at
once, every row its own DMA row, accumulators cleared with `vfill`). `pipelined=True` is how
the oracle kernels are made: the next block's inputs are fetched while the current one is
computed, stores drain in the background, contiguous blocks move as one DMA row, and the first
product of each accumulator is an `mm`.

Registers: r1 first row of the block, r2 rows in it, r11 iteration, r12 block index, r13
batch index; a body may use r3..r10, r14 and r15 freely.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

SCRATCH_WORDS = 65_536
MAX_BLOCK_ROWS = 512  # an accumulator tile of 16 columns holds 16,384 / 16 rows; keep two


@dataclass(frozen=True)
class Stream:
    """A row block of a DRAM tensor moved every iteration (loaded, or stored for outputs).

    Row r of the block is DRAM row (r1 + r) at `@tensor + (b / batch_div) * per_batch +
    (r1 + r) * stride`, `cols` words of it; on chip its rows are `pitch` words apart.
    `extra` rows beyond the block are loaded too (a halo), clipped to `limit` rows."""

    name: str
    tensor: str
    cols: str
    stride: str = ""  # default: cols
    pitch: str = ""  # default: cols
    per_batch: str = "0"
    batch_div: str = "1"
    extra: str = "0"
    limit: str = ""  # default: the kernel's rows
    pad: str = "0"  # words of slack after the buffer (reads past a halo)
    across: str = ""  # a column block instead: `across` DRAM rows of the block's r2 columns

    @property
    def per_row_words(self) -> str:
        return self.across or self.row_pitch

    @property
    def dram_stride(self) -> str:
        return self.stride or self.cols

    @property
    def row_pitch(self) -> str:
        return self.pitch or self.cols

    @property
    def contiguous(self) -> bool:
        return self.dram_stride == self.cols == self.row_pitch


@dataclass(frozen=True)
class Resident:
    """A rows x cols block of a DRAM tensor kept on chip (per batch when per_batch != 0)."""

    name: str
    tensor: str
    rows: str
    cols: str
    stride: str = ""
    per_batch: str = "0"
    batch_div: str = "1"


@dataclass(frozen=True)
class BlockKernel:
    rows: str  # rows to walk, e.g. "$M"
    inputs: tuple[Stream, ...]
    outputs: tuple[Stream, ...]
    # `{NAME}` is the buffer of stream / temp / resident / fixed NAME; a function of
    # `pipelined` when the body has a faster form for the oracle
    body: str | Callable[[bool], str]
    resident: tuple[Resident, ...] = ()
    temps: tuple[tuple[str, str], ...] = ()  # (name, words per block row)
    fixed: tuple[tuple[str, str], ...] = ()  # (name, words)
    batches: str = "1"
    setup: str = ""  # once, after the residents that do not depend on the batch
    batch_setup: str = ""  # per batch, after its residents are loaded
    max_rows: str = str(MAX_BLOCK_ROWS)
    equ: tuple[tuple[str, str], ...] = ()  # constants the buffers and the body use
    notes: tuple[str, ...] = field(default_factory=tuple)


def _rows_in_block(dst: str, first: str, total: str, cap: str) -> str:
    return f"        sub   {dst}, r0, {first}\n        add   {dst}, {dst}, {total}\n" + (
        f"        min   {dst}, {dst}, {cap}\n"
    )


def _layout(k: BlockKernel, sets: int) -> str:
    """`.equ` lines: the block size from the budget, then every buffer's base address."""
    fixed_parts = [f"({r.rows}) * ({r.cols})" for r in k.resident] + [f"({w})" for _, w in k.fixed]
    stream_fixed = [
        f"{sets} * (({s.extra}) * ({s.per_row_words}) + ({s.pad}))" for s in k.inputs + k.outputs
    ]
    per_row = [f"{sets} * ({s.per_row_words})" for s in k.inputs + k.outputs]
    per_row += [f"({w})" for _, w in k.temps]
    lines = [f".equ {name}, {value}" for name, value in k.equ] + [
        ".equ ACC, 0",
        f".equ ROWS, {k.rows}",
        f".equ NBATCH, {k.batches}",
        f".equ FIXEDW, {' + '.join(fixed_parts + stream_fixed) or '0'}",
        f".equ ROWW, {' + '.join(per_row) or '1'}",
        f".equ BR, max(1, min(min(ROWS, {k.max_rows}), ({SCRATCH_WORDS} - FIXEDW) / ROWW))",
        ".equ NB, cdiv(ROWS, BR)",
        ".equ NI, NBATCH * NB",
    ]
    prev = "0"
    for r in k.resident:
        lines.append(f".equ {r.name}, {prev}")
        prev = f"{r.name} + ({r.rows}) * ({r.cols})"
    for name, words in k.fixed:
        lines.append(f".equ {name}, {prev}")
        prev = f"{name} + ({words})"
    for s in k.inputs + k.outputs:
        for i in range(sets):
            label = f"{s.name}{i}" if sets > 1 else s.name
            lines.append(f".equ {label}, {prev}")
            prev = f"{label} + (BR + ({s.extra})) * ({s.per_row_words}) + ({s.pad})"
    for name, words in k.temps:
        lines.append(f".equ {name}, {prev}")
        prev = f"{name} + BR * ({words})"
    return "\n".join(lines) + "\n"


def _batch_offset(dst: str, batch: str, per_batch: str, div: str) -> str:
    if per_batch == "0":
        return f"        li    {dst}, 0\n"
    code = (
        f"        div   {dst}, {batch}, {div}\n"
        if div != "1"
        else f"        mov   {dst}, {batch}\n"
    )
    return code + f"        mul   {dst}, {dst}, {per_batch}\n"


def _load_resident(r: Resident, batch: str, flat: bool) -> str:
    stride = r.stride or r.cols
    code = _batch_offset("r10", batch, r.per_batch, r.batch_div)
    if flat and stride == r.cols:
        words = f"({r.rows}) * ({r.cols})"
        return (
            code
            + f"        dld   t5, S[{r.name}, {words}], D[r10 + @{r.tensor}, {words}], 1, {words}\n"
        )
    dram = f"D[r10 + @{r.tensor}, {stride}]"
    return code + f"        dld   t5, S[{r.name}, {r.cols}], {dram}, {r.rows}, {r.cols}\n"


def _move(
    s: Stream, load: bool, buf: str, tag: str, regs: tuple[str, str, str], flat: bool, rows: str
) -> str:
    """DMA for stream `s` of the block (batch, first row, rows) in `regs`."""
    batch, first, count = regs
    code = _batch_offset("r10", batch, s.per_batch, s.batch_div)
    if s.across:
        code += f"        add   r14, r10, {first}\n"
        dram, onchip = f"D[r14 + @{s.tensor}, {s.dram_stride}]", f"S[{buf}, {count}]"
        if load:
            return code + f"        dld   {tag}, {onchip}, {dram}, {s.across}, {count}\n"
        return code + f"        dst   {tag}, {dram}, {onchip}, {s.across}, {count}\n"
    code += f"        mul   r14, {first}, {s.dram_stride}\n        add   r14, r14, r10\n"
    if s.extra != "0" or s.limit:
        code += f"        add   r15, {count}, {s.extra}\n"
        code += "        sub   r9, r0, " + first + "\n"
        code += f"        add   r9, r9, {s.limit or rows}\n        min   r15, r15, r9\n"
        n = "r15"
    else:
        n = count
    if flat and s.contiguous:
        code += f"        mul   r15, {n}, {s.cols}\n"
        if load:
            return code + f"        dld   {tag}, S[{buf}, r15], D[r14 + @{s.tensor}, r15], 1, r15\n"
        return code + f"        dst   {tag}, D[r14 + @{s.tensor}, r15], S[{buf}, r15], 1, r15\n"
    dram = f"D[r14 + @{s.tensor}, {s.dram_stride}]"
    onchip = f"S[{buf}, {s.row_pitch}]"
    if load:
        return code + f"        dld   {tag}, {onchip}, {dram}, {n}, {s.cols}\n"
    return code + f"        dst   {tag}, {dram}, {onchip}, {n}, {s.cols}\n"


def _coords(i: str, batch: str, block: str, first: str, count: str) -> str:
    return (
        f"        div   {batch}, {i}, NB\n"
        f"        rem   {block}, {i}, NB\n"
        f"        mul   {first}, {block}, BR\n" + _rows_in_block(count, first, "ROWS", "BR")
    )


def _names(k: BlockKernel, which: int | None) -> dict[str, str]:
    names = {"L": "" if which is None else str(which)}  # makes the body's labels unique
    names.update({r.name: r.name for r in k.resident})
    names.update({n: n for n, _ in k.fixed})
    names.update({n: n for n, _ in k.temps})
    for s in k.inputs + k.outputs:
        names[s.name] = s.name if which is None else f"{s.name}{which}"
    return names


def _prologue(k: BlockKernel, flat: bool) -> str:
    once = [r for r in k.resident if r.per_batch == "0"]
    code = "".join(_load_resident(r, "r0", flat) for r in once)
    if once:
        code += "        dwait t5\n"
    return code + k.setup


def _per_batch(k: BlockKernel, flat: bool, skip: str) -> str:
    batched = [r for r in k.resident if r.per_batch != "0"]
    if not batched and not k.batch_setup:
        return ""
    code = f"        bne   r12, r0, {skip}\n"
    code += "".join(_load_resident(r, "r13", flat) for r in batched)
    if batched:
        code += "        dwait t5\n"
    return code + k.batch_setup + f"{skip}:\n"


def block_kernel(name: str, k: BlockKernel, *, pipelined: bool) -> str:
    header = f"; {name}: generated by kernelwright's template compiler" + (
        " (pipelined)\n" if pipelined else "\n"
    )
    header += "".join(f"; {note}\n" for note in k.notes)
    text = k.body(pipelined) if callable(k.body) else k.body
    if not pipelined:
        body = text.format(**_names(k, None))
        regs = ("r13", "r1", "r2")
        return (
            header
            + _layout(k, 1)
            + _prologue(k, False)
            + "        li    r11, 0\niter:\n"
            + _coords("r11", "r13", "r12", "r1", "r2")
            + _per_batch(k, False, "ready")
            + "".join(_move(s, True, s.name, "t0", regs, False, k.rows) for s in k.inputs)
            + ("        dwait t0\n" if k.inputs else "")
            + body
            + "".join(_move(s, False, s.name, "t2", regs, False, k.rows) for s in k.outputs)
            + "        dwait t2\n"
            + "        add   r11, r11, 1\n"
            + "        blt   r11, NI, iter\n"
        )
    first = "".join(
        _move(s, True, f"{s.name}0", "t0", ("r13", "r1", "r2"), True, k.rows) for s in k.inputs
    )
    return (
        header
        + _layout(k, 2)
        + _prologue(k, True)
        + "        li    r11, 0\n"
        + _coords("r11", "r13", "r12", "r1", "r2")
        + first
        + "pair:\n"
        + _half(k, text, 0, "even")
        + _half(k, text, 1, "odd")
        + "        jmp   pair\n"
        + "done:\n"
        + "        dwait t2\n"
        + "        dwait t3\n"
    )


def _half(k: BlockKernel, body: str, cur: int, label: str) -> str:
    """One iteration from buffer set `cur` while the next block is fetched into the other."""
    nxt = 1 - cur
    regs = ("r4", "r5", "r6")
    prefetch = "".join(
        _move(s, True, f"{s.name}{nxt}", f"t{nxt}", regs, True, k.rows) for s in k.inputs
    )
    return (
        "        add   r3, r11, 1\n"
        f"        bge   r3, NI, {label}\n"
        + _coords("r3", "r4", "r7", "r5", "r6")
        + prefetch
        + f"{label}:\n"
        + _coords("r11", "r13", "r12", "r1", "r2")
        + _per_batch(k, True, f"{label}_ready")
        + f"        dwait t{cur}\n"
        + f"        dwait t{2 + cur}\n"
        + body.format(**_names(k, cur))
        + "".join(
            _move(s, False, f"{s.name}{cur}", f"t{2 + cur}", ("r13", "r1", "r2"), True, k.rows)
            for s in k.outputs
        )
        + "        add   r11, r11, 1\n"
        + "        bge   r11, NI, done\n"
    )


# --- pieces a body is made of ------------------------------------------------------------


def matmul(
    x: str,
    x_stride: str,
    w: str,
    w_stride: str,
    out: str,
    out_stride: str,
    k: str,
    n: str,
    *,
    epilogue: str = "",
    fast: bool = False,
    rows: str = "r2",
    n_tiles: str = "",
    k_tiles: str = "",
) -> str:
    """out[rows, n] = x[rows, k] @ w[k, n], 16 output columns at a time in the accumulator.

    Bases are values (`{X}`, `r14 + Q`). The epilogue runs on `A[ACC, r5]` (shape rows x r5,
    r4 its first column) before the copy to `out`. Uses r3..r10. When `n` or `k` is a
    register, `n_tiles` / `k_tiles` holds its count of 16-wide tiles. `fast` starts each
    accumulator with `mm` instead of clearing it, and alternates two accumulator tiles (r9
    holds the current one) so the copy of one overlaps the products of the next."""
    acc = "r9" if fast else "ACC"
    if fast:
        epilogue = epilogue.replace("A[ACC,", "A[r9,")
    n_tiles = n_tiles or f"cdiv({n}, 16)"
    k_tiles = k_tiles or f"cdiv({k}, 16)"
    code = f"        loop  r3, {n_tiles}\n        mul   r4, r3, 16\n" + _rows_in_block(
        "r5", "r4", n, "16"
    )

    def tile(index: str, op: str) -> str:
        return (
            f"        mul   r7, {index}, 16\n"
            + _rows_in_block("r8", "r7", k, "16")
            + f"        mul   r9, r7, {w_stride}\n"
            "        add   r9, r9, r4\n"
            f"        add   r9, r9, {w}\n"
            f"        mw    S[r9, {w_stride}], r8, r5\n"
            f"        add   r10, r7, {x}\n"
            + ("        rem   r9, r3, 2\n        mul   r9, r9, 8192\n" if fast else "")
            + f"        {op:<5} A[{acc}, r5], S[r10, {x_stride}], {rows}\n"
        )

    if fast:
        code += tile("r0", "mm")
        code += f"        sub   r6, {k_tiles}, 1\n        loop  r6, r6\n        add   r6, r6, 1\n"
        code += tile("r6", "mma")
    else:
        code += f"        vshape {rows}, r5\n        vfill A[{acc}, r5], #0\n"
        code += f"        loop  r6, {k_tiles}\n" + tile("r6", "mma")
    code += "        endloop\n"
    code += f"        vshape {rows}, r5\n" + epilogue
    code += f"        add   r10, r4, {out}\n        vmov  S[r10, {out_stride}], A[{acc}, r5]\n"
    return code + "        endloop\n"


def bias_add(bias: str) -> str:
    return f"        vadd  A[ACC, r5], A[ACC, r5], S.row[r4 + {bias}]\n"


def relu_acc() -> str:
    return "        vrelu A[ACC, r5], A[ACC, r5]\n"


def gelu(src: str, dst: str, tmp: str, stride: str) -> str:
    """dst = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) on the current vector shape."""
    s, d, t = f"{src}, {stride}]", f"{dst}, {stride}]", f"{tmp}, {stride}]"
    return (
        f"        vmul  S[{t}, S[{s}, S[{s}\n"
        f"        vfma  S[{t}, S[{t}, #0.044715, #1\n"
        f"        vmul  S[{t}, S[{t}, S[{s}\n"
        f"        vmul  S[{t}, S[{t}, #0.7978845608028654\n"
        f"        vtanh S[{t}, S[{t}\n"
        f"        vfma  S[{t}, S[{t}, #0.5, #0.5\n"
        f"        vmul  S[{d}, S[{t}, S[{s}\n"
    )


def silu(src: str, dst: str, tmp: str, stride: str) -> str:
    s, d, t = f"{src}, {stride}]", f"{dst}, {stride}]", f"{tmp}, {stride}]"
    return (
        f"        vmul  S[{t}, S[{s}, #-1\n"
        f"        vexp  S[{t}, S[{t}\n"
        f"        vadd  S[{t}, S[{t}, #1\n"
        f"        vrcp  S[{t}, S[{t}\n"
        f"        vmul  S[{d}, S[{s}, S[{t}\n"
    )


def softmax(buf: str, stride: str, cols: str, col: str, scale: str = "") -> str:
    """Softmax of every row of buf (r2 x cols), in place; `scale` multiplies the logits."""
    b = f"S[{buf}, {stride}]"
    code = (
        f"        vshape r2, {cols}\n"
        f"        vrmax S.col[{col}], {b}\n"
        f"        vsub  {b}, {b}, S.col[{col}]\n"
    )
    if scale:
        code += f"        vmul  {b}, {b}, {scale}\n"
    return code + (
        f"        vexp  {b}, {b}\n"
        f"        vrsum S.col[{col}], {b}\n"
        "        vshape r2, 1\n"
        f"        vrcp  S[{col}, 1], S[{col}, 1]\n"
        f"        vshape r2, {cols}\n"
        f"        vmul  {b}, {b}, S.col[{col}]\n"
    )


def rmsnorm(src: str, dst: str, stride: str, cols: str, gamma: str, col: str) -> str:
    """dst = src / sqrt(mean(src^2) + 1e-5) * gamma; dst must not be src."""
    s, d = f"S[{src}, {stride}]", f"S[{dst}, {stride}]"
    return (
        f"        vshape r2, {cols}\n"
        f"        vmul  {d}, {s}, {s}\n"
        f"        vrsum S.col[{col}], {d}\n"
        "        vshape r2, 1\n"
        f"        vmul  S[{col}, 1], S[{col}, 1], #(1.0 / ({cols}))\n"
        f"        vadd  S[{col}, 1], S[{col}, 1], #1e-5\n"
        f"        vrsqrt S[{col}, 1], S[{col}, 1]\n"
        f"        vshape r2, {cols}\n"
        f"        vmul  {d}, {s}, S.col[{col}]\n"
        f"        vmul  {d}, {d}, S.row[{gamma}]\n"
    )


def layernorm(
    src: str, dst: str, tmp: str, stride: str, cols: str, gamma: str, beta: str, col: str
) -> str:
    """dst = (src - mean) / sqrt(var + 1e-5) * gamma + beta (two passes; tmp: a tile)."""
    s, d, t = f"S[{src}, {stride}]", f"S[{dst}, {stride}]", f"S[{tmp}, {stride}]"
    return (
        f"        vshape r2, {cols}\n"
        f"        vrsum S.col[{col}], {s}\n"
        "        vshape r2, 1\n"
        f"        vmul  S[{col}, 1], S[{col}, 1], #(1.0 / ({cols}))\n"
        f"        vshape r2, {cols}\n"
        f"        vsub  {d}, {s}, S.col[{col}]\n"
        f"        vmul  {t}, {d}, {d}\n"
        f"        vrsum S.col[{col}], {t}\n"
        "        vshape r2, 1\n"
        f"        vmul  S[{col}, 1], S[{col}, 1], #(1.0 / ({cols}))\n"
        f"        vadd  S[{col}, 1], S[{col}, 1], #1e-5\n"
        f"        vrsqrt S[{col}, 1], S[{col}, 1]\n"
        f"        vshape r2, {cols}\n"
        f"        vmul  {d}, {d}, S.col[{col}]\n"
        f"        vfma  {d}, {d}, S.row[{gamma}], S.row[{beta}]\n"
    )


def transpose(src: str, src_stride: str, dst: str, rows: str, cols: str) -> str:
    """dst (cols x rows, packed) = src (rows x cols)^T, one column gather per output row.

    Uses r3..r5; `rows` may be a register."""
    return (
        f"        vshape {rows}, 1\n"
        f"        loop  r3, {cols}\n"
        f"        mul   r4, r3, {rows}\n"
        f"        add   r4, r4, {dst}\n"
        f"        add   r5, r3, {src}\n"
        f"        vmov  S[r4, 1], S.col[r5, {src_stride}]\n"
        "        endloop\n"
    )


def inv_sqrt(dst: str, value: str) -> str:
    """S[dst] = 1 / sqrt(value) (a constant expression), for a stride-0 column broadcast."""
    return (
        "        vshape 1, 1\n"
        f"        vfill S[{dst}, 1], #({value})\n"
        f"        vrsqrt S[{dst}, 1], S[{dst}, 1]\n"
    )
