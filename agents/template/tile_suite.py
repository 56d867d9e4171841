"""The block kernels of the suite's tasks on TILE, composed from `tile_blocks` pieces."""

from __future__ import annotations

from agents.template.tile_blocks import (
    BlockKernel,
    Resident,
    Stream,
    bias_add,
    gelu,
    inv_sqrt,
    layernorm,
    matmul,
    relu_acc,
    rmsnorm,
    silu,
    softmax,
    transpose,
)


def _rows(body: str, out_width: str = "$N", temps: tuple[tuple[str, str], ...] = ()) -> BlockKernel:
    """A row-wise kernel from x [M, N] to y [M, out_width]."""
    return BlockKernel(
        rows="$M",
        inputs=(Stream("X", "x", "$N"),),
        outputs=(Stream("Y", "y", out_width),),
        body="        vshape r2, $N\n" + body,
        temps=temps,
    )


RELU = _rows("        vrelu S[{Y}, $N], S[{X}, $N]\n")
GELU = _rows(gelu("{X}", "{Y}", "T", "$N"), temps=(("T", "$N"),))
LAYERNORM = BlockKernel(
    rows="$M",
    inputs=(Stream("X", "x", "$N"),),
    outputs=(Stream("Y", "y", "$N"),),
    resident=(Resident("G", "g", "1", "$N"), Resident("BETA", "b", "1", "$N")),
    temps=(("SQ", "$N"), ("COL", "1")),
    body=layernorm("{X}", "{Y}", "SQ", "$N", "$N", "G", "BETA", "COL"),
)
ROW_SUM = _rows("        vrsum S.col[{Y}], S[{X}, $N]\n", out_width="1")
ROW_MAX = _rows("        vrmax S.col[{Y}], S[{X}, $N]\n", out_width="1")
# y [N, M] = x [M, N]^T: rows of x in, the matching columns of y out.
TRANSPOSE = BlockKernel(
    rows="$M",
    inputs=(Stream("X", "x", "$N"),),
    outputs=(Stream("Y", "y", "", stride="$M", across="$N"),),
    body=transpose("{X}", "$N", "{Y}", "r2", "$N"),
)
BMM = BlockKernel(
    rows="$M",
    batches="$B",
    inputs=(Stream("XA", "a", "$K", per_batch="$M * $K"),),
    outputs=(Stream("Y", "c", "$N", per_batch="$M * $N"),),
    resident=(Resident("WB", "b", "$K", "$N", per_batch="$K * $N"),),
    body=lambda fast: matmul("{XA}", "$K", "WB", "$N", "{Y}", "$N", "$K", "$N", fast=fast),
)


def _conv_body(out: str, out_stride: str, epilogue: str) -> str:
    """out[p, f] over the block's flat rows p = sum over taps and channels of
    x[p + kh*W + kw, c] * w[kh, kw, c, f] (valid positions only are stored)."""
    first = "        vshape r15, r5\n        vfill A[ACC, r5], #0\n"
    return (
        "        mul   r15, r2, $W\n"
        "        loop  r3, cdiv($F, 16)\n"
        "        mul   r4, r3, 16\n"
        "        sub   r5, r0, r4\n"
        "        add   r5, r5, $F\n"
        "        min   r5, r5, 16\n" + first + "        loop  r6, $KH * $KW\n"
        "        div   r12, r6, $KW\n"
        "        rem   r14, r6, $KW\n"
        "        mul   r12, r12, $W\n"
        "        add   r12, r12, r14\n"
        "        mul   r12, r12, $C\n"
        "        mul   r14, r6, $C\n"
        "        loop  r7, cdiv($C, 16)\n"
        "        mul   r8, r7, 16\n"
        "        sub   r9, r0, r8\n"
        "        add   r9, r9, $C\n"
        "        min   r9, r9, 16\n"
        "        add   r10, r14, r8\n"
        "        mul   r10, r10, $F\n"
        "        add   r10, r10, r4\n"
        "        mw    S[r10 + WT, $F], r9, r5\n"
        "        add   r10, r12, r8\n"
        "        add   r10, r10, {X}\n"
        "        mma   A[ACC, r5], S[r10, $C], r15\n"
        "        endloop\n"
        "        endloop\n"
        "        vshape r15, r5\n" + epilogue + f"        add   r10, r4, {out}\n"
        f"        vmov  S[r10, {out_stride}], A[ACC, r5]\n"
        "        endloop\n"
    )


