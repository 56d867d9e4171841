"""VLX baseline templates for the attention tasks, from three row pieces: the scores of one
query row against a block of keys, a softmax of a row in place, and a row of probabilities
times a block of values. Attention with values (sdpa, flash_attention, mha, gqa, mqa) runs
over key blocks with a running (online) softmax, so T is not limited by local memory.

Rows live in local memory padded to DP = cdiv(D, 16) * 16 words with zero padding, so dot
products need no masks; score rows are padded with -inf, which the softmax turns into 0.
Sizes: D up to 512; attention_scores needs T * DP <= 32,768, softmax_matmul T <= 4,096 and
T * DP <= 16,384.
"""

from __future__ import annotations

from dataclasses import dataclass


def _fill(at: str, count: str, value: str, reg: str = "r8") -> str:
    """Store the vector source `value` at `count` vectors from L[at] on."""
    return (
        f"        vmov  v1, {value}\n"
        f"        li    {reg}, {at}\n"
        f"        loop  r7, {count}\n"
        f"        {{ vst L[{reg}], v1 ; add {reg}, {reg}, 16 }}\n"
        "        endloop\n"
    )


def _pad_rows(buf: str, rows: str) -> str:
    """Zero the last vector of `rows` rows of DP words at `buf`."""
    return (
        "        vmov  v0, #0\n"
        f"        loop  r5, {rows}\n"
        "        mul   r6, r5, DP\n"
        f"        vst   L[r6 + {buf} + DP - 16], v0\n"
        "        endloop\n"
    )


def scores_row(q: str, keys: str, count: str, out: str) -> str:
    """L[out + j] = (q row at L[r6 + q]) . (key j at L[keys + j * DP]), j < count (the q rows
    are scaled by 1 / sqrt(D) when they are loaded)."""
    return (
        f"        {{ li r8, {keys} ; mov r16, {out} }}\n"
        f"        loop  r7, {count}\n"
        "        vclr  a0\n"
        "        mov   r9, r6\n"
        "        mov   r13, r8\n"
        "        loop  r14, DP / 16\n"
        f"        {{ vld v2, L[r9 + {q}] ; vld v3, L[r13] ; add r9, r9, 16 ; add r13, r13, 16 }}\n"
        "        vmac  a0, v2, v3\n"
        "        endloop\n"
        "        vrd   v4, a0\n"
        "        vredsum v4, v4\n"
        "        { vst1 L[r16], v4[0] ; add r16, r16, 1 }\n"
        "        add   r8, r8, DP\n"
        "        endloop\n"
    )


def row_max(row: str, vectors: str) -> str:
    """v5 = the maximum of the row at L[row] (`vectors` vectors), in every lane."""
    return (
        "        vmov  v5, #-inf\n"
        f"        li    r8, {row}\n"
        f"        loop  r7, {vectors}\n"
        "        { vld v2, L[r8] ; add r8, r8, 16 }\n"
        "        vmax  v5, v5, v2\n"
        "        endloop\n"
        "        vredmax v5, v5\n"
    )


def exp_sum(row: str, vectors: str) -> str:
    """The row at L[row] becomes exp(row - v5); v7 = its sum, in every lane."""
    return (
        "        vmov  v7, #0\n"
        f"        li    r8, {row}\n"
        f"        loop  r7, {vectors}\n"
        "        { vld v2, L[r8] ; add r8, r8, 16 }\n"
        "        vsub  v2, v2, v5\n"
        "        vexp  v2, v2\n"
        "        vadd  v7, v7, v2\n"
        "        vst   L[r8 - 16], v2\n"
        "        endloop\n"
        "        vredsum v7, v7\n"
    )


def scale_row(row: str, vectors: str, by: str) -> str:
    return (
        f"        li    r8, {row}\n"
        f"        loop  r7, {vectors}\n"
        "        { vld v2, L[r8] ; add r8, r8, 16 }\n"
        f"        vmul  v2, v2, {by}\n"
        "        vst   L[r8 - 16], v2\n"
        "        endloop\n"
    )


def softmax_row(row: str, vectors: str) -> str:
    """The row at L[row] (padded with -inf) becomes its softmax."""
    return (
        row_max(row, vectors)
        + exp_sum(row, vectors)
        + "        vrcp  v7, v7\n"
        + scale_row(row, vectors, "v7")
    )


def pv_row(p: str, values: str, count: str, acc: str, scale: str = "") -> str:
    """L[r6 + acc] (DP words) = (its old value * `scale`, or 0) + sum over j < count of
    L[p + j] * (value row j at L[values + j * DP]); fp64 accumulation per 16 columns."""
    start = (
        f"        vld   v2, L[r9 + {acc}]\n        vmpy  a0, v2, {scale}\n"
        if scale
        else ("        vclr  a0\n")
    )
    return (
        "        mov   r9, r6\n"
        f"        li    r13, {values}\n"
        "        loop  r7, DP / 16\n" + start + f"        li    r8, {p}\n"
        "        mov   r15, r13\n"
        f"        loop  r14, {count}\n"
        "        { vld1 v3, L[r8] ; vld v4, L[r15] ; add r8, r8, 1 ; add r15, r15, DP }\n"
        "        vmac  a0, v4, v3\n"
        "        endloop\n"
        "        vrd   v2, a0\n"
        f"        vst   L[r9 + {acc}], v2\n"
        "        add   r9, r9, 16\n"
        "        add   r13, r13, 16\n"
        "        endloop\n"
    )


