"""The transformer decoder block on VLX, everything in local memory (S * cdiv(E, 16) * 16
<= 8,192 words, S * cdiv(F, 16) * 16 <= 16,384 and the weights one at a time in 12,288).

The same program shape makes the template (`fast=False`: `serial_product`, one operation per
bundle) and the oracle (`fast=True`: the register-blocked `product`): rmsnorm rows, per head
the q, k, v projections of that head's columns, k transposed into KT with single-lane
stores, the scores Q KT with a causal mask row (0 up to the row's position, -inf past it),
a softmax per row and the probabilities times v; then the output projection plus x, the
second rmsnorm, gelu(a w1) and h1 plus that times w2.
"""

from __future__ import annotations

from agents.template.vlx_attention import softmax_row
from agents.template.vlx_fast import _loop
from agents.template.vlx_fast_blocks import GELU, product, serial_product, zero

LAYOUT = """\
.equ E, $H * $D
.equ EP, cdiv(E, 16) * 16
.equ OS, EP + 16                    // rows of O: a head's last vector may run past E
.equ E3, 3 * EP                     // rows of QKV: q, k, v side by side
.equ DP, cdiv($D, 16) * 16
.equ FP, cdiv($F, 16) * 16
.equ SP, cdiv($S, 16) * 16
.equ SG, cdiv($S, 8)                // groups of 8 rows
.equ SG4, cdiv($S, 4)               // groups of 4 rows
.equ X, 0                           // x, then h1, then y (S x EP)
.equ A, 8192                        // rmsnorm outputs (S x EP), then O (S x OS)
.equ QKV, 18432                     // S x E3; later wo, w1 or w2
.equ KT, 43008                      // one head's k, transposed (DP x SP)
.equ G1, 45056
.equ G2, 45568
.equ MK, 46080                      // SP zeros, then SP -infs
.equ W3, 47104                      // wq, wk, wv side by side (EP x E3)
.equ SC, 47104                      // then one head's scores (S x SP), then gelu(a w1)
"""


def _rmsnorm(g: str) -> str:
    """A = X / sqrt(mean(X^2) + 1e-5) * g, row by row (padding stays 0)."""
    return (
        "        li    r6, 0\n"
        "        loop  r5, $S\n"
        "        vclr  a0\n"
        "        mov   r8, r6\n"
        "        loop  r7, EP / 16\n"
        "        { vld v2, L[r8 + X] ; add r8, r8, 16 }\n"
        "        vmac  a0, v2, v2\n"
        "        endloop\n"
        "        vrd   v3, a0\n"
        "        vredsum v3, v3\n"
        "        vmul  v3, v3, #(1.0 / E)\n"
        "        vadd  v3, v3, #1e-5\n"
        "        vrsqrt v3, v3\n"
        "        mov   r8, r6\n"
        f"        li    r9, {g}\n"
        "        loop  r7, EP / 16\n"
        "        { vld v2, L[r8 + X] ; vld v4, L[r9] ; add r9, r9, 16 }\n"
        "        vmul  v2, v2, v3\n"
        "        vmul  v2, v2, v4\n"
        "        { vst L[r8 + A], v2 ; add r8, r8, 16 }\n"
        "        endloop\n"
        "        add   r6, r6, EP\n"
        "        endloop\n"
    )


def _weight(tensor: str, at: str, rows: str, cols: str, padded: str, padded_rows: str) -> str:
    """tensor [rows, cols] to L[at] at `padded` words a row, zeros around it (padded_rows)."""
    return (
        zero(at, f"{padded_rows} * {padded}")
        + f"        dld   t1, L[{at}, {padded}], D[@{tensor}, {cols}], {rows}, {cols}\n"
        "        dwait t1\n"
    )


def _transpose_k() -> str:
    """KT[d, j] = k of head h (QKV columns EP + h*D + d) for j < S, d < D; rows D..DP of KT
    are zero (the lanes past D belong to the next head)."""
    stores = "".join(f"        vst1  L[r9 + KT + {lane} * SP], v2[{lane}]\n" for lane in range(16))
    return (
        "        add   r6, r26, EP\n"
        "        loop  r5, $S\n"
        "        { mov r8, r6 ; mov r9, r5 }\n"
        "        loop  r7, DP / 16\n"
        "        { vld v2, L[r8 + QKV] ; add r8, r8, 16 }\n"
        + stores
        + "        add   r9, r9, 16 * SP\n"
        "        endloop\n"
        "        add   r6, r6, E3\n"
        "        endloop\n"
        "        { vmov v2, #0 ; li r8, KT + $D * SP }\n"
        "        loop  r7, (DP - $D) * SP / 16\n"
        "        { vst L[r8], v2 ; add r8, r8, 16 }\n"
        "        endloop\n"
    )


