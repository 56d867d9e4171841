"""Every VLX operation: its slot, its operands and the latency class of what it writes.

Operand kinds (what an error message says was expected is in `EXPECTED`):
rd / value (scalar), vd / vs / vb (vector), ad / as (accumulator), lane, laddr (`L[a]`),
ltile / dram (DMA blocks), tag, label, imm.
"""

from __future__ import annotations

from dataclasses import dataclass

EXPECTED: dict[str, str] = {
    "rd": "a register r1..r31",
    "value": "a register, a constant expression, or rN + expr",
    "vd": "a vector register v0..v31",
    "vs": "a vector register v0..v31",
    "vb": "a vector register, a lane vN[l] or a float immediate such as #1.5",
    "ad": "an accumulator a0..a7",
    "as": "an accumulator a0..a7",
    "lane": "a lane vN[l]",
    "laddr": "a local address L[base]",
    "ltile": "a local block L[base, stride]",
    "dram": "a DRAM block D[base, stride]",
    "tag": "a DMA tag t0..t7",
    "label": "a label name",
}

Signature = tuple[tuple[str, str], ...]  # (operand name, kind)


@dataclass(frozen=True)
class OpInfo:
    slot: str
    signature: Signature
    latency: str = ""  # latency class of the result; "" when it writes no register


_ALU = OpInfo("scalar", (("rd", "rd"), ("a", "value"), ("b", "value")), "scalar")
_VBIN = OpInfo("valu", (("d", "vd"), ("a", "vs"), ("b", "vb")), "valu")
_VSPECIAL = OpInfo("valu", (("d", "vd"), ("a", "vs")), "special")
_VREDUCE = OpInfo("valu", (("d", "vd"), ("a", "vs")), "reduce")
_BRANCH = OpInfo("ctl", (("a", "value"), ("b", "value"), ("label", "label")))
_MAC = OpInfo("vmac", (("acc", "ad"), ("a", "vs"), ("b", "vb")), "vmac")

OPS: dict[str, OpInfo] = {
    "li": OpInfo("scalar", (("rd", "rd"), ("value", "value")), "scalar"),
    "mov": OpInfo("scalar", (("rd", "rd"), ("value", "value")), "scalar"),
    **dict.fromkeys(("add", "sub", "mul", "div", "rem", "min", "max", "shl", "shr"), _ALU),
    "vld": OpInfo("load", (("d", "vd"), ("address", "laddr")), "load"),
    "vld1": OpInfo("load", (("d", "vd"), ("address", "laddr")), "load"),
    "vst": OpInfo("store", (("address", "laddr"), ("src", "vs"))),
    "vst1": OpInfo("store", (("address", "laddr"), ("src lane", "lane"))),
    **dict.fromkeys(("vadd", "vsub", "vmax", "vmin"), _VBIN),
    "vmov": OpInfo("valu", (("d", "vd"), ("src", "vb")), "valu"),
    "vrelu": OpInfo("valu", (("d", "vd"), ("a", "vs")), "valu"),
    **dict.fromkeys(("vexp", "vrcp", "vrsqrt", "vtanh"), _VSPECIAL),
    **dict.fromkeys(("vredsum", "vredmax"), _VREDUCE),
    "vmul": OpInfo("vmac", (("d", "vd"), ("a", "vs"), ("b", "vb")), "vmac"),
    "vfma": OpInfo("vmac", (("d", "vd"), ("a", "vs"), ("b", "vb"), ("c", "vs")), "vmac"),
    "vmac": _MAC,
    "vmpy": _MAC,
    "vclr": OpInfo("vmac", (("acc", "ad"),), "vclr"),
    "vrd": OpInfo("vmac", (("d", "vd"), ("acc", "as")), "vrd"),
    "dld": OpInfo(
        "dma",
        (
            ("tag", "tag"),
            ("local block", "ltile"),
            ("DRAM block", "dram"),
            ("rows", "value"),
            ("cols", "value"),
        ),
    ),
    "dst": OpInfo(
        "dma",
        (
            ("tag", "tag"),
            ("DRAM block", "dram"),
            ("local block", "ltile"),
            ("rows", "value"),
            ("cols", "value"),
        ),
    ),
    **dict.fromkeys(("beq", "bne", "blt", "bge"), _BRANCH),
    "jmp": OpInfo("ctl", (("label", "label"),)),
    "dwait": OpInfo("ctl", (("tag", "tag"),)),
    "nop": OpInfo("ctl", ()),
    "halt": OpInfo("ctl", ()),
}

# Lines of their own, not bundle operations.
LOOP_SIGNATURE: Signature = (("rd", "rd"), ("count", "value"))
STANDALONE = ("loop", "endloop")

# Operations that read or write the local memory L, and DRAM.
READS_LOCAL = frozenset({"vld", "vld1", "dst"})
WRITES_LOCAL = frozenset({"vst", "vst1", "dld"})
BRANCHES = frozenset({"beq", "bne", "blt", "bge", "jmp", "halt"})
