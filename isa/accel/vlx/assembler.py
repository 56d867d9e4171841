"""VLX assembly -> Program. Every mistake is a CompileError naming its line and what to fix."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from isa.accel.common.constants import ConstantParsing
from isa.accel.common.syntax import missing_comma, split_top_level, split_word
from isa.accel.vlx.machine import (
    LANES,
    MAX_BUNDLES,
    MAX_LOOP_DEPTH,
    NUM_ACCS,
    NUM_REGS,
    NUM_TAGS,
    NUM_VREGS,
    SLOTS,
)
from isa.accel.vlx.opcodes import (
    BRANCHES,
    EXPECTED,
    LOOP_SIGNATURE,
    OPS,
    READS_LOCAL,
    STANDALONE,
    WRITES_LOCAL,
    Signature,
)
from isa.accel.vlx.program import (
    Bundle,
    Imm,
    Label,
    Lane,
    Mem,
    Op,
    Operand,
    Program,
    Reg,
    Tag,
    Value,
)
from isa.base import CompileError

_IDENT = re.compile(r"[A-Za-z_]\w*")
_LABEL = re.compile(r"\s*([A-Za-z_]\w*)\s*:(?!:)")
_REGISTER = re.compile(r"([rva])(\d+)")
_LANE = re.compile(r"v(\d+)\s*\[(.*)\]", re.S)
_TAG = re.compile(r"t(\d+)")
_REG_VALUE = re.compile(r"r(\d+)\s*(?:([+-])(.*))?", re.S)
_MEMORY = re.compile(r"([A-Za-z_]\w*)\s*\[(.*)\]", re.S)
_FILES = {"r": ("register", NUM_REGS), "v": ("vector register", NUM_VREGS)}
_FILES["a"] = ("accumulator", NUM_ACCS)
_RESERVED = ("min", "max", "cdiv", "inf", "L", "D")


class _Assembler(ConstantParsing):
    def __init__(self, symbols: Mapping[str, int]) -> None:
        self.symbols = {name: int(value) for name, value in symbols.items()}
        self.names: dict[str, int] = {}
        self.name_lines: dict[str, int] = {}
        self.labels: dict[str, int] = {}
        self.label_lines: dict[str, int] = {}
        self.bundles: list[Bundle] = []
        self.context: list[int] = []  # per bundle: innermost enclosing loop bundle, or -1
        self.loops: list[int] = []  # open loops (bundle indices)
        self.line = 0

    def error(self, message: str, line: int | None = None) -> CompileError:
        return CompileError(message, line=self.line if line is None else line)

    # --- lines ---

    def assemble(self, source: str) -> Program:
        for number, raw in enumerate(source.splitlines(), start=1):
            self.line = number
            self.statement(raw.split("//", 1)[0])
        if self.loops:
            raise self.error("'loop' without 'endloop'", self.bundles[self.loops[-1]].line)
        if len(self.bundles) > MAX_BUNDLES:
            raise self.error(
                f"the program has {len(self.bundles)} bundles; program memory holds "
                f"{MAX_BUNDLES:,} (labels, comments, .equ and endloop do not count)",
                self.bundles[MAX_BUNDLES].line,
            )
        self.resolve_labels()
        return Program(bundles=tuple(self.bundles), labels=dict(self.labels), source=source)

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
        word, rest = split_word(text)
        if word.lower() in STANDALONE:
            self.loop_line(word.lower(), rest)
            return
        self.bundle(text)

    def define_label(self, name: str) -> None:
        if name in self.labels:
            raise self.error(
                f"label '{name}' is defined twice (first at line {self.label_lines[name]})"
            )
        self.labels[name] = len(self.bundles)
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
        if _REGISTER.fullmatch(name) or _TAG.fullmatch(name) or name in _RESERVED:
            raise self.error(f"'.equ {name}' would hide a register, tag, memory or function name")
        if name in self.names:
            raise self.error(
                f"'.equ {name}' redefines {name} (first defined at line {self.name_lines[name]})"
            )
        self.names[name] = self.int_expr(expr)
        self.name_lines[name] = self.line

    def loop_line(self, word: str, rest: str) -> None:
        if word == "endloop":
            if rest:
                raise self.error("'endloop' takes no operands")
            if not self.loops:
                raise self.error("'endloop' without 'loop'")
            start = self.loops.pop()
            last = len(self.bundles) - 1
            if last == start:
                raise self.error("a loop body needs at least one bundle before 'endloop'")
            end = self.bundles[last]
            if any(op.name in BRANCHES for op in end.ops):
                raise self.error(
                    "the last bundle of a loop body may not branch; put the branch in an "
                    "earlier bundle",
                    end.line,
                )
            self.bundles[last] = Bundle(end.ops, end.line, end.loop_ends + 1, end.loop_exit)
            loop = self.bundles[start]
            self.bundles[start] = Bundle(loop.ops, loop.line, loop.loop_ends, last + 1)
            return
        args = self.operands("loop", rest, LOOP_SIGNATURE)
        if len(self.loops) == MAX_LOOP_DEPTH:
            raise self.error(
                f"'loop' nested {MAX_LOOP_DEPTH + 1} deep; hardware loops nest at most "
                f"{MAX_LOOP_DEPTH} deep"
            )
        op = Op("loop", "ctl", tuple(args), _reads(args, LOOP_SIGNATURE), (), "")
        self.add_bundle(Bundle((op,), self.line))
        self.loops.append(len(self.bundles) - 1)

    def add_bundle(self, bundle: Bundle) -> None:
        self.context.append(self.loops[-1] if self.loops else -1)
        self.bundles.append(bundle)

    # --- bundles ---

    def bundle(self, text: str) -> None:
        if text.startswith("{"):
            if not text.endswith("}"):
                raise self.error("a bundle that opens with '{' must close with '}' on its line")
            inner = text[1:-1]
            if "{" in inner or "}" in inner:
                raise self.error("bundles do not nest; write one bundle per line")
            parts = [p.strip() for p in inner.split(";")]
        else:
            if "}" in text:
                raise self.error("'}' without '{'; a bundle is '{ op ; op }' on one line")
            if ";" in text:
                raise self.error(
                    "';' separates operations only inside '{ ... }'; comments start with '//'"
                )
            parts = [p.strip() for p in text.split("||")]
        parts = [p for p in parts if p]
        if not parts:
            raise self.error("an empty bundle; write 'nop' for a bundle that does nothing")
        ops = [self.operation(p) for p in parts]
        self.check_slots(ops)
        self.check_writes(ops)
        self.add_bundle(Bundle(self.order(ops), self.line))

    def operation(self, text: str) -> Op:
        word, rest = split_word(text)
        name = word.lower()
        if name in STANDALONE:
            raise self.error(f"'{name}' must be on a line of its own, not inside a bundle")
        info = OPS.get(name)
        if info is None:
            close = difflib.get_close_matches(name, [*OPS, *STANDALONE], n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.error(f"unknown operation '{name}'{hint}")
        args = self.operands(name, rest, info.signature)
        writes = tuple(
            (a.file, a.index)
            for a, (_, kind) in zip(args, info.signature, strict=True)
            if isinstance(a, Reg) and kind in ("rd", "vd", "ad")
        )
        reads = _reads(args, info.signature)
        if name == "vmac":  # accumulates: reads the accumulator it writes
            reads = (*writes, *reads)
        return Op(name, info.slot, tuple(args), reads, writes, info.latency)

    def check_slots(self, ops: list[Op]) -> None:
        counts: dict[str, int] = {}
        for op in ops:
            counts[op.slot] = counts.get(op.slot, 0) + 1
        for slot, count in counts.items():
            if count > SLOTS[slot]:
                names = ", ".join(op.name for op in ops if op.slot == slot)
                limit = SLOTS[slot]
                raise self.error(
                    f"the bundle has {count} operations for the {slot} slot ({names}); a bundle "
                    f"holds at most {limit} {slot} operation{'s' if limit > 1 else ''}"
                )

    def check_writes(self, ops: list[Op]) -> None:
        seen: dict[tuple[str, int], str] = {}
        for op in ops:
            for reg in op.writes:
                if reg in seen:
                    raise self.error(
                        f"'{seen[reg]}' and '{op.name}' both write {reg[0]}{reg[1]} in one bundle"
                    )
                seen[reg] = op.name

    def order(self, ops: list[Op]) -> tuple[Op, ...]:
        """Readers before writers, so that every operation sees the values from before the
        bundle; a cycle (a swap) cannot be ordered."""
        reads = [_resources_read(op) for op in ops]
        writes = [_resources_written(op) for op in ops]
        placed: list[int] = []
        left = list(range(len(ops)))
        while left:
            ready = [
                i
                for i in left
                if not any(writes[i] & reads[j] for j in left if j != i)  # nobody left reads it
            ]
            if not ready:
                names = ", ".join(ops[i].name for i in left)
                raise self.error(
                    f"the operations {names} read each other's results in a cycle; split the bundle"
                )
            placed.extend(ready)
            left = [i for i in left if i not in ready]
        return tuple(ops[i] for i in placed)

    # --- operands ---

    def operands(self, op: str, rest: str, signature: Signature) -> list[Operand]:
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
        return [
            self.operand(op, i, name, kind, text)
            for i, ((name, kind), text) in enumerate(zip(signature, texts, strict=True), start=1)
        ]

    def operand(self, op: str, position: int, name: str, kind: str, text: str) -> Operand:
        if not text:
            raise self.error(f"'{op}' operand {position} ({name}) is empty")
        what = f"'{op}' operand {position} ({name})"
        mismatch = self.error(f"{what} must be {EXPECTED[kind]}, got '{text}'")
        register = _REGISTER.fullmatch(text)
        if kind in ("rd", "vd", "vs", "ad", "as"):
            want = {"rd": "r", "vd": "v", "vs": "v", "ad": "a", "as": "a"}[kind]
            if register is None or register.group(1) != want:
                raise mismatch
            reg = self.register(text)
            if kind == "rd" and reg.index == 0:
                raise self.error("writing r0 is not allowed")
            return reg
        if kind == "vb":
            if text.startswith("#"):
                return self.immediate(what, text[1:])
            if register is not None and register.group(1) == "v":
                return self.register(text)
            if _LANE.fullmatch(text):
                return self.lane(text)
            raise mismatch
        if kind == "lane":
            if not _LANE.fullmatch(text):
                raise mismatch
            return self.lane(text)
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
            return Label(text, -1)
        if kind == "value":
            if text.startswith("#") or _MEMORY.fullmatch(text) or _TAG.fullmatch(text):
                raise mismatch
            if register is not None and register.group(1) != "r":
                raise self.error(f"{what} must be {EXPECTED[kind]}; {text} is not a scalar")
            return self.value(text)
        memory = _MEMORY.fullmatch(text)
        if memory is None:
            raise mismatch
        return self.memory(what, kind, text, memory)

    def memory(self, what: str, kind: str, text: str, match: re.Match[str]) -> Mem:
        mem, inner = match.group(1), match.group(2)
        if mem not in ("L", "D"):
            raise self.error(f"{what}: unknown memory '{mem}'; the memories are L and D")
        want = "D" if kind == "dram" else "L"
        if mem != want:
            extra = " (DRAM is reached only by dld and dst)" if mem == "D" else ""
            raise self.error(f"{what} must be {EXPECTED[kind]}, got '{text}'{extra}")
        parts = split_top_level(inner)
        if len(parts) > 2 or not all(parts):
            raise self.error(f"{what}: '{text}' must be {mem}[base] or {mem}[base, stride]")
        if kind == "laddr" and len(parts) == 2:
            raise self.error(
                f"{what}: '{text}' takes only an address; a vector is {LANES} contiguous words"
            )
        base = self.value(parts[0])
        stride = self.value(parts[1]) if len(parts) == 2 else None
        return Mem(mem, base, stride)

    def register(self, text: str) -> Reg:
        match = _REGISTER.fullmatch(text)
        assert match is not None
        file, index = match.group(1), int(match.group(2))
        noun, count = _FILES[file]
        if index >= count:
            raise self.error(f"{noun} {text} does not exist; they are {file}0..{file}{count - 1}")
        return Reg(file, index)

    def lane(self, text: str) -> Lane:
        match = _LANE.fullmatch(text)
        assert match is not None
        reg = self.register(f"v{match.group(1)}")
        lane = self.int_expr(match.group(2))
        if not 0 <= lane < LANES:
            raise self.error(f"lane {lane} of '{text}' does not exist; lanes are 0..{LANES - 1}")
        return Lane(reg.index, lane)

    def value(self, text: str) -> Value:
        text = text.strip()
        match = _REG_VALUE.fullmatch(text)
        if match is None:
            return Value(0, self.checked(self.int_expr(text), text))
        reg = self.register(f"r{match.group(1)}")
        sign, rest = match.group(2), match.group(3)
        if sign is None:
            return Value(reg.index, 0)
        if not rest or not rest.strip():
            raise self.error(f"'{text}' is missing the number after '{sign}'")
        return Value(reg.index, self.checked(self.int_expr(f"0 {sign} {rest}"), text))

    def immediate(self, what: str, text: str) -> Imm:
        return Imm(self.float_immediate(what, text))

    # --- branches ---

    def resolve_labels(self) -> None:
        for i, bundle in enumerate(self.bundles):
            if not any(isinstance(a, Label) for op in bundle.ops for a in op.args):
                continue
            ops = []
            for op in bundle.ops:
                args = tuple(self.resolve(i, op, a, bundle.line) for a in op.args)
                ops.append(Op(op.name, op.slot, args, op.reads, op.writes, op.latency))
            self.bundles[i] = Bundle(tuple(ops), bundle.line, bundle.loop_ends, bundle.loop_exit)

    def resolve(self, i: int, op: Op, arg: Operand, line: int) -> Operand:
        if not isinstance(arg, Label):
            return arg
        if arg.name not in self.labels:
            close = difflib.get_close_matches(arg.name, list(self.labels), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.error(f"'{op.name}' jumps to undefined label '{arg.name}'{hint}", line)
        target = self.labels[arg.name]
        here = self.context[i]
        there = self.context[target] if target < len(self.context) else -1
        if here != there:
            inside = here != -1 and not (here < target < self.bundles[here].loop_exit)
            loop = here if inside else there
            where = "leaves" if inside else "enters"
            raise self.error(
                f"'{op.name}' to '{arg.name}' {where} the loop at line {self.bundles[loop].line}; "
                "a branch may not enter or leave a hardware loop body",
                line,
            )
        return Label(arg.name, target)


def _reads(args: list[Operand], signature: Signature) -> tuple[tuple[str, int], ...]:
    """The registers an operation reads (address and count registers included)."""
    regs: list[tuple[str, int]] = []
    for arg, (_, kind) in zip(args, signature, strict=True):
        if isinstance(arg, Reg) and kind not in ("rd", "vd", "ad"):
            regs.append((arg.file, arg.index))
        elif isinstance(arg, Lane):
            regs.append(("v", arg.index))
        elif isinstance(arg, Value) and arg.reg:
            regs.append(("r", arg.reg))
        elif isinstance(arg, Mem):
            for value in (arg.base, arg.stride):
                if value is not None and value.reg:
                    regs.append(("r", value.reg))
    return tuple(dict.fromkeys(regs))


def _resources_read(op: Op) -> set[object]:
    found: set[object] = set(op.reads)
    if op.name in READS_LOCAL:
        found.add("L")
    if op.name == "dld":
        found.add("D")
    return found


def _resources_written(op: Op) -> set[object]:
    found: set[object] = set(op.writes)
    if op.name in WRITES_LOCAL:
        found.add("L")
    if op.name == "dst":
        found.add("D")
    return found


def assemble(source: str, symbols: Mapping[str, int]) -> Program:
    """Assemble VLX source for one configuration (`$` sizes and `@` tensor addresses)."""
    return _Assembler(symbols).assemble(source)