_CONV_IN = Stream("X", "x", "$W * $C", extra="$KH - 1", limit="$H", pad="$KW * $C")
_OUT_ROWS = "$H - $KH + 1"
_FLAT_ROWS = "max(1, 512 / $W)"  # flat rows per block: two accumulator tiles of 16 columns

CONV2D = BlockKernel(
    rows=_OUT_ROWS,
    inputs=(_CONV_IN,),
    outputs=(Stream("Y", "y", "($W - $KW + 1) * $F", pitch="$W * $F"),),
    resident=(Resident("WT", "w", "$KH * $KW * $C", "$F"),),
    body=_conv_body("{Y}", "$F", ""),
    max_rows=_FLAT_ROWS,
    notes=("flat rows: output (oh, ow) is row oh*W + ow; rows with ow >= OW are not stored",),
)
DEPTHWISE = BlockKernel(
    rows=_OUT_ROWS,
    inputs=(_CONV_IN,),
    outputs=(Stream("Y", "y", "($W - $KW + 1) * $C", pitch="$W * $C"),),
    resident=(Resident("WT", "w", "$KH * $KW", "$C"),),
    body=(
        "        mul   r15, r2, $W\n"
        "        vshape r15, $C\n"
        "        vfill S[{Y}, $C], #0\n"
        "        loop  r6, $KH * $KW\n"
        "        div   r12, r6, $KW\n"
        "        rem   r14, r6, $KW\n"
        "        mul   r12, r12, $W\n"
        "        add   r12, r12, r14\n"
        "        mul   r12, r12, $C\n"
        "        add   r12, r12, {X}\n"
        "        mul   r14, r6, $C\n"
        "        vfma  S[{Y}, $C], S[r12, $C], S.row[r14 + WT], S[{Y}, $C]\n"
        "        endloop\n"
    ),
    max_rows=_FLAT_ROWS,
)
CONV_BLOCK = BlockKernel(
    rows=_OUT_ROWS,
    inputs=(_CONV_IN,),
    outputs=(Stream("Y", "y", "($W - $KW + 1) * $G", pitch="$W * $G"),),
    resident=(
        Resident("WT", "w1", "$KH * $KW * $C", "$F"),
        Resident("B1", "b1", "1", "$F"),
        Resident("W2", "w2", "$F", "$G"),
        Resident("B2", "b2", "1", "$G"),
    ),
    temps=(("HID", "$W * $F"),),
    body=lambda fast: (
        _conv_body("HID", "$F", bias_add("B1") + relu_acc())
        + matmul(
            "HID",
            "$F",
            "W2",
            "$G",
            "{Y}",
            "$G",
            "$F",
            "$G",
            rows="r15",
            epilogue=bias_add("B2") + relu_acc(),
            fast=fast,
        )
    ),
    max_rows=_FLAT_ROWS,
)