SCALE = "        vmov  v30, #(1.0 * $D)\n        vrsqrt v30, v30            // 1 / sqrt(D)\n"


def scale_q(rows: str) -> str:
    """Multiply `rows` rows of Q by v30 (1 / sqrt(D)); the zero padding stays 0."""
    return f"        mul   r4, {rows}, DP / 16\n" + scale_row("Q", "r4", "v30")


@dataclass(frozen=True)
class Heads:
    """How heads sit in the rows: q and o rows are `q_stride` words, k and v rows
    `kv_stride`; query head h reads key/value head h / `rep`."""

    count: str = "1"
    q_stride: str = "$D"
    kv_stride: str = "$D"
    rep: str = "1"


def attention(name: str, heads: Heads) -> str:
    """o = softmax(q k^T / sqrt(D)) v per head, over blocks of TB keys with an online softmax:
    per query row, m (running max) at L[MR + i], l (running sum) at L[LR + i], and the
    unnormalised output row in ACC."""
    query_rows = (
        "        loop  r5, r2\n"
        "        mul   r6, r5, DP            // the row's q and acc\n"
        + _fill("P", "TBP / 16", "#-inf")
        + scores_row("Q", "KB", "r11", "P")
        + row_max("P", "TBP / 16")
        + "        vld1  v6, L[r5 + MR]          // the old max\n"
        "        vmax  v5, v5, v6\n"
        "        vst1  L[r5 + MR], v5[0]\n"
        "        vsub  v6, v6, v5\n"
        "        vexp  v6, v6                  // alpha = exp(old max - new max)\n"
        + exp_sum("P", "TBP / 16")
        + "        vld1  v8, L[r5 + LR]\n"
        "        vmul  v8, v8, v6\n"
        "        vadd  v8, v8, v7\n"
        "        vst1  L[r5 + LR], v8[0]\n"
        + pv_row("P", "VB", "r11", "ACC", scale="v6")
        + "        endloop\n"
    )
    return (
        f"// {name}: generated by kernelwright's template compiler (VLX baseline)\n"
        ".equ DP, cdiv($D, 16) * 16\n"
        ".equ QB, max(1, min($S, 8192 / DP))          // query rows per block\n"
        ".equ TB, max(1, min($T, min(2048, 8192 / DP)))  // key rows per block\n"
        ".equ TBP, cdiv(TB, 16) * 16\n"
        f".equ QS, {heads.q_stride}\n"
        f".equ KS, {heads.kv_stride}\n"
        ".equ Q, 0\n"
        ".equ ACC, 8192\n"
        ".equ KB, 16384\n"
        ".equ VB, 24576\n"
        ".equ P, 32768                      // one row of scores\n"
        ".equ MR, 36864                     // running max per query row\n"
        ".equ LR, 45056                     // running sum per query row\n"
        + _pad_rows("Q", "QB")
        + _pad_rows("KB", "TB")
        + _pad_rows("VB", "TB")
        + SCALE
        + "        li    r20, 0                // head\n"
        "head:\n"
        f"        div   r21, r20, {heads.rep}       // its key/value head\n"
        "        mul   r22, r20, $D\n"
        "        mul   r23, r21, $D\n"
        "        li    r1, 0\n"
        "qblock:\n"
        "        sub   r2, $S, r1\n"
        "        min   r2, r2, QB\n"
        "        mul   r3, r1, QS\n"
        "        add   r3, r3, r22\n"
        "        dld   t0, L[Q, DP], D[r3 + @q, QS], r2, $D\n"
        "        dwait t0\n" + scale_q("r2") + "        vmov  v1, #-inf\n"
        "        vmov  v0, #0\n"
        "        loop  r5, r2\n"
        "        mul   r6, r5, DP\n"
        "        vst1  L[r5 + MR], v1[0]\n"
        "        vst1  L[r5 + LR], v0[0]\n"
        "        loop  r7, DP / 16\n"
        "        { vst L[r6 + ACC], v0 ; add r6, r6, 16 }\n"
        "        endloop\n"
        "        endloop\n"
        "        li    r10, 0                // first key of the block\n"
        "kblock:\n"
        "        sub   r11, $T, r10\n"
        "        min   r11, r11, TB\n"
        "        mul   r12, r10, KS\n"
        "        add   r12, r12, r23\n"
        "        dld   t1, L[KB, DP], D[r12 + @k, KS], r11, $D\n"
        "        dld   t1, L[VB, DP], D[r12 + @v, KS], r11, $D\n"
        "        dwait t1\n" + query_rows + "        add   r10, r10, TB\n"
        "        blt   r10, $T, kblock\n"
        "        loop  r5, r2\n"
        "        mul   r6, r5, DP\n"
        "        vld1  v8, L[r5 + LR]\n"
        "        vrcp  v8, v8\n"
        "        loop  r7, DP / 16\n"
        "        vld   v2, L[r6 + ACC]\n"
        "        vmul  v2, v2, v8\n"
        "        { vst L[r6 + ACC], v2 ; add r6, r6, 16 }\n"
        "        endloop\n"
        "        endloop\n"
        "        mul   r3, r1, QS\n"
        "        add   r3, r3, r22\n"
        "        dst   t2, D[r3 + @o, QS], L[ACC, DP], r2, $D\n"
        "        dwait t2\n"
        "        add   r1, r1, QB\n"
        "        blt   r1, $S, qblock\n"
        "        add   r20, r20, 1\n"
        f"        blt   r20, {heads.count}, head\n"
    )


