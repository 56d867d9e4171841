"""Parsing a .ptx file into a `Module` of `Kernel`s, each with its decoded instructions."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from typing import Any

from isa.nvidia.ptx.errors import PtxError

TYPE_SIZES = {
    "b8": 1, "u8": 1, "s8": 1, "b16": 2, "u16": 2, "s16": 2, "f16": 2, "bf16": 2,
    "b32": 4, "u32": 4, "s32": 4, "f32": 4, "f16x2": 4, "bf16x2": 4, "tf32": 4,
    "b64": 8, "u64": 8, "s64": 8, "f64": 8, "pred": 1, "b128": 16,
}  # fmt: skip


# ---------------------------------------------------------------- operands


@dataclass(frozen=True)
class Reg:
    name: str


@dataclass(frozen=True)
class Special:
    name: str  # e.g. "%tid.x"


@dataclass(frozen=True)
class Imm:
    value: int | float
    is_float: bool = False
    bits: int | None = None  # raw bits for 0f / 0d literals
    width: int = 0  # 4 for 0f, 8 for 0d


@dataclass(frozen=True)
class Sym:
    name: str  # a label, a shared / global / param variable


@dataclass(frozen=True)
class Addr:
    base: Reg | Sym | None
    offset: int


@dataclass(frozen=True)
class Vec:
    items: tuple[Operand, ...]


@dataclass(frozen=True)
class PredPair:
    first: Reg | None
    second: Reg | None


@dataclass(frozen=True)
class NotPred:
    reg: Reg


@dataclass(frozen=True)
class Sink:
    pass


Operand = Reg | Special | Imm | Sym | Addr | Vec | PredPair | NotPred | Sink


@dataclass
class Instruction:
    opcode: str  # e.g. "ld.global.v4.b32"
    base: str  # e.g. "ld"
    mods: tuple[str, ...]  # e.g. ("global", "v4", "b32")
    operands: list[Operand]
    guard: str | None  # predicate register name
    guard_negated: bool
    line: int  # line in the .ptx text
    text: str  # as written
    source: str | None = None  # "file:line" of the CUDA / Triton source, from .loc
    source_line: int | None = None


@dataclass(frozen=True)
class Param:
    """One kernel parameter: its name, PTX type (e.g. "u64", "f32", "b8") and byte size."""

    name: str
    ptype: str
    size: int
    offset: int  # in the parameter buffer
    align: int


@dataclass(frozen=True)
class Variable:
    """A .shared / .local / .global / .const variable."""

    name: str
    space: str
    size: int  # 0 for `.extern .shared x[]`
    align: int
    offset: int  # in its space (shared / local); 0 for global / const
    init: bytes = b""


@dataclass
class Kernel:
    """One `.entry` of a module."""

    name: str
    params: list[Param]
    registers: dict[str, str]  # name -> PTX type
    instructions: list[Instruction]
    labels: dict[str, int]  # label -> instruction index
    shared: dict[str, Variable] = field(default_factory=dict)
    local: dict[str, Variable] = field(default_factory=dict)
    static_shared_bytes: int = 0  # .shared declarations (extern ones start after these)
    local_bytes: int = 0  # .local declarations per thread
    param_bytes: int = 0
    reqntid: tuple[int, ...] | None = None
    program: Any = None  # decoded closures, filled by `isa.nvidia.ptx.program`


@dataclass
class Module:
    """A loaded .ptx file."""

    version: str
    target: str
    address_size: int
    kernels: dict[str, Kernel]
    files: dict[int, str] = field(default_factory=dict)  # .file index -> path
    globals: dict[str, Variable] = field(default_factory=dict)  # .global / .const variables


# ---------------------------------------------------------------- statements

_COMMENT_BLOCK = re.compile(r"/\*.*?\*/", re.S)
_LABEL = re.compile(r"^([A-Za-z_$%][\w$]*)\s*:(?!:)")
_NO_SEMI = re.compile(r"\.(version|target|address_size|loc|file|section)\s")
_DEBUG_DIR = re.compile(r"\.(loc|file)\s")


@dataclass
class _Stmt:
    kind: str  # "dir" | "stmt" | "label" | "open" | "close"
    text: str
    line: int


def _statements(ptx: str) -> list[_Stmt]:
    ptx = _COMMENT_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), ptx)
    out: list[_Stmt] = []
    buf = ""
    buf_line = 0
    skip_depth = -1  # inside a .section { ... } block (debug info): skipped
    depth = 0
    op_depth = 0  # braces inside a statement: vector operands, initialisers
    for lineno, raw in enumerate(ptx.splitlines(), start=1):
        stripped = raw.strip()
        if _DEBUG_DIR.match(stripped):
            out.append(_Stmt("dir", stripped.split("//")[0].strip(), lineno))
            continue
        line = raw.split("//", 1)[0]
        i = 0
        while i < len(line):
            ch = line[i]
            if skip_depth >= 0:
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if depth == skip_depth:
                        skip_depth = -1
                i += 1
                continue
            if (
                ch == "{"
                and buf.strip()
                and not _ENTRY.match(buf.strip())
                and not buf.strip().startswith(".section")
            ):
                op_depth += 1
                buf += ch
                i += 1
                continue
            if ch == "}" and op_depth > 0:
                op_depth -= 1
                buf += ch
                i += 1
                continue
            if ch in "{}":
                if buf.strip():
                    out.append(_Stmt("stmt", buf.strip(), buf_line))
                    buf = ""
                if buf.strip() == "" and ch == "{" and out and out[-1].text.startswith(".section"):
                    out.pop()
                    skip_depth = depth
                    depth += 1
                    i += 1
                    continue
                out.append(_Stmt("open" if ch == "{" else "close", ch, lineno))
                depth += 1 if ch == "{" else -1
                i += 1
                continue
            if ch == ";":
                if buf.strip():
                    out.append(_Stmt("stmt", buf.strip(), buf_line))
                buf = ""
                i += 1
                continue
            if not buf.strip():
                rest = line[i:].lstrip()
                i += len(line[i:]) - len(rest)
                if not rest:
                    break
                m = _LABEL.match(rest)
                if m and not rest.startswith("."):
                    out.append(_Stmt("label", m.group(1), lineno))
                    i += m.end()
                    continue
                if _NO_SEMI.match(rest):
                    out.append(_Stmt("dir", rest.strip(), lineno))
                    break
                if rest[0] in "{};":
                    continue
                buf_line = lineno
            buf += line[i]
            i += 1
        if buf.strip():
            buf += " "
    if buf.strip():
        out.append(_Stmt("stmt", buf.strip(), buf_line))
    return out


# ---------------------------------------------------------------- operands

_INT = re.compile(r"^[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)U?$")


def parse_imm(text: str) -> Imm | None:
    t = text.strip()
    low = t.lower()
    neg = low.startswith("-")
    body = low[1:] if neg else low
    if re.fullmatch(r"0f[0-9a-f]{8}", body):
        bits = int(body[2:], 16)
        val = struct.unpack("<f", struct.pack("<I", bits))[0]
        if neg:
            bits ^= 0x80000000
            val = -val
        return Imm(val, True, bits, 4)
    if re.fullmatch(r"0d[0-9a-f]{16}", body):
        bits = int(body[2:], 16)
        val = struct.unpack("<d", struct.pack("<Q", bits))[0]
        if neg:
            bits ^= 1 << 63
            val = -val
        return Imm(val, True, bits, 8)
    if _INT.match(t):
        s = t.rstrip("Uu")
        sign = -1 if s.startswith("-") else 1
        s = s.lstrip("+-")
        if s.lower().startswith("0x"):
            v = int(s, 16)
        elif len(s) > 1 and s.startswith("0"):
            v = int(s, 8)
        else:
            v = int(s)
        return Imm(sign * v)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", t):
        return Imm(float(t), True)
    return None


def _split_top(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    cur = ""
    for ch in text:
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


_SPECIAL = re.compile(
    r"^%(tid|ntid|ctaid|nctaid|laneid|warpid|nwarpid|smid|nsmid|gridid|clock|clock64|"
    r"globaltimer|lanemask_eq|lanemask_le|lanemask_lt|lanemask_ge|lanemask_gt|"
    r"dynamic_smem_size|total_smem_size|clusterid|nclusterid|cluster_ctaid|cluster_nctaid|"
    r"cluster_ctarank|cluster_nctarank|is_explicit_cluster)(\.[xyz])?$"
)


def parse_operand(text: str, registers: dict[str, str], line: int) -> Operand:
    t = text.strip()
    if not t:
        raise PtxError("an empty operand", line)
    if t == "_":
        return Sink()
    if t.startswith("{"):
        if not t.endswith("}"):
            raise PtxError(f"unbalanced braces in operand '{t}'", line)
        return Vec(tuple(parse_operand(p, registers, line) for p in _split_top(t[1:-1])))
    if t.startswith("["):
        if not t.endswith("]"):
            raise PtxError(f"unbalanced brackets in address '{t}'", line)
        return _parse_addr(t[1:-1], registers, line)
    if "|" in t:
        a, b = (p.strip() for p in t.split("|", 1))
        first = None if a == "_" else Reg(a)
        second = None if b == "_" else Reg(b)
        for r in (first, second):
            if r is not None and r.name not in registers:
                raise PtxError(f"register '{r.name}' is not declared", line)
        return PredPair(first, second)
    if t.startswith("!"):
        inner = parse_operand(t[1:], registers, line)
        if not isinstance(inner, Reg):
            raise PtxError(f"'!' applies to a predicate register, not '{t}'", line)
        return NotPred(inner)
    if t in registers:
        return Reg(t)
    if _SPECIAL.match(t):
        return Special(t)
    if t == "WARP_SZ":  # what `warpSize` compiles to
        return Imm(32)
    imm = parse_imm(t)
    if imm is not None:
        return imm
    if t.startswith("%"):
        raise PtxError(f"register '{t}' is not declared", line)
    if re.fullmatch(r"[A-Za-z_$][\w$.]*", t):
        return Sym(t)
    raise PtxError(f"cannot read the operand '{t}'", line)


def _parse_addr(inner: str, registers: dict[str, str], line: int) -> Addr:
    s = inner.replace(" ", "")
    m = re.fullmatch(r"([%A-Za-z_$][\w$.%]*)?(?:\+?([+-]?(?:0[xX][0-9a-fA-F]+|\d+)))?", s)
    if not m or (m.group(1) is None and m.group(2) is None):
        raise PtxError(f"cannot read the address '[{inner}]'", line)
    name, off = m.group(1), m.group(2)
    offset = int(off, 0) if off else 0
    if name is None:
        return Addr(None, offset)
    if name in registers:
        return Addr(Reg(name), offset)
    if name.startswith("%"):
        raise PtxError(f"register '{name}' is not declared", line)
    return Addr(Sym(name), offset)


# ---------------------------------------------------------------- declarations

_DECL = re.compile(
    r"^(?P<pre>(?:\.(?:extern|visible|weak)\s+)*)\.(?P<space>shared|local|global|const|reg)\s+"
    r"(?P<attrs>(?:\.\w+(?:\s+\d+)?\s+)*)(?P<names>.+)$"
)


def _decl_parts(attrs: str) -> tuple[str, int]:
    align = 0
    ptype = ""
    toks = attrs.split()
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok == ".align":
            align = int(toks[i + 1])
            i += 2
            continue
        if tok.startswith(".") and tok[1:] in TYPE_SIZES:
            ptype = tok[1:]
        elif tok.startswith(".v") and tok[2:].isdigit():
            pass
        i += 1
    return ptype, align


def _parse_init(text: str, ptype: str, size: int, line: int) -> bytes:
    vals = [v.strip() for v in text.strip().strip("{}").split(",") if v.strip()]
    fmt = {1: "B", 2: "H", 4: "I", 8: "Q"}[TYPE_SIZES[ptype] if ptype != "pred" else 1]
    out = b""
    for v in vals:
        imm = parse_imm(v)
        if imm is None:
            raise PtxError(f"cannot read the initialiser value '{v}'", line)
        if imm.is_float and imm.bits is None:
            if ptype == "f64":
                out += struct.pack("<d", float(imm.value))
            else:
                out += struct.pack("<f", float(imm.value))
        else:
            raw = imm.bits if imm.bits is not None else int(imm.value)
            out += struct.pack("<" + fmt, raw & ((1 << (8 * struct.calcsize(fmt))) - 1))
    return out[:size].ljust(size, b"\0")


def _declare_regs(text: str, registers: dict[str, str], line: int) -> None:
    m = re.fullmatch(r"\.reg\s+(?:\.v\d\s+)?\.(\w+)\s+(.+)", text)
    if not m or m.group(1) not in TYPE_SIZES:
        raise PtxError(f"cannot read the register declaration '{text}'", line)
    ptype = m.group(1)
    for item in (p.strip() for p in m.group(2).split(",")):
        r = re.fullmatch(r"(%?[\w$]+)<(\d+)>", item)
        if r:
            for k in range(int(r.group(2))):
                registers[f"{r.group(1)}{k}"] = ptype
        elif re.fullmatch(r"%?[\w$]+", item):
            registers[item] = ptype
        else:
            raise PtxError(f"cannot read the register name '{item}'", line)


def _variable(text: str, offset_of: dict[str, int], line: int) -> tuple[str, Variable]:
    m = _DECL.match(text)
    assert m is not None
    space = m.group("space")
    ptype, align = _decl_parts(m.group("attrs"))
    if not ptype:
        raise PtxError(f"a .{space} variable needs a type: '{text}'", line)
    names, _, init = m.group("names").partition("=")
    nm = re.fullmatch(r"\s*([\w$]+)((?:\[\d*\])*)\s*", names)
    if not nm:
        raise PtxError(f"cannot read the variable declaration '{text}'", line)
    name = nm.group(1)
    dims = re.findall(r"\[(\d*)\]", nm.group(2))
    elem = TYPE_SIZES[ptype]
    count = 1
    extern = False
    for d in dims:
        if d == "":
            extern = True
        else:
            count *= int(d)
    size = 0 if extern else elem * count
    align = max(align, elem)
    key = space
    off = 0
    if space in ("shared", "local") and not extern:
        cur = offset_of.get(key, 0)
        off = -(-cur // align) * align
        offset_of[key] = off + size
    data = _parse_init(init, ptype, size, line) if init.strip() else b""
    return name, Variable(name, space, size, align, off if not extern else -1, data)


# ---------------------------------------------------------------- kernels

_ENTRY = re.compile(r"^(?:\.(?:visible|weak|extern)\s+)*\.(entry|func)\s+(?P<rest>.*)$", re.S)
_PARAM = re.compile(
    r"^\.param\s+(?P<attrs>(?:\.[\w:]+(?:\s+\d+)?\s+)*)(?P<name>[\w$]+)(?:\[(?P<n>\d+)\])?$"
)


def _parse_params(text: str, line: int) -> list[Param]:
    params: list[Param] = []
    offset = 0
    for item in _split_top(text):
        item = " ".join(item.split())
        m = _PARAM.match(item)
        if not m:
            raise PtxError(f"cannot read the parameter '{item}'", line)
        ptype, align = _decl_parts(m.group("attrs").replace(".ptr", "").replace(".global", ""))
        if not ptype:
            raise PtxError(f"the parameter '{item}' has no type", line)
        elem = TYPE_SIZES[ptype]
        count = int(m.group("n") or 1)
        size = elem * count
        align = align or elem
        offset = -(-offset // align) * align
        params.append(Param(m.group("name"), ptype, size, offset, align))
        offset += size
    return params


def _parse_loc(text: str, files: dict[int, str]) -> tuple[str | None, int | None]:
    """`.loc F L C[, function_name ..., inlined_at F2 L2 C2]`: the outermost user location."""
    m = re.match(r"\.loc\s+(\d+)\s+(\d+)", text)
    if not m:
        return None, None
    fidx, ln = int(m.group(1)), int(m.group(2))
    inl = re.findall(r"inlined_at\s+(\d+)\s+(\d+)", text)
    if inl:
        fidx, ln = int(inl[-1][0]), int(inl[-1][1])
    return str(fidx), ln


def load_module(ptx: str) -> Module:
    """Parse a whole .ptx file and decode every instruction of every kernel.

    Raises PtxError (with the .ptx line) if it cannot be loaded, e.g. on an instruction the
    emulator does not know (named in the message)."""
    from isa.nvidia.ptx.program import decode_kernel

    stmts = _statements(ptx)
    version, target, address_size = "", "", 64
    files: dict[int, str] = {}
    for st in stmts:
        if st.kind == "dir" and st.text.startswith(".file"):
            m = re.match(r'\.file\s+(\d+)\s+"([^"]*)"', st.text)
            if m:
                files[int(m.group(1))] = m.group(2)
    module = Module("", "", 64, {}, files)
    i = 0
    module_offsets: dict[str, int] = {}
    while i < len(stmts):
        st = stmts[i]
        if st.kind == "dir":
            if st.text.startswith(".version"):
                version = st.text.split()[1] if len(st.text.split()) > 1 else ""
            elif st.text.startswith(".target"):
                target = st.text.split(None, 1)[1] if len(st.text.split()) > 1 else ""
            elif st.text.startswith(".address_size"):
                address_size = int(st.text.split()[1])
            i += 1
            continue
        if st.kind == "stmt" and _DECL.match(st.text) and not _ENTRY.match(st.text):
            name, var = _variable(st.text, module_offsets, st.line)
            module.globals[name] = var
            i += 1
            continue
        if st.kind == "stmt" and _ENTRY.match(st.text):
            m = _ENTRY.match(st.text)
            assert m is not None
            if m.group(1) == "func" and (i + 1 >= len(stmts) or stmts[i + 1].kind != "open"):
                i += 1  # a .func prototype
                continue
            kernel, i = _parse_kernel(stmts, i, module, m.group(1))
            if kernel is not None:
                module.kernels[kernel.name] = kernel
            continue
        if st.kind == "stmt" and st.text.startswith((".pragma", ".globl", ".weak")):
            i += 1
            continue
        if st.kind in ("open", "close", "label"):
            i += 1
            continue
        raise PtxError(f"cannot read the module-level statement '{st.text}'", st.line)
    module.version, module.target, module.address_size = version, target, address_size
    if not module.kernels:
        raise PtxError("the PTX has no .entry kernel", None)
    for kernel in module.kernels.values():
        _add_module_shared(module, kernel)
        decode_kernel(module, kernel)
    return module


def _add_module_shared(module: Module, kernel: Kernel) -> None:
    """Module-scope .shared variables (not .extern) are laid out after the kernel's own."""
    off = kernel.static_shared_bytes
    for name, var in module.globals.items():
        if var.space == "shared" and var.size > 0 and name not in kernel.shared:
            off = -(-off // var.align) * var.align
            kernel.shared[name] = Variable(name, "shared", var.size, var.align, off, var.init)
            off += var.size
    kernel.static_shared_bytes = off


def _parse_kernel(
    stmts: list[_Stmt], i: int, module: Module, kind: str
) -> tuple[Kernel | None, int]:
    head = stmts[i]
    m = _ENTRY.match(head.text)
    assert m is not None
    rest = m.group("rest")
    nm = re.match(r"(?:\([^)]*\)\s*)?([\w$]+)\s*(?:\((.*?)\))?\s*(.*)$", rest, re.S)
    if not nm:
        raise PtxError(f"cannot read the kernel header '{head.text[:60]}'", head.line)
    name = nm.group(1)
    params = _parse_params(nm.group(2) or "", head.line)
    reqntid = None
    r = re.search(r"\.reqntid\s+([\d,\s]+)", nm.group(3) or "")
    if r:
        reqntid = tuple(int(x) for x in r.group(1).replace(",", " ").split())
    i += 1
    if i >= len(stmts) or stmts[i].kind != "open":
        raise PtxError(f"the kernel '{name}' has no body", head.line)
    i += 1
    depth = 1
    registers: dict[str, str] = {}
    raw: list[tuple[str, int, str | None, int | None]] = []
    labels: dict[str, int] = {}
    shared: dict[str, Variable] = {}
    local: dict[str, Variable] = {}
    offsets = {"shared": 0, "local": 0}
    call_params: dict[str, tuple[int, int]] = {}  # name -> (bytes, align), largest declared
    loc_file: str | None = None
    loc_line: int | None = None
    while i < len(stmts) and depth > 0:
        st = stmts[i]
        i += 1
        if st.kind == "open":
            depth += 1
        elif st.kind == "close":
            depth -= 1
        elif st.kind == "label":
            labels[st.text] = len(raw)
        elif st.kind == "dir":
            if re.match(r"\.loc\s", st.text):
                loc_file, loc_line = _parse_loc(st.text, module.files)
        elif st.text.startswith(".reg"):
            _declare_regs(st.text, registers, st.line)
        elif st.text.startswith(".param"):
            _declare_call_param(st.text, call_params, st.line)
        elif _DECL.match(st.text):
            vname, var = _variable(st.text, offsets, st.line)
            (shared if var.space == "shared" else local)[vname] = var
            if var.space not in ("shared", "local"):
                module.globals[vname] = var
        elif st.text.startswith((".pragma", ".maxnreg", ".maxntid", ".reqntid", ".minnctapersm")):
            continue
        else:
            raw.append((st.text, st.line, loc_file, loc_line))
    if depth > 0:
        raise PtxError(f"the body of kernel '{name}' is not closed with '}}'", head.line)
    if kind == "func":
        return None, i
    for pname, (size, align) in call_params.items():
        off = -(-offsets["local"] // align) * align
        local[pname] = Variable(pname, "param", size, align, off)
        offsets["local"] = off + size
    instructions = [_parse_instruction(t, ln, registers, module, lf, ll) for t, ln, lf, ll in raw]
    for lab in list(labels):
        labels[lab] = min(labels[lab], len(instructions))
    kernel = Kernel(
        name=name,
        params=params,
        registers=registers,
        instructions=instructions,
        labels=labels,
        shared=shared,
        local=local,
        static_shared_bytes=offsets["shared"],
        local_bytes=offsets["local"],
        param_bytes=(params[-1].offset + params[-1].size) if params else 0,
        reqntid=reqntid,
    )
    return kernel, i


def _declare_call_param(text: str, params: dict[str, tuple[int, int]], line: int) -> None:
    """`.param .b64 param0;` in a body: an argument or result slot of a `call`. The slots
    are per thread, so they live in local memory (one slot per name, sized for its largest
    declaration: nvcc reuses names across call sequences)."""
    item = " ".join(text.split())
    m = _PARAM.match(item)
    if not m:
        raise PtxError(f"cannot read the call parameter '{item}'", line)
    ptype, align = _decl_parts(m.group("attrs"))
    if not ptype:
        raise PtxError(f"the call parameter '{item}' has no type", line)
    size = TYPE_SIZES[ptype] * int(m.group("n") or 1)
    align = max(align, TYPE_SIZES[ptype])
    old = params.get(m.group("name"), (0, 1))
    params[m.group("name")] = (max(old[0], size), max(old[1], align))


_CALL = re.compile(
    r"^(?:\((?P<rets>[^)]*)\)\s*,\s*)?(?P<func>%?[\w$.]+)\s*(?:,\s*\((?P<args>[^)]*)\))?"
    r"(?P<rest>.*)$"
)


def _call_operands(rest: str, line: int) -> list[Operand]:
    """`call (ret), func, (a, b)`: [Sym(func), Vec(args), Vec(rets)] (slots by name); an
    indirect call (through a register, with a prototype) keeps its text in `rest`."""
    m = _CALL.match(rest.strip())
    if not m:
        raise PtxError(f"cannot read the call '{rest.strip()}'", line)

    def names(text: str | None) -> Vec:
        return Vec(tuple(Sym(n.strip()) for n in (text or "").split(",") if n.strip()))

    ops: list[Operand] = [Sym(m.group("func")), names(m.group("args")), names(m.group("rets"))]
    if m.group("rest").strip(" ,"):
        ops.append(Sym(m.group("rest").strip(" ,")))
    return ops


_GUARD = re.compile(r"^@(!?)(%?[\w$]+)\s+")


def _parse_instruction(
    text: str,
    line: int,
    registers: dict[str, str],
    module: Module,
    loc_file: str | None,
    loc_line: int | None,
) -> Instruction:
    body = " ".join(text.split())
    guard = None
    neg = False
    g = _GUARD.match(body)
    if g:
        neg = g.group(1) == "!"
        guard = g.group(2)
        if guard not in registers:
            raise PtxError(f"predicate '{guard}' is not declared", line)
        body = body[g.end() :]
    opcode, _, rest = body.partition(" ")
    parts = opcode.split(".")
    if parts[0] == "call":
        operands = _call_operands(rest, line)
    else:
        operands = [parse_operand(p, registers, line) for p in _split_top(rest)] if rest else []
    source = None
    if loc_file is not None and loc_line is not None:
        path = module.files.get(int(loc_file), f"file{loc_file}")
        source = f"{path.rsplit('/', 1)[-1]}:{loc_line}"
    return Instruction(
        opcode=opcode,
        base=parts[0],
        mods=tuple(parts[1:]),
        operands=operands,
        guard=guard,
        guard_negated=neg,
        line=line,
        text=body,
        source=source,
        source_line=loc_line,
    )