LAYERNORM_LINEAR = BlockKernel(
    rows="$M",
    inputs=(Stream("X", "x", "$K"),),
    outputs=(Stream("Y", "y", "$N"),),
    resident=(
        Resident("G", "g", "1", "$K"),
        Resident("BETA", "beta", "1", "$K"),
        Resident("WL", "w", "$K", "$N"),
        Resident("BL", "b", "1", "$N"),
    ),
    temps=(("XN", "$K"), ("SQ", "$K"), ("COL", "1")),
    body=lambda fast: (
        layernorm("{X}", "XN", "SQ", "$K", "$K", "G", "BETA", "COL")
        + matmul(
            "XN", "$K", "WL", "$N", "{Y}", "$N", "$K", "$N", epilogue=bias_add("BL"), fast=fast
        )
    ),
)
ADD_LAYERNORM = BlockKernel(
    rows="$M",
    inputs=(Stream("X", "x", "$N"), Stream("RES", "r", "$N")),
    outputs=(Stream("Y", "y", "$N"),),
    resident=(Resident("G", "g", "1", "$N"), Resident("BETA", "b", "1", "$N")),
    temps=(("HS", "$N"), ("SQ", "$N"), ("COL", "1")),
    body="        vshape r2, $N\n        vadd  S[HS, $N], S[{X}, $N], S[{RES}, $N]\n"
    + layernorm("HS", "{Y}", "SQ", "$N", "$N", "G", "BETA", "COL"),
)
ROPE = BlockKernel(
    rows="$S",
    inputs=(
        Stream("X", "x", "$H * 2 * $R"),
        Stream("CS", "cos", "$R"),
        Stream("SN", "sin", "$R"),
    ),
    outputs=(Stream("Y", "y", "$H * 2 * $R"),),
    temps=(("T1", "$R"), ("T2", "$R")),
    body=(
        "        vshape r2, $R\n"
        "        loop  r3, $H\n"
        "        mul   r4, r3, 2 * $R\n"
        "        add   r5, r4, {X}\n"
        "        add   r6, r5, $R\n"
        "        add   r7, r4, {Y}\n"
        "        add   r8, r7, $R\n"
        "        vmul  S[T1, $R], S[r5, $H * 2 * $R], S[{CS}, $R]\n"
        "        vmul  S[T2, $R], S[r6, $H * 2 * $R], S[{SN}, $R]\n"
        "        vsub  S[r7, $H * 2 * $R], S[T1, $R], S[T2, $R]\n"
        "        vmul  S[T1, $R], S[r5, $H * 2 * $R], S[{SN}, $R]\n"
        "        vfma  S[r8, $H * 2 * $R], S[r6, $H * 2 * $R], S[{CS}, $R], S[T1, $R]\n"
        "        endloop\n"
    ),
)
SWIGLU = BlockKernel(
    rows="$M",
    inputs=(Stream("X", "x", "$K"),),
    outputs=(Stream("Y", "y", "$N"),),
    resident=(Resident("WG", "wg", "$K", "$N"), Resident("WU", "wu", "$K", "$N")),
    temps=(("GT", "$N"), ("UP", "$N"), ("T", "$N")),
    body=lambda fast: (
        matmul("{X}", "$K", "WG", "$N", "GT", "$N", "$K", "$N", fast=fast)
        + matmul("{X}", "$K", "WU", "$N", "UP", "$N", "$K", "$N", fast=fast)
        + "        vshape r2, $N\n"
        + silu("GT", "GT", "T", "$N")
        + "        vmul  S[{Y}, $N], S[GT, $N], S[UP, $N]\n"
    ),
)
FFN = BlockKernel(
    rows="$M",
    inputs=(Stream("X", "x", "$E"),),
    outputs=(Stream("Y", "y", "$E"),),
    resident=(
        Resident("W1", "w1", "$E", "$F"),
        Resident("B1", "b1", "1", "$F"),
        Resident("W2", "w2", "$F", "$E"),
        Resident("B2", "b2", "1", "$E"),
    ),
    temps=(("HID", "$F"), ("T", "$F")),
    body=lambda fast: (
        matmul("{X}", "$E", "W1", "$F", "HID", "$F", "$E", "$F", epilogue=bias_add("B1"), fast=fast)
        + "        vshape r2, $F\n"
        + gelu("HID", "HID", "T", "$F")
        + matmul(
            "HID", "$F", "W2", "$E", "{Y}", "$E", "$F", "$E", epilogue=bias_add("B2"), fast=fast
        )
    ),
)

_SCALE = "S.col[SCALE, 0]"  # 1 / sqrt(D), broadcast to every element


