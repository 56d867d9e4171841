"""An assembled VLX program: bundles of operations with parsed operands and source lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from isa.accel.common.operands import Imm, Label, Tag, Value


@dataclass(frozen=True, slots=True)
class Reg:
    """A register: `rN` (file "r"), `vN` ("v") or `aN` ("a")."""

    file: str
    index: int

    def __str__(self) -> str:
        return f"{self.file}{self.index}"


@dataclass(frozen=True, slots=True)
class Lane:
    """One lane of a vector register, `vN[l]`, used as a value for every lane."""

    index: int
    lane: int

    def __str__(self) -> str:
        return f"v{self.index}[{self.lane}]"


@dataclass(frozen=True, slots=True)
class Mem:
    """`L[base]` (a vector access), `L[base, stride]` or `D[base, stride]` (DMA blocks)."""

    mem: str  # "L" | "D"
    base: Value
    stride: Value | None = None

    def __str__(self) -> str:
        inner = str(self.base) if self.stride is None else f"{self.base}, {self.stride}"
        return f"{self.mem}[{inner}]"


Operand = Reg | Lane | Value | Mem | Imm | Tag | Label


@dataclass(frozen=True, slots=True)
class Op:
    """One operation of a bundle. `reads` and `writes` name registers as (file, index)."""

    name: str
    slot: str
    args: tuple[Operand, ...]
    reads: tuple[tuple[str, int], ...]
    writes: tuple[tuple[str, int], ...]
    latency: str  # key of machine.LATENCY for what it writes ("" when it writes nothing)


@dataclass(frozen=True, slots=True)
class Bundle:
    """One line: operations issued together, in an order where every reader of a register or
    memory precedes its writer (so that they all see the values from before the bundle).

    `loop_ends` counts the hardware loops whose last bundle this is; `loop_exit` is, for a
    `loop` bundle, the index just past its body."""

    ops: tuple[Op, ...]
    line: int
    loop_ends: int = 0
    loop_exit: int = -1


@dataclass(frozen=True)
class Program:
    bundles: tuple[Bundle, ...]
    labels: dict[str, int] = field(default_factory=dict)
    source: str = ""

    def __len__(self) -> int:
        return len(self.bundles)
