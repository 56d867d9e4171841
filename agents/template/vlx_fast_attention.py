"""Optimised VLX attention kernels (the oracles of the attention tasks): flash attention in
register-blocked products between local buffers.

Per head and block of QB query rows, keys come in blocks of TB: the DMA writes each block of
k transposed (one column of k per transfer) so that the scores are a plain product Q KT
(`vlx_fast_blocks.product`, with a mask row that sets scores past the last key to -inf), an
online softmax updates the running max and sum of 4 rows at a time and rescales their
output rows, and the probabilities times the block of v accumulate into the output rows by
the same product. attention_scores takes all keys as one block and stores the normalised
probabilities; softmax_matmul reads its scores from s instead of computing them.
"""

from __future__ import annotations

from agents.template.vlx_attention import Heads
from agents.template.vlx_fast import _loop
from agents.template.vlx_fast_blocks import BIAS, product, zero
from agents.template.vlx_schedule import render

ROWS = range(4)


def _softmax_rows(rescale: bool) -> str:
    """Rows r13..r13+3 of SB (TB words apart, r6 = the first one's offset): update MR, LR,
    turn the scores into exp(score - new max), and (with `rescale`) multiply their ACC rows
    by alpha = exp(old max - new max)."""
    at = [f"r8 + SB + {k} * TB" for k in ROWS]
    top = [f"vld v{k}, L[{at[k]}]" for k in ROWS]
    top += [f"vmax v{4 + k}, v{4 + k}, v{k}" for k in ROWS] + ["add r8, r8, 16"]
    stats = [f"vredmax v{4 + k}, v{4 + k}" for k in ROWS]
    stats += [f"vld1 v{8 + k}, L[r13 + MR + {k}]" for k in ROWS]
    stats += [f"vld1 v{16 + k}, L[r13 + LR + {k}]" for k in ROWS]
    stats += [f"vmax v{4 + k}, v{4 + k}, v{8 + k}" for k in ROWS]
    stats += [f"vst1 L[r13 + MR + {k}], v{4 + k}[0]" for k in ROWS]
    stats += [f"vsub v{8 + k}, v{8 + k}, v{4 + k}" for k in ROWS]
    stats += [f"vexp v{8 + k}, v{8 + k}" for k in ROWS]  # alpha
    stats += [f"vmov v{12 + k}, #0" for k in ROWS]
    stats += ["mov r8, r6"]
    exps = [f"vld v{k}, L[{at[k]}]" for k in ROWS]
    exps += [f"vsub v{k}, v{k}, v{4 + k}" for k in ROWS]
    exps += [f"vexp v{k}, v{k}" for k in ROWS]
    exps += [f"vadd v{12 + k}, v{12 + k}, v{k}" for k in ROWS]
    exps += [f"vst L[{at[k]}], v{k}" for k in ROWS] + ["add r8, r8, 16"]
    sums = [f"vredsum v{12 + k}, v{12 + k}" for k in ROWS]
    sums += [f"vmul v{16 + k}, v{16 + k}, v{8 + k}" for k in ROWS]
    sums += [f"vadd v{16 + k}, v{16 + k}, v{12 + k}" for k in ROWS]
    sums += [f"vst1 L[r13 + LR + {k}], v{16 + k}[0]" for k in ROWS]
    out = (
        render([f"vmov v{4 + k}, #-inf" for k in ROWS] + ["mov r8, r6"])
        + _loop("r7", "TB / 16", render(top))
        + render(stats)
        + _loop("r7", "TB / 16", render(exps))
        + render(sums)
    )
    if rescale:
        acc = [f"vld v{k}, L[r9 + ACC + {k} * DP]" for k in ROWS]
        acc += [f"vmul v{k}, v{k}, v{8 + k}" for k in ROWS]
        acc += [f"vst L[r9 + ACC + {k} * DP], v{k}" for k in ROWS] + ["add r9, r9, 16"]
        out += "        mul   r9, r13, DP\n" + _loop("r7", "DP / 16", render(acc))
    return out


