"""TILE assembly -> Program. Every mistake is a CompileError naming its line and what to fix."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from isa.accel.common.constants import ConstantParsing
from isa.accel.common.syntax import missing_comma, split_top_level, split_word
from isa.accel.tile.machine import MAX_LOOP_DEPTH, MAX_PROGRAM, NUM_REGS, NUM_TAGS
from isa.accel.tile.program import Imm, Instr, Label, Mem, Operand, Program, Reg, Tag, Value
from isa.base import CompileError

# Operand kinds, with how an error message describes what was expected.
EXPECTED: dict[str, str] = {
    "rd": "a register r1..r15",
    "value": "a register, a constant expression, or rN + expr",
    "label": "a label name",
    "tag": "a DMA tag t0..t7",
    "onchip": "an S[...] or A[...] tile",
    "stile": "an S[...] tile",
    "atile": "an A[...] tile",
    "dram": "a DRAM block D[base, stride]",
    "vdst": "an S[...] or A[...] tile",
    "vsrc": "a tile or a broadcast (S.row[...], S.col[...])",
    "varg": "a tile, a broadcast or a float immediate such as #1.5",
    "vcol": "a column S.col[...] or A.col[...]",
    "imm": "a float immediate such as #1.5",
}

Signature = tuple[tuple[str, str], ...]  # (operand name, kind) for each operand

# Both sources of ALU ops and comparisons are values, so `sub r2, $M, r1` needs no r0 trick.
_ALU: Signature = (("rd", "rd"), ("a", "value"), ("b", "value"))
_BRANCH: Signature = (("a", "value"), ("b", "value"), ("label", "label"))
_VBINARY: Signature = (("d", "vdst"), ("a", "vsrc"), ("b", "varg"))
_VUNARY: Signature = (("d", "vdst"), ("a", "vsrc"))
_VREDUCE: Signature = (("d", "vcol"), ("a", "vsrc"))
_MM: Signature = (("out tile", "atile"), ("X tile", "stile"), ("M", "value"))

SIGNATURES: dict[str, Signature] = {
    "li": (("rd", "rd"), ("value", "value")),
    "mov": (("rd", "rd"), ("value", "value")),
    **{op: _ALU for op in ("add", "sub", "mul", "div", "rem", "min", "max", "shl", "shr")},
    "loop": (("rd", "rd"), ("count", "value")),
    "endloop": (),
    **{op: _BRANCH for op in ("beq", "bne", "blt", "bge")},
    "jmp": (("label", "label"),),
    "vshape": (("rows", "value"), ("cols", "value")),
    "dwait": (("tag", "tag"),),
    "nop": (),
    "halt": (),
    "dld": (
        ("tag", "tag"),
        ("dst tile", "onchip"),
        ("DRAM block", "dram"),
        ("rows", "value"),
        ("cols", "value"),
    ),
    "dst": (
        ("tag", "tag"),
        ("DRAM block", "dram"),
        ("src tile", "onchip"),
        ("rows", "value"),
        ("cols", "value"),
    ),
    "mw": (("weight tile", "stile"), ("K", "value"), ("N", "value")),
    "mm": _MM,
    "mma": _MM,
    **{op: _VBINARY for op in ("vadd", "vsub", "vmul", "vmax", "vmin")},
    "vfma": (("d", "vdst"), ("a", "vsrc"), ("b", "varg"), ("c", "varg")),
    **{op: _VUNARY for op in ("vmov", "vrelu", "vcvt", "vexp", "vrcp", "vrsqrt", "vtanh")},
    "vfill": (("d", "vdst"), ("imm", "imm")),
    "vrsum": _VREDUCE,
    "vrmax": _VREDUCE,
}

_IDENT = re.compile(r"[A-Za-z_]\w*")
_LABEL = re.compile(r"\s*([A-Za-z_]\w*)\s*:")
_REGISTER = re.compile(r"r(\d+)")
_TAG = re.compile(r"t(\d+)")
_REG_VALUE = re.compile(r"r(\d+)\s*(?:([+-])(.*))?", re.S)
_MEMORY = re.compile(r"([A-Za-z_]\w*)(?:\.(\w+))?\s*\[(.*)\]", re.S)


class _Assembler(ConstantParsing):
    def __init__(self, symbols: Mapping[str, int]) -> None:
        self.symbols = {name: int(value) for name, value in symbols.items()}
        self.names: dict[str, int] = {}  # .equ constants
        self.name_lines: dict[str, int] = {}
        self.labels: dict[str, int] = {}
        self.label_lines: dict[str, int] = {}
        self.ops: list[tuple[str, list[Operand], int]] = []
        self.links: dict[int, int] = {}
        self.context: list[int] = []  # innermost enclosing loop (instruction index) or -1
        self.loops: list[int] = []  # open loops (instruction indices)
        self.line = 0

    def error(self, message: str, line: int | None = None) -> CompileError:
        return CompileError(message, line=self.line if line is None else line)

    # --- lines ---

    def assemble(self, source: str) -> Program:
        for number, raw in enumerate(source.splitlines(), start=1):
            self.line = number
            self.statement(raw.split(";", 1)[0])
        if self.loops:
            first = self.loops[-1]
            raise self.error("'loop' without 'endloop'", self.ops[first][2])
        if len(self.ops) > MAX_PROGRAM:
            raise self.error(
                f"the program has {len(self.ops)} instructions; at most {MAX_PROGRAM:,} are "
                "allowed (labels, comments and .equ do not count)",
                self.ops[MAX_PROGRAM][2],
            )
        self.check_branches()
        instructions = tuple(
            Instr(op, tuple(args), line, self.links.get(i, -1))
            for i, (op, args, line) in enumerate(self.ops)
        )
        return Program(instructions=instructions, labels=dict(self.labels), source=source)

    def statement(self, text: str) -> None:
        while match := _LABEL.match(text):
            self.define_label(match.group(1))
            text = text[match.end() :]
        text = text.strip()
        if not text:
            return
        if text.startswith("."):
            self.directive(text)
            return
        mnemonic, rest = split_word(text)
        self.instruction(mnemonic.lower(), rest)

    def define_label(self, name: str) -> None:
        if name in self.labels:
            raise self.error(
                f"label '{name}' is defined twice (first at line {self.label_lines[name]})"
            )
        self.labels[name] = len(self.ops)
        self.label_lines[name] = self.line

    def directive(self, text: str) -> None:
        word, rest = split_word(text)
        if word.lower() != ".equ":
            close = " (did you mean '.equ'?)" if word.lower().startswith(".e") else ""
            raise self.error(f"unknown directive '{word}'{close}; the only directive is .equ")
        parts = split_top_level(rest)
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise self.error("'.equ' expects a name and a value, as in '.equ ROWS, 16'")
        name, expr = parts
        if not _IDENT.fullmatch(name) or name.startswith("__"):
            raise self.error(f"'.equ' name '{name}' is not a valid name")
        if _REGISTER.fullmatch(name) or _TAG.fullmatch(name) or name in ("min", "max", "cdiv"):
            raise self.error(f"'.equ {name}' would hide a register, tag or function name")
        if name in self.names:
            raise self.error(
                f"'.equ {name}' redefines {name} (first defined at line {self.name_lines[name]})"
            )
        self.names[name] = self.int_expr(expr)
        self.name_lines[name] = self.line

    def instruction(self, op: str, rest: str) -> None:
        signature = SIGNATURES.get(op)
        if signature is None:
            close = difflib.get_close_matches(op, list(SIGNATURES), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.error(f"unknown instruction '{op}'{hint}")
        texts = split_top_level(rest) if rest else []
        if len(texts) != len(signature):
            if not signature:
                raise self.error(f"'{op}' takes no operands, got {len(texts)}")
            names = ", ".join(name for name, _ in signature)
            plural = "operand" if len(signature) == 1 else "operands"
            hint = " (operands are separated by commas)" if missing_comma(texts) else ""
            raise self.error(
                f"'{op}' expects {len(signature)} {plural} ({names}), got {len(texts)}{hint}"
            )
        args = [
            self.operand(op, i, name, kind, text)
            for i, ((name, kind), text) in enumerate(zip(signature, texts, strict=True), start=1)
        ]
        index = len(self.ops)
        self.context.append(self.loops[-1] if self.loops else -1)
        self.ops.append((op, args, self.line))
        if op == "loop":
            if len(self.loops) == MAX_LOOP_DEPTH:
                raise self.error(
                    f"'loop' nested {MAX_LOOP_DEPTH + 1} deep; hardware loops nest at most "
                    f"{MAX_LOOP_DEPTH} deep"
                )
            self.loops.append(index)
        elif op == "endloop":
            if not self.loops:
                raise self.error("'endloop' without 'loop'")
            start = self.loops.pop()
            self.links[start] = index + 1
            self.links[index] = start + 1

    # --- operands ---

    def operand(self, op: str, position: int, name: str, kind: str, text: str) -> Operand:
        if not text:
            raise self.error(f"'{op}' operand {position} ({name}) is empty")
        what = f"'{op}' operand {position} ({name})"
        mismatch = self.error(f"{what} must be {EXPECTED[kind]}, got '{text}'")
        if kind == "rd":
            if not _REGISTER.fullmatch(text):
                raise mismatch
            reg = self.register(text)
            if reg == 0:
                raise self.error("writing r0 is not allowed")
            return Reg(reg)
        if kind == "tag":
            match = _TAG.fullmatch(text)
            if match is None:
                raise mismatch
            if int(match.group(1)) >= NUM_TAGS:
                raise self.error(f"tag {text} does not exist; tags are t0..t{NUM_TAGS - 1}")
            return Tag(int(match.group(1)))
        if kind == "label":
            if not _IDENT.fullmatch(text):
                raise mismatch
            return Label(text, -1)  # resolved once every label is known
        if kind == "imm" or (kind == "varg" and text.startswith("#")):
            if not text.startswith("#"):
                raise mismatch
            return self.immediate(what, text[1:])
        if kind == "value":
            if text.startswith("#") or _MEMORY.fullmatch(text) or _TAG.fullmatch(text):
                raise mismatch
            return self.value(text)
        memory = _MEMORY.fullmatch(text)
        if memory is None:
            raise mismatch
        return self.memory(what, kind, text, memory)

    def memory(self, what: str, kind: str, text: str, match: re.Match[str]) -> Mem:
        mem, axis, inner = match.group(1), match.group(2) or "", match.group(3)
        if mem not in ("S", "A", "D"):
            raise self.error(f"{what}: unknown memory '{mem}'; the memories are S, A and D")
        if axis not in ("", "row", "col"):
            raise self.error(f"{what}: '{mem}.{axis}' is not a broadcast; use .row or .col")
        if mem == "D" and axis:
            raise self.error(f"{what}: DRAM has no broadcasts; use D[base, stride]")
        expected = EXPECTED[kind]
        if kind == "dram" and mem != "D":
            raise self.error(f"{what} must be {expected}, got '{text}'")
        if kind != "dram" and mem == "D":
            raise self.error(f"{what} must be {expected}, not a DRAM block '{text}'")
        if (kind == "stile" and mem != "S") or (kind == "atile" and mem != "A"):
            raise self.error(f"{what} must be {expected}, got '{text}'")
        if axis and kind in ("onchip", "stile", "atile", "vdst"):
            raise self.error(f"{what} must be {expected}; a broadcast '{text}' cannot be used here")
        if kind == "vcol" and axis != "col":
            raise self.error(f"{what} must be {expected}, got '{text}'")
        parts = split_top_level(inner)
        if len(parts) > 2 or not all(parts):
            raise self.error(f"{what}: '{text}' must be {mem}[base] or {mem}[base, stride]")
        if axis == "row" and len(parts) == 2:
            raise self.error(f"{what}: '{text}' takes only a base; a row's C values are contiguous")
        base = self.value(parts[0])
        stride = self.value(parts[1]) if len(parts) == 2 else None
        return Mem(mem, base, stride, axis)

    def register(self, text: str) -> int:
        index = int(text[1:])
        if index >= NUM_REGS:
            raise self.error(f"register {text} does not exist; registers are r0..r{NUM_REGS - 1}")
        return index

    def value(self, text: str) -> Value:
        text = text.strip()
        match = _REG_VALUE.fullmatch(text)
        if match is None:
            return Value(0, self.checked(self.int_expr(text), text))
        reg = self.register(f"r{match.group(1)}")
        sign, rest = match.group(2), match.group(3)
        if sign is None:
            return Value(reg, 0)
        if not rest or not rest.strip():
            raise self.error(f"'{text}' is missing the number after '{sign}'")
        # `r1 - 2 + 3` is r1 + (0 - 2 + 3): the register is the first term, so precedence holds.
        return Value(reg, self.checked(self.int_expr(f"0 {sign} {rest}"), text))

    def immediate(self, what: str, text: str) -> Imm:
        return Imm(self.float_immediate(what, text))

    # --- branches ---

    def check_branches(self) -> None:
        for i, (op, args, line) in enumerate(self.ops):
            for j, arg in enumerate(args):
                if not isinstance(arg, Label):
                    continue
                if arg.name not in self.labels:
                    close = difflib.get_close_matches(arg.name, list(self.labels), n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise self.error(f"'{op}' jumps to undefined label '{arg.name}'{hint}", line)
                target = self.labels[arg.name]
                self.check_loop_boundary(i, op, arg.name, target, line)
                args[j] = Label(arg.name, target)

    def check_loop_boundary(self, i: int, op: str, name: str, target: int, line: int) -> None:
        """Branches stay in their loop body, so the loop stack always matches the code."""
        here = self.context[i]
        there = self.context[target] if target < len(self.context) else -1
        if here == there:
            return
        if here != -1 and not self.encloses(here, target):
            loop_line = self.ops[here][2]
            where = f"leaves the loop at line {loop_line}"
        else:
            loop_line = self.ops[there][2]
            where = f"enters the loop at line {loop_line}"
        raise self.error(
            f"'{op}' to '{name}' {where}; a branch may not enter or leave a hardware loop body",
            line,
        )

    def encloses(self, loop: int, index: int) -> bool:
        """Whether instruction `index` lies inside the body of the loop at `loop`."""
        return loop < index < self.links[loop]


def assemble(source: str, symbols: Mapping[str, int]) -> Program:
    """Assemble TILE source for one configuration (`$` sizes and `@` tensor addresses)."""
    return _Assembler(symbols).assemble(source)
