"""clang's AMDGCN assembly, parsed: per kernel its instructions (opcode, operands, modifiers,
source line from `.loc`), labels, and the code object facts (`.amdhsa_*` directives and the
`.amdgpu_metadata` argument layout) the emulator and the occupancy calculation need."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from isa.base import ExecutionError


@dataclass(frozen=True)
class Reg:
    """A register range: kind "v", "s", "a" (AGPR) or a special ("vcc", "exec", "m0", "scc")."""

    kind: str
    index: int
    count: int = 1
    neg: bool = False
    abs: bool = False


@dataclass(frozen=True)
class Imm:
    value: int | float
    neg: bool = False
    abs: bool = False


@dataclass(frozen=True)
class LabelRef:
    name: str


Operand = Reg | Imm | LabelRef


@dataclass
class Instr:
    op: str  # opcode without the _e32 / _e64 / _dpp / _sdwa suffix
    raw_op: str
    operands: list[Operand]
    mods: dict[str, str]
    text: str
    asm_line: int
    source_line: int | None  # line in the candidate file (file 0 of `.loc`), if known
    target: int = -1  # branch target index, resolved after parsing


@dataclass
class KernelArg:
    offset: int
    size: int
    kind: str  # "global_buffer", "by_value", "hidden_block_count_x", ...


@dataclass
class KernelCode:
    name: str
    instrs: list[Instr] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    hsa: dict[str, int] = field(default_factory=dict)  # .amdhsa_* directives
    args: list[KernelArg] = field(default_factory=list)
    meta: dict[str, int] = field(default_factory=dict)  # vgpr_count, sgpr_count, agpr_count...

    @property
    def lds_bytes(self) -> int:
        return self.hsa.get("group_segment_fixed_size", 0)

    @property
    def scratch_bytes(self) -> int:
        return self.hsa.get("private_segment_fixed_size", 0)

    @property
    def kernarg_size(self) -> int:
        return max(self.hsa.get("kernarg_size", 0), self.meta.get("kernarg_segment_size", 0))


SPECIAL = {
    "vcc": ("s", 106, 2),
    "vcc_lo": ("s", 106, 1),
    "vcc_hi": ("s", 107, 1),
    "exec": ("s", 126, 2),
    "exec_lo": ("s", 126, 1),
    "exec_hi": ("s", 127, 1),
    "m0": ("s", 124, 1),
    "flat_scratch": ("s", 102, 2),
    "xnack_mask": ("s", 104, 2),
}
SHARED_APERTURE = 0x0001_0000_0000_0000  # flat addresses of LDS: this base + LDS offset
PRIVATE_APERTURE = 0x0002_0000_0000_0000
_REG = re.compile(r"^(v|s|a|acc)(?:(\d+)|\[(\d+):(\d+)\])$")
_SUFFIX = re.compile(r"_(e32|e64|dpp|sdwa)$")
_MOD = re.compile(r"^([a-z_0-9]+):(.+)$")
_FLAGS = {
    "off",
    "glc",
    "slc",
    "sc0",
    "sc1",
    "nt",
    "offen",
    "idxen",
    "lds",
    "clamp",
    "bound_ctrl:0",
    "row_mirror",
    "row_half_mirror",
    "gds",
}


def _split_operands(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def parse_operand(tok: str) -> Operand:
    neg = absv = False
    t = tok.strip()
    if t.startswith("neg(") and t.endswith(")"):
        neg, t = True, t[4:-1]
    if t.startswith("-") and not re.match(r"^-\d", t) and not t.startswith("-0x"):
        neg, t = True, t[1:]
    if t.startswith("|") and t.endswith("|"):
        absv, t = True, t[1:-1]
    if t.startswith("abs(") and t.endswith(")"):
        absv, t = True, t[4:-1]
    if t.startswith("lit(") and t.endswith(")"):
        t = t[4:-1]
    if t in SPECIAL:
        kind, index, count = SPECIAL[t]
        return Reg(kind, index, count, neg, absv)
    if t == "scc":
        return Reg("scc", 0, 1)
    if t == "src_shared_base":
        return Imm(SHARED_APERTURE)
    if t == "src_private_base":
        return Imm(PRIVATE_APERTURE)
    m = _REG.match(t)
    if m:
        kind = "a" if m.group(1) == "acc" else m.group(1)
        if m.group(2) is not None:
            return Reg(kind, int(m.group(2)), 1, neg, absv)
        lo, hi = int(m.group(3)), int(m.group(4))
        return Reg(kind, lo, hi - lo + 1, neg, absv)
    try:
        value: int | float = int(t, 0)
    except ValueError:
        try:
            value = float(t)
        except ValueError:
            return LabelRef(t)
    return Imm(value, neg, absv)


@dataclass
class Module:
    kernels: dict[str, KernelCode]
    data: dict[str, bytes] = field(default_factory=dict)  # __device__ / __constant__ objects


_DATA_SIZES = {".byte": 1, ".short": 2, ".value": 2, ".long": 4, ".quad": 8}


def parse_module(text: str) -> Module:
    """All kernels of one assembly file. Raises ExecutionError on text it cannot read."""
    kernels: dict[str, KernelCode] = {}
    current: KernelCode | None = None
    in_text = True
    src_line: int | None = None
    hsa_kernel: KernelCode | None = None
    lines = text.splitlines()
    objects: set[str] = set()
    data: dict[str, bytearray] = {}
    obj: bytearray | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith(".type") and line.endswith("@object"):
            objects.add(line.split()[1].split(",")[0])
        if line.endswith(":") and line[:-1] in objects:
            obj = data[line[:-1]] = bytearray()
            continue
        if obj is not None:
            word = line.split()[0]
            if word in _DATA_SIZES:
                for item in line[len(word) :].split(","):
                    num = int(item.strip(), 0) & ((1 << (8 * _DATA_SIZES[word])) - 1)
                    obj += num.to_bytes(_DATA_SIZES[word], "little")
                continue
            if word == ".zero":
                args = [int(a.strip(), 0) for a in line[len(word) :].split(",")]
                obj += bytes([args[1] if len(args) > 1 else 0]) * args[0]
                continue
            obj = None
        if line.startswith(".amdgpu_metadata"):
            _parse_metadata(lines[number:], kernels)
            break
        if line.startswith(".amdhsa_kernel "):
            hsa_kernel = kernels.get(line.split()[1])
            continue
        if line.startswith(".end_amdhsa_kernel"):
            hsa_kernel = None
            continue
        if hsa_kernel is not None and line.startswith(".amdhsa_"):
            key, _, value = line[len(".amdhsa_") :].partition(" ")
            with contextlib.suppress(ValueError):
                hsa_kernel.hsa[key] = int(value.strip(), 0)
            continue
        if line.startswith(".section") or line.startswith(".rodata"):
            in_text = False
            continue
        if line.startswith(".text"):
            in_text = True
            continue
        if line.startswith(".loc"):
            parts = line.split()
            if len(parts) >= 3:
                file_no, ln = int(parts[1]), int(parts[2])
                if file_no == 0 and ln > 0:
                    src_line = ln
            continue
        if line.startswith("."):
            if line.startswith(".Lfunc_end") and current is not None:
                current = None
            if not line.endswith(":"):
                continue
        if not in_text:
            continue
        if line.endswith(":"):
            label = line[:-1]
            if current is None and not label.startswith("."):
                current = kernels[label] = KernelCode(label)
                src_line = None
            elif current is not None:
                current.labels[label] = len(current.instrs)
            continue
        if current is None:
            continue
        op_text, _, rest = line.partition(" ")
        instr = _parse_instr(op_text, rest.strip(), line, number, src_line)
        current.instrs.append(instr)
    for kernel in kernels.values():
        for instr in kernel.instrs:
            for operand in instr.operands:
                if isinstance(operand, LabelRef) and operand.name in kernel.labels:
                    instr.target = kernel.labels[operand.name]
    return Module(kernels, {name: bytes(blob) for name, blob in data.items()})


def _parse_instr(op_text: str, rest: str, line: str, number: int, src: int | None) -> Instr:
    op = _SUFFIX.sub("", op_text)
    mods: dict[str, str] = {}
    if op_text.endswith("_dpp"):
        mods["dpp"] = "1"
    if op_text.endswith("_sdwa"):
        mods["sdwa"] = "1"
    # modifiers are space-separated words after the comma-separated operands
    tokens = _split_operands(rest)
    operands: list[Operand] = []
    if tokens:
        last = tokens[-1].split()
        tokens[-1] = last[0] if last else ""
        for word in last[1:]:
            _add_mod(mods, word)
    if op == "s_waitcnt":
        for part in re.findall(r"(vmcnt|lgkmcnt|expcnt)\((\d+)\)", rest):
            mods[part[0]] = part[1]
        return Instr(op, op_text, [], mods, line, number, src)
    for tok in tokens:
        if not tok:
            continue
        if tok in _FLAGS or (_MOD.match(tok) and not tok.startswith("0x")):
            _add_mod(mods, tok)
            continue
        operands.append(parse_operand(tok))
    return Instr(op, op_text, operands, mods, line, number, src)


def _add_mod(mods: dict[str, str], word: str) -> None:
    m = _MOD.match(word)
    if m:
        mods[m.group(1)] = m.group(2)
    else:
        mods[word] = "1"


def _parse_metadata(lines: list[str], kernels: dict[str, KernelCode]) -> None:
    """The YAML of `.amdgpu_metadata`, read for what we need: per kernel its args and counts."""
    entries: list[dict[str, object]] = []
    cur_arg: dict[str, str] | None = None
    entry: dict[str, object] | None = None
    for raw in lines:
        if raw.strip().startswith(".end_amdgpu_metadata"):
            break
        stripped = raw.strip()
        if stripped.startswith("- .") and raw.startswith("  - "):
            entry = {"args": []}
            entries.append(entry)
            stripped = stripped[2:]
        elif stripped.startswith("- ."):
            cur_arg = {}
            assert entry is not None
            entry_args = entry["args"]
            assert isinstance(entry_args, list)
            entry_args.append(cur_arg)
            stripped = stripped[2:]
        key, _, value = stripped.partition(":")
        key, value = key.strip().lstrip("."), value.strip()
        if entry is None:
            continue
        indent = len(raw) - len(raw.lstrip())
        if cur_arg is not None and indent >= 6:
            cur_arg[key] = value
        else:
            cur_arg = None
            if key != "args":
                entry[key] = value
    for entry in entries:
        name = str(entry.get("name", ""))
        kernel = kernels.get(name)
        if kernel is None:
            continue
        for key, item in entry.items():
            if isinstance(item, str):
                value = item
                with contextlib.suppress(ValueError):
                    kernel.meta[key] = int(value, 0)
        raw_args = entry["args"]
        assert isinstance(raw_args, list)
        for a in raw_args:
            try:
                kernel.args.append(KernelArg(int(a["offset"]), int(a["size"]), a["value_kind"]))
            except (KeyError, ValueError):
                raise ExecutionError(f"unreadable argument metadata of kernel '{name}'") from None