def _attention(
    q_stride: str, kv_stride: str, heads: str, kv_per_head: str, kv_div: str
) -> BlockKernel:
    """o = softmax(q k^T / sqrt(D)) v per head, K and V of the head resident (K transposed).

    q and o are [S, heads * D]; k and v are [T, kv_stride] with head h's columns at
    (h / kv_div) * D; `kv_per_head` is "0" when every head shares one K and V."""
    kt = transpose("KR", "$D", "KT", "$T", "$D")
    shared = kv_per_head == "0"
    return BlockKernel(
        rows="$S",
        batches=heads,
        inputs=(Stream("Q", "q", "$D", stride=q_stride, per_batch="$D"),),
        outputs=(Stream("O", "o", "$D", stride=q_stride, per_batch="$D"),),
        resident=(
            Resident("KR", "k", "$T", "$D", kv_stride, kv_per_head, kv_div),
            Resident("V", "v", "$T", "$D", kv_stride, kv_per_head, kv_div),
        ),
        fixed=(("KT", "$D * $T"), ("SCALE", "1")),
        temps=(("SC", "$T"), ("COL", "1")),
        setup=inv_sqrt("SCALE", "$D") + (kt if shared else ""),
        batch_setup="" if shared else kt,
        body=lambda fast: (
            matmul("{Q}", "$D", "KT", "$T", "SC", "$T", "$D", "$T", fast=fast)
            + softmax("SC", "$T", "$T", "COL", _SCALE)
            + matmul("SC", "$T", "V", "$D", "{O}", "$D", "$T", "$D", fast=fast)
        ),
    )


SDPA = _attention("$D", "$D", "1", "0", "1")
MHA = _attention("$H * $D", "$H * $D", "$H", "$D", "1")
GQA = _attention("$H * $D", "$G * $D", "$H", "$D", "$H / $G")
MQA = _attention("$H * $D", "$D", "$H", "0", "1")

ATTENTION_SCORES = BlockKernel(
    rows="$S",
    inputs=(Stream("Q", "q", "$D"),),
    outputs=(Stream("P", "p", "$T"),),
    resident=(Resident("KR", "k", "$T", "$D"),),
    fixed=(("KT", "$D * $T"), ("SCALE", "1")),
    temps=(("COL", "1"),),
    setup=inv_sqrt("SCALE", "$D") + transpose("KR", "$D", "KT", "$T", "$D"),
    body=lambda fast: (
        matmul("{Q}", "$D", "KT", "$T", "{P}", "$T", "$D", "$T", fast=fast)
        + softmax("{P}", "$T", "$T", "COL", _SCALE)
    ),
)
SOFTMAX_MATMUL = BlockKernel(
    rows="$S",
    inputs=(Stream("SS", "s", "$T"),),
    outputs=(Stream("O", "o", "$D"),),
    resident=(Resident("V", "v", "$T", "$D"),),
    temps=(("COL", "1"),),
    body=lambda fast: (
        softmax("{SS}", "$T", "$T", "COL")
        + matmul("{SS}", "$T", "V", "$D", "{O}", "$D", "$T", "$D", fast=fast)
    ),
)


# Flash attention: K and V stream through in blocks of BT rows with an online softmax, so the
# sequence length T is not limited by the scratchpad. r15 block, r14 its rows, r12 its tiles.
def _flash_body(fast: bool) -> str:
    return (
        "        vshape r2, 1\n"
        "        vfill S[MX, 1], #-inf\n"
        "        vfill S[LS, 1], #0\n"
        "        vshape r2, $D\n"
        "        vfill S[ACCO, $D], #0\n"
        "        loop  r15, cdiv($T, BT)\n"
        "        mul   r3, r15, BT\n"
        "        sub   r14, r0, r3\n"
        "        add   r14, r14, $T\n"
        "        min   r14, r14, BT\n"
        "        add   r12, r14, 15\n"
        "        div   r12, r12, 16\n"
        "        mul   r3, r3, $D\n"
        "        mul   r4, r14, $D\n"
        "        dld   t6, S[KB, r4], D[r3 + @k, r4], 1, r4\n"
        "        dld   t7, S[VB, r4], D[r3 + @v, r4], 1, r4\n"
        "        dwait t6\n"
        + transpose("KB", "$D", "KT", "r14", "$D")
        + matmul("{Q}", "$D", "KT", "r14", "SC", "BT", "$D", "r14", n_tiles="r12", fast=fast)
        + "        vshape r2, r14\n"
        f"        vmul  S[SC, BT], S[SC, BT], {_SCALE}\n"
        "        vrmax S.col[MN], S[SC, BT]\n"
        "        vshape r2, 1\n"
        "        vmax  S[MN, 1], S[MN, 1], S[MX, 1]\n"
        "        vsub  S[CORR, 1], S[MX, 1], S[MN, 1]\n"
        "        vexp  S[CORR, 1], S[CORR, 1]\n"
        "        vmov  S[MX, 1], S[MN, 1]\n"
        "        vshape r2, r14\n"
        "        vsub  S[SC, BT], S[SC, BT], S.col[MN]\n"
        "        vexp  S[SC, BT], S[SC, BT]\n"
        "        vrsum S.col[RS], S[SC, BT]\n"
        "        vshape r2, 1\n"
        "        vfma  S[LS, 1], S[LS, 1], S[CORR, 1], S[RS, 1]\n"
        "        vshape r2, $D\n"
        "        vmul  S[ACCO, $D], S[ACCO, $D], S.col[CORR]\n"
        "        dwait t7\n"
        + matmul("SC", "BT", "VB", "$D", "PV", "$D", "r14", "$D", k_tiles="r12", fast=fast)
        + "        vshape r2, $D\n"
        "        vadd  S[ACCO, $D], S[ACCO, $D], S[PV, $D]\n"
        "        endloop\n"
        "        vshape r2, 1\n"
        "        vrcp  S[LS, 1], S[LS, 1]\n"
        "        vshape r2, $D\n"
        "        vmul  S[{O}, $D], S[ACCO, $D], S.col[LS]\n"
    )


