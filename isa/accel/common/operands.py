"""Operand values both accelerator assemblers produce: scalar values, float immediates, DMA
tags and branch labels."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Value:
    """A value `rN + offset`; a plain constant uses r0, which always reads 0."""

    reg: int
    offset: int

    def __str__(self) -> str:
        if self.reg == 0:
            return str(self.offset)
        sign = "-" if self.offset < 0 else "+"
        return f"r{self.reg} {sign} {abs(self.offset)}" if self.offset else f"r{self.reg}"


@dataclass(frozen=True, slots=True)
class Imm:
    """A float immediate `#1.5`, already rounded to fp32."""

    value: float


@dataclass(frozen=True, slots=True)
class Tag:
    """A DMA tag `tN`."""

    index: int


@dataclass(frozen=True, slots=True)
class Label:
    """A branch target: the label's name and the index of the instruction (or bundle) it
    names."""

    name: str
    index: int