def attention_scores() -> str:
    """All of k in local memory; per block of query rows, a row of T scores each, softmaxed
    in place (padded with -inf) and stored."""
    rows = (
        "        loop  r5, r2\n"
        "        mul   r6, r5, DP\n"
        "        mul   r10, r5, TP\n"
        "        add   r10, r10, OUT         // the row of p\n"
        + scores_row("Q", "KB", "$T", "r10")
        + row_max("r10", "TP / 16")
        + exp_sum("r10", "TP / 16")
        + "        vrcp  v7, v7\n"
        + scale_row("r10", "TP / 16", "v7")
        + "        endloop\n"
    )
    return (
        "// attention_scores: generated by kernelwright's template compiler (VLX baseline)\n"
        ".equ DP, cdiv($D, 16) * 16\n"
        ".equ TP, cdiv($T, 16) * 16\n"
        ".equ QB, max(1, min($S, min(8192 / DP, 16384 / TP)))\n"
        ".equ Q, 0\n"
        ".equ OUT, 8192\n"
        ".equ KB, 32768\n"
        + _pad_rows("Q", "QB")
        + _pad_rows("KB", "$T")
        + SCALE
        + "        dld   t1, L[KB, DP], D[@k, $D], $T, $D\n"
        "        dwait t1\n"
        "        li    r1, 0\n"
        "qblock:\n"
        "        sub   r2, $S, r1\n"
        "        min   r2, r2, QB\n"
        "        mul   r3, r1, $D\n"
        "        dld   t0, L[Q, DP], D[r3 + @q, $D], r2, $D\n"
        "        dwait t0\n"
        + scale_q("r2")
        + _fill("OUT", "QB * TP / 16", "#-inf")
        + rows
        + "        mul   r3, r1, $T\n"
        "        dst   t2, D[r3 + @p, $T], L[OUT, TP], r2, $T\n"
        "        dwait t2\n"
        "        add   r1, r1, QB\n"
        "        blt   r1, $S, qblock\n"
    )


def softmax_matmul() -> str:
    """All of v in local memory; per block of rows of s (padded with -inf), the softmax in
    place, then each row times v."""
    rows = (
        "        loop  r5, r2\n"
        "        mul   r10, r5, TP\n"
        "        add   r10, r10, SB          // the row of s\n"
        "        mul   r6, r5, DP            // the row of o\n"
        + softmax_row("r10", "TP / 16")
        + pv_row("r10", "VB", "$T", "OB")
        + "        endloop\n"
    )
    return (
        "// softmax_matmul: generated by kernelwright's template compiler (VLX baseline)\n"
        ".equ DP, cdiv($D, 16) * 16\n"
        ".equ TP, cdiv($T, 16) * 16\n"
        ".equ QB, max(1, min($S, min(16384 / DP, 32768 / TP)))\n"
        ".equ SB, 0\n"
        ".equ OB, 32768\n"
        ".equ VB, 49152\n"
        "        dld   t1, L[VB, DP], D[@v, $D], $T, $D\n"
        "        dwait t1\n"
        "        li    r1, 0\n"
        "qblock:\n"
        "        sub   r2, $S, r1\n"
        "        min   r2, r2, QB\n"
        + _fill("SB", "QB * TP / 16", "#-inf")
        + "        mul   r3, r1, $T\n"
        "        dld   t0, L[SB, TP], D[r3 + @s, $T], r2, $T\n"
        "        dwait t0\n" + rows + "        mul   r3, r1, $D\n"
        "        dst   t2, D[r3 + @o, $D], L[OB, DP], r2, $D\n"
        "        dwait t2\n"
        "        add   r1, r1, QB\n"
        "        blt   r1, $S, qblock\n"
    )


def sdpa() -> str:
    return attention("sdpa", Heads())


def flash_attention() -> str:
    return attention("flash_attention", Heads())


def mha() -> str:
    return attention("mha", Heads("$H", "$H * $D", "$H * $D", "1"))


def gqa() -> str:
    return attention("gqa", Heads("$H", "$H * $D", "$G * $D", "$H / $G"))


def mqa() -> str:
    return attention("mqa", Heads("$H", "$H * $D", "$D", "$H"))