FLASH_ATTENTION = BlockKernel(
    rows="$S",
    inputs=(Stream("Q", "q", "$D"),),
    outputs=(Stream("O", "o", "$D"),),
    fixed=(("KB", "BT * $D"), ("VB", "BT * $D"), ("KT", "BT * $D"), ("SCALE", "1")),
    temps=(
        ("SC", "BT"),
        ("ACCO", "$D"),
        ("PV", "$D"),
        ("MX", "1"),
        ("MN", "1"),
        ("LS", "1"),
        ("RS", "1"),
        ("CORR", "1"),
    ),
    setup=inv_sqrt("SCALE", "$D"),
    body=_flash_body,
    equ=(("BT", "min($T, 128)"),),
)


def _decoder_body(fast: bool) -> str:
    """h = x + attention(rmsnorm(x) wq, K, V) wo (causal); y = h + gelu(rmsnorm(h) w1) w2."""
    attend = (
        "        loop  r15, $H\n"
        "        mul   r14, r15, $D\n"
        "        mul   r12, r14, $S\n"
        + matmul("r14 + QB", "EMB", "r12 + KT", "$S", "SC", "$S", "$D", "$S", fast=fast)
        + _causal_mask()
        + softmax("SC", "$S", "$S", "COL", _SCALE)
        + matmul("SC", "$S", "r14 + V", "EMB", "r14 + ATT", "EMB", "$S", "$D", fast=fast)
        + "        endloop\n"
    )
    return (
        rmsnorm("{X}", "XN", "EMB", "EMB", "G1", "COL")
        + matmul("XN", "EMB", "WQ", "EMB", "QB", "EMB", "EMB", "EMB", fast=fast)
        + attend
        + matmul("ATT", "EMB", "WO", "EMB", "HS", "EMB", "EMB", "EMB", fast=fast)
        + "        vshape r2, EMB\n"
        "        vadd  S[HS, EMB], S[HS, EMB], S[{X}, EMB]\n"
        + rmsnorm("HS", "XN", "EMB", "EMB", "G2", "COL")
        + matmul("XN", "EMB", "W1", "$F", "FF", "$F", "EMB", "$F", fast=fast)
        + "        vshape r2, $F\n"
        + gelu("FF", "FF", "T", "$F")
        + matmul("FF", "$F", "W2", "EMB", "{Y}", "EMB", "$F", "EMB", fast=fast)
        + "        vshape r2, EMB\n"
        "        vadd  S[{Y}, EMB], S[{Y}, EMB], S[HS, EMB]\n"
    )


def _causal_mask() -> str:
    """Row r of the block (query r1 + r) keeps keys 0..r1+r: later scores become -inf."""
    return (
        "        loop  r3, r2\n"
        "        add   r4, r1, r3\n"
        "        add   r4, r4, 1\n"
        "        sub   r5, r0, r4\n"
        "        add   r5, r5, $S\n"
        "        bge   r0, r5, masked{L}\n"
        "        vshape 1, r5\n"
        "        mul   r6, r3, $S\n"
        "        add   r6, r6, r4\n"
        "        vfill S[r6 + SC, r5], #-inf\n"
        "masked{L}:\n"
        "        endloop\n"
    )


