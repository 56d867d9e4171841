"""An assembled TILE program: instructions with parsed operands and their source lines."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Reg:
    """A register operand `rN` (read or written)."""

    index: int


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
class Mem:
    """A tile `S[base, stride]`, a DRAM block `D[...]`, or a broadcast `S.row[...]`/`S.col[...]`.

    `stride` is None when the source leaves it out; the instruction supplies the default."""

    mem: str  # "S" | "A" | "D"
    base: Value
    stride: Value | None = None
    axis: str = ""  # "" for a tile, "row" or "col" for a broadcast

    def __str__(self) -> str:
        name = f"{self.mem}.{self.axis}" if self.axis else self.mem
        inner = str(self.base) if self.stride is None else f"{self.base}, {self.stride}"
        return f"{name}[{inner}]"


@dataclass(frozen=True, slots=True)
class Imm:
    """A float immediate `#1.5`, already rounded to fp32."""

    value: float


@dataclass(frozen=True, slots=True)
class Tag:
    index: int


@dataclass(frozen=True, slots=True)
class Label:
    """A branch target: the label's name and the index of the instruction it names."""

    name: str
    index: int


Operand = Reg | Value | Mem | Imm | Tag | Label


@dataclass(frozen=True, slots=True)
class Instr:
    op: str
    args: tuple[Operand, ...]
    line: int
    # `loop`: index just past its `endloop`; `endloop`: index of its first body instruction.
    link: int = -1


@dataclass(frozen=True)
class Program:
    instructions: tuple[Instr, ...]
    labels: dict[str, int] = field(default_factory=dict)
    source: str = ""

    def __len__(self) -> int:
        return len(self.instructions)