def _mask_softmax() -> str:
    """Row i of SC plus MK from word SP - 1 - i (0 for columns <= i, -inf past), then its
    softmax."""
    return (
        "        li    r10, 0\n"
        "        loop  r11, $S\n"
        "        mul   r12, r11, SP\n"
        "        add   r12, r12, SC          // the row\n"
        "        sub   r13, SP - 1 + MK, r11  // its mask\n"
        "        mov   r8, r12\n"
        "        loop  r7, SP / 16\n"
        "        { vld v2, L[r8] ; vld v3, L[r13] ; add r13, r13, 16 }\n"
        "        vadd  v2, v2, v3\n"
        "        { vst L[r8], v2 ; add r8, r8, 16 }\n"
        "        endloop\n" + softmax_row("r12", "SP / 16") + "        endloop\n"
    )


def decoder_block(fast: bool) -> str:
    mm = product if fast else serial_product
    # the smaller products in groups of 4 rows: half the program memory
    half, g4 = (4, "SG4") if fast else (8, "SG")
    add_x = ("vld {t}, L[r19 + X + {i} * EP]", "vadd {v}, {v}, {t}")
    scores = mm(
        "QKV",
        "E3",
        "DP / 16",
        "KT",
        "SP",
        "SP / 16",
        g4,
        "SC",
        "SP",
        ("vmul {v}, {v}, v29",),
        starts=("r26", "", ""),
        rows=half,
    )
    pv = mm(
        "SC",
        "SP",
        "SP / 16",
        "QKV",
        "E3",
        "DP / 16",
        g4,
        "A",
        "OS",
        starts=("0", "r27", "r26"),
        rows=half,
    )
    w3 = zero("W3", "EP * E3") + "".join(
        f"        dld   t1, L[W3 + {k} * EP, E3], D[@{w}, E], E, E\n"
        for k, w in enumerate(("wq", "wk", "wv"))
    )
    kind = "optimised VLX kernel" if fast else "generated by kernelwright's template compiler"
    return (
        f"// decoder_block: {kind} (all in local memory)\n"
        + LAYOUT
        + zero("0", "W3")
        + zero("MK", "SP")
        + "        { vmov v31, #-inf ; li r5, MK + SP }\n"
        + _loop("r4", "SP / 16", "        { vst L[r5], v31 ; add r5, r5, 16 }\n")
        + "        dld   t0, L[X, EP], D[@x, E], $S, E\n"
        "        dld   t0, L[G1], D[@g1], 1, E\n"
        "        dld   t0, L[G2], D[@g2], 1, E\n" + w3 + "        dwait t0\n"
        "        dwait t1\n"
        "        vmov  v29, #(1.0 * $D)\n"
        "        vrsqrt v29, v29             // 1 / sqrt(D)\n"
        + _rmsnorm("G1")
        + mm("A", "EP", "EP / 16", "W3", "E3", "E3 / 16", "SG", "QKV", "E3")
        + zero("A", "SG * 8 * OS")
        + "        li    r24, 0                // head\n"
        "head:\n"
        "        mul   r26, r24, $D          // its columns\n"
        "        add   r27, r26, 2 * EP      // its columns of v\n"
        + _transpose_k()
        + scores
        + _mask_softmax()
        + pv
        + "        add   r24, r24, 1\n"
        "        blt   r24, $H, head\n"
        + _weight("wo", "QKV", "E", "E", "EP", "EP")
        + mm("A", "OS", "EP / 16", "QKV", "EP", "EP / 16", g4, "X", "EP", add_x, rows=half)
        + _rmsnorm("G2")
        + _weight("w1", "QKV", "E", "$F", "FP", "EP")
        + mm("A", "EP", "EP / 16", "QKV", "FP", "FP / 16", "SG", "SC", "FP", GELU)
        + _weight("w2", "QKV", "$F", "E", "EP", "FP")
        + mm("SC", "FP", "FP / 16", "QKV", "EP", "EP / 16", "SG", "X", "EP", add_x)
        + "        dst   t2, D[@y, E], L[X, EP], $S, E\n"
        "        dwait t2\n"
    )