# K and V for every position come first (phase 1, in `setup`): x is normalised and projected
# in blocks of 16 rows, K transposed into KT, then each row block runs the whole block.
_DECODER_SETUP = (
    inv_sqrt("SCALE", "$D") + "        li    r1, 0\n"
    "kvblock:\n"
    "        sub   r2, r0, r1\n"
    "        add   r2, r2, $S\n"
    "        min   r2, r2, 16\n"
    "        mul   r11, r1, EMB\n"
    "        mul   r12, r2, EMB\n"
    "        dld   t5, S[KVX, r12], D[r11 + @x, r12], 1, r12\n"
    "        dwait t5\n"
    + rmsnorm("KVX", "KVN", "EMB", "EMB", "G1", "KVC")
    + "        add   r15, r11, V\n"
    + matmul("KVN", "EMB", "WV", "EMB", "r15", "EMB", "EMB", "EMB")
    + matmul("KVN", "EMB", "WK", "EMB", "KVK", "EMB", "EMB", "EMB")
    + "        vshape r2, 1\n"
    "        loop  r3, EMB\n"
    "        mul   r4, r3, $S\n"
    "        add   r4, r4, r1\n"
    "        add   r4, r4, KT\n"
    "        add   r5, r3, KVK\n"
    "        vmov  S[r4, 1], S.col[r5, EMB]\n"
    "        endloop\n"
    "        add   r1, r1, 16\n"
    "        blt   r1, $S, kvblock\n"
)
DECODER_BLOCK = BlockKernel(
    rows="$S",
    inputs=(Stream("X", "x", "EMB"),),
    outputs=(Stream("Y", "y", "EMB"),),
    resident=(
        Resident("G1", "g1", "1", "EMB"),
        Resident("G2", "g2", "1", "EMB"),
        Resident("WQ", "wq", "EMB", "EMB"),
        Resident("WK", "wk", "EMB", "EMB"),
        Resident("WV", "wv", "EMB", "EMB"),
        Resident("WO", "wo", "EMB", "EMB"),
        Resident("W1", "w1", "EMB", "$F"),
        Resident("W2", "w2", "$F", "EMB"),
    ),
    fixed=(
        ("KT", "EMB * $S"),
        ("V", "$S * EMB"),
        ("KVX", "16 * EMB"),
        ("KVN", "16 * EMB"),
        ("KVK", "16 * EMB"),
        ("KVC", "16"),
        ("SCALE", "1"),
    ),
    temps=(
        ("XN", "EMB"),
        ("QB", "EMB"),
        ("SC", "$S"),
        ("ATT", "EMB"),
        ("HS", "EMB"),
        ("FF", "$F"),
        ("T", "$F"),
        ("COL", "1"),
    ),
    setup=_DECODER_SETUP,
    body=_decoder_body,
    max_rows="32",
    equ=(("EMB", "$H * $D"),),
)

BLOCK_KERNELS: dict[str, BlockKernel] = {
    "relu": RELU,
    "gelu": GELU,
    "layernorm": LAYERNORM,
    "row_sum": ROW_SUM,
    "row_max": ROW_MAX,
    "transpose": TRANSPOSE,
    "batched_matmul": BMM,
    "conv2d": CONV2D,
    "depthwise_conv2d": DEPTHWISE,
    "layernorm_linear": LAYERNORM_LINEAR,
    "add_layernorm": ADD_LAYERNORM,
    "rope": ROPE,
    "swiglu": SWIGLU,
    "ffn": FFN,
    "sdpa": SDPA,
    "mha": MHA,
    "gqa": GQA,
    "mqa": MQA,
    "attention_scores": ATTENTION_SCORES,
    "softmax_matmul": SOFTMAX_MATMUL,
    "flash_attention": FLASH_ATTENTION,
    "conv_block": CONV_BLOCK,
    "decoder_block": DECODER_BLOCK,
}
