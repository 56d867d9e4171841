"""An assembled TILE program: instructions with parsed operands and their source lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from isa.accel.common.operands import Imm, Label, Tag, Value


@dataclass(frozen=True, slots=True)
class Reg:
    """A register operand `rN` (read or written)."""

    index: int


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