def _scale_rows(buf: str, stride: str, vectors: str) -> str:
    """Rows r13..r13+3 of `buf` divided by their running sums (LR)."""
    head = [f"vld1 v{8 + k}, L[r13 + LR + {k}]" for k in ROWS]
    head += [f"vrcp v{8 + k}, v{8 + k}" for k in ROWS] + ["mov r8, r6"]
    ops = [f"vld v{k}, L[r8 + {buf} + {k} * {stride}]" for k in ROWS]
    ops += [f"vmul v{k}, v{k}, v{8 + k}" for k in ROWS]
    ops += [f"vst L[r8 + {buf} + {k} * {stride}], v{k}" for k in ROWS] + ["add r8, r8, 16"]
    return render(head) + _loop("r7", vectors, render(ops))


def _four_rows(body: str, stride: str) -> str:
    """`body` for every 4 rows of the 8-row groups (r13 = the first row, r6 = its offset at
    `stride` words per row)."""
    return "        { shl r14, r17, 1 ; li r13, 0 }\n        li    r6, 0\n" + _loop(
        "r15", "r14", body + f"        {{ add r13, r13, 4 ; add r6, r6, 4 * {stride} }}\n"
    )


def fast_attention(name: str, heads: Heads, kind: str = "sdpa") -> str:
    """kind: "sdpa" (o = softmax(q k^T / sqrt D) v), "scores" (p = the softmax, all keys in
    one block) or "softmax" (o = softmax(s) v)."""
    values = kind != "scores"
    tb = "cdiv($T, 16) * 16" if kind == "scores" else "min(cdiv($T, 16) * 16, 128)"
    if kind == "softmax":
        scores = (
            zero("SB", "QB * TB").replace("#0", "#-inf") + "        mul   r3, r1, $T\n"
            "        add   r3, r3, r10\n"
            "        dld   t1, L[SB, TB], D[r3 + @s, $T], r2, r11\n"
        )
        keys = "        dld   t1, L[VB, DP], D[r12 + @v, $D], r11, $D\n        dwait t1\n"
    else:
        keys = (
            "        { li r7, KT ; add r8, r12, @k }\n"
            + _loop(
                "r6",
                "$D",
                "        dld   t1, L[r7, 1], D[r8, KS], r11, 1\n"
                "        { add r7, r7, TB ; add r8, r8, 1 }\n",
            )
            + ("        dld   t1, L[VB, DP], D[r12 + @v, KS], r11, $D\n" if values else "")
            + zero("MASK", "TB")
            + "        { vmov v31, #-inf ; sub r7, TB, r11 ; li r8, r11 }\n"
            "        { add r7, r7, 15 }\n"
            "        shr   r7, r7, 4\n"
            + _loop("r6", "r7", "        { vst L[r8 + MASK], v31 ; add r8, r8, 16 }\n")
            + "        dwait t1\n"
        )
        scores = product(
            "Q", "DP", "DP / 16", "KT", "TB", "TB / 16", "r17", "SB", "TB", BIAS, "MASK"
        )
    pv = product(
        "SB",
        "TB",
        "TB / 16",
        "VB",
        "DP",
        "DP / 16",
        "r17",
        "ACC",
        "DP",
        init=("vld {v}, L[r19 + ACC + {i} * DP]", "vmpy {a}, {v}, #1"),
    )
    q_load = (
        "        mul   r3, r1, QS\n"
        "        add   r3, r3, r26\n"
        "        dld   t0, L[Q, DP], D[r3 + @q, QS], r2, $D\n"
        "        dwait t0\n"
        "        li    r8, Q\n"
        + _loop(
            "r7",
            "QB * DP / 16",
            render(["vld v0, L[r8]", "vmul v0, v0, v29", "vst L[r8], v0", "add r8, r8, 16"]),
        )
        if kind != "softmax"
        else ""
    )
    init = (
        "        { vmov v0, #-inf ; li r8, 0 }\n"
        "        vmov  v1, #0\n"
        + _loop(
            "r7",
            "QB",
            "        vst1  L[r8 + MR], v0[0]\n        { vst1 L[r8 + LR], v1[0] ; add r8, r8, 1 }\n",
        )
        + (zero("ACC", "QB * DP") if values else "")
    )
    if values:
        finish = _four_rows(_scale_rows("ACC", "DP", "DP / 16"), "DP") + (
            "        mul   r3, r1, QS\n"
            "        add   r3, r3, r26\n"
            "        dst   t2, D[r3 + @o, QS], L[ACC, DP], r2, $D\n"
            "        dwait t2\n"
        )
    else:
        finish = _four_rows(_scale_rows("SB", "TB", "TB / 16"), "TB") + (
            "        mul   r3, r1, $T\n"
            "        dst   t2, D[r3 + @p, $T], L[SB, TB], r2, $T\n"
            "        dwait t2\n"
        )
    return (
        f"// {name}: optimised VLX kernel (flash attention in register-blocked products)\n"
        ".equ DP, cdiv($D, 16) * 16\n"
        f".equ TB, {tb}              // keys per block\n"
        ".equ QB, max(8, min(cdiv($S, 8) * 8, min(64, 8192 / TB / 8 * 8)))  // query rows\n"
        f".equ QS, {heads.q_stride}\n"
        f".equ KS, {heads.kv_stride}\n"
        ".equ Q, 0                          // QB x DP, scaled by 1 / sqrt(D)\n"
        ".equ ACC, 8192                     // QB x DP output rows\n"
        ".equ KT, 16384                     // DP x TB: a block of k, transposed\n"
        ".equ VB, 32768                     // TB x DP: a block of v\n"
        ".equ SB, 49152                     // QB x TB scores\n"
        ".equ MASK, 57344                   // 0 for keys of the block, -inf past them\n"
        ".equ MR, 58368                     // running max per query row\n"
        ".equ LR, 59392                     // running sum per query row\n"
        + ("" if kind == "softmax" else zero("KT", "DP * TB") + zero("Q", "QB * DP"))
        + (zero("VB", "TB * DP") if values else "")
        + "        vmov  v29, #(1.0 * $D)\n"
        "        vrsqrt v29, v29             // 1 / sqrt(D)\n"
        "        li    r24, 0                // head\n"
        "head:\n"
        f"        div   r25, r24, {heads.rep}\n"
        "        mul   r25, r25, $D          // its key/value columns\n"
        "        mul   r26, r24, $D          // its query/output columns\n"
        "        li    r1, 0\n"
        "qblock:\n"
        "        sub   r2, $S, r1\n"
        "        min   r2, r2, QB\n"
        "        add   r17, r2, 7\n"
        "        shr   r17, r17, 3           // groups of 8 rows\n"
        + q_load
        + init
        + "        li    r10, 0                // first key of the block\n"
        "kblock:\n"
        "        sub   r11, $T, r10\n"
        "        min   r11, r11, TB\n"
        "        mul   r12, r10, KS\n"
        "        add   r12, r12, r25\n"
        + keys
        + scores
        + ("        dwait t1\n" if kind == "softmax" else "")
        + _four_rows(_softmax_rows(values), "TB")
        + (pv if values else "")
        + "        add   r10, r10, TB\n"
        "        blt   r10, $T, kblock\n" + finish + "        add   r1, r1, QB\n"
        "        blt   r1, $S, qblock\n"
        "        add   r24, r24, 1\n"
        f"        blt   r24, {heads.count}, head\n"
    )


def sdpa() -> str:
    return fast_attention("sdpa", Heads())


def flash_attention() -> str:
    return fast_attention("flash_attention", Heads())


def mha() -> str:
    return fast_attention("mha", Heads("$H", "$H * $D", "$H * $D", "1"))


def gqa() -> str:
    return fast_attention("gqa", Heads("$H", "$H * $D", "$G * $D", "$H / $G"))


def mqa() -> str:
    return fast_attention("mqa", Heads("$H", "$H * $D", "$D", "$H"))


def attention_scores() -> str:
    return fast_attention("attention_scores", Heads(), "scores")


def softmax_matmul() -> str:
    return fast_attention("softmax_matmul", Heads(), "softmax")
