"""Static checks of CUDA and Triton candidates, on the source text (nothing is run).

Always, whatever the task: the launch plan is the only host side, so a candidate that
creates streams, launches kernels itself (`<<<...>>>`, `cudaLaunch*`, device-side launches)
or starts threads is refused, with that reason, before it is compiled.

Per task (its `forbid` list): precision downgrades of an fp32 task. The names understood
here are `fp16`, `bf16` and `tf32`; other names (another target's instructions) are ignored.
They are looked for twice: in the source before anything is compiled, and in the PTX and
SASS of every build (`check_compiled`, run by the worker that executes the build).
"""

from __future__ import annotations

import ast
import re

from isa.base import CompileError

HOST_SIDE = (
    "no host code runs on this target: the launch plan launches every kernel, in order, "
    "on one stream"
)

_CUDA_HOST = re.compile(
    r"<<<|\bcuda(?:Stream|Launch|Graph|Event)\w*|\bstd::(?:thread|jthread|async)\b"
    r"|\bpthread_\w+|\bcudaDeviceSynchronize\b"
)
_CUDA_PRECISION = {
    "fp16": re.compile(
        r"\bcuda_fp16\.h|\b__half2?\b|\b__(?:float|floats)2half2?\w*|\b__half2float"
        r"|\b__h(?:add|sub|mul|div|fma)\w*|\bh2?(?:exp|log|rcp|sqrt|rsqrt)\w*|\.f16\b"
    ),
    "bf16": re.compile(
        r"\bcuda_bf16\.h|\b__nv_bfloat16\w*|\bbfloat16\w*|\b__\w*bfloat16\w*|\.bf16\b"
    ),
    "tf32": re.compile(r"tf32"),
}

_TRITON_HOST_NAMES = {"threading", "_thread", "Stream", "ThreadPoolExecutor", "Thread"}
_TRITON_PRECISION = {
    "fp16": {"float16", "fp16"},
    "bf16": {"bfloat16", "bf16"},
    "tf32": {"tf32", "tf32x3"},
}


def _without_comments(source: str) -> str:
    """C++ comments blanked out (line numbers kept), so `//@` plans and notes are not read."""

    def blank(match: re.Match[str]) -> str:
        text = match.group(0)
        if text.startswith(("//", "/*")):
            return re.sub(r"[^\n]", " ", text)
        return text  # a string literal

    return re.sub(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"', blank, source, flags=re.S)


def cuda_findings(source: str, forbidden: tuple[str, ...]) -> list[str]:
    code = _without_comments(source)
    banned = [(name, _CUDA_PRECISION[name]) for name in _names(forbidden)]
    findings = []
    for number, line in enumerate(code.splitlines(), start=1):
        if m := _CUDA_HOST.search(line):
            findings.append(f"line {number}: '{m.group(0)}' is not allowed; {HOST_SIDE}")
        for name, pattern in banned:
            if m := pattern.search(line):
                findings.append(f"line {number}: '{m.group(0)}' {_downgrade(name)}")
    return findings


def triton_findings(source: str, forbidden: tuple[str, ...]) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # the compile step reports it with its line
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    banned = {word: name for name in _names(forbidden) for word in _TRITON_PRECISION[name]}
    findings: list[str] = []

    def downgrade(node: ast.AST, what: str, name: str) -> None:
        findings.append(f"line {getattr(node, 'lineno', '?')}: '{what}' {_downgrade(name)}")

    for node in ast.walk(tree):
        word = None
        if isinstance(node, ast.Name):
            word = node.id
        elif isinstance(node, ast.Attribute):
            word = node.attr
        elif isinstance(node, ast.alias):
            word = node.name.split(".")[0]
        if word in _TRITON_HOST_NAMES:
            findings.append(
                f"line {getattr(node, 'lineno', '?')}: '{word}' is not allowed; {HOST_SIDE}"
            )
        if word is not None and word.lower() in banned:
            downgrade(node, word, banned[word.lower()])
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            for key, name in banned.items():
                if re.search(rf"\b{re.escape(key)}\b", node.value.lower()):
                    downgrade(node, node.value, name)
                    break
        if "tf32" in banned.values() and isinstance(node, ast.Call) and _is_dot(node):
            keywords = {k.arg: k.value for k in node.keywords}
            ieee = _constant(keywords.get("input_precision")) == "ieee"
            no_tf32 = _constant(keywords.get("allow_tf32")) is False
            if not (ieee or no_tf32):
                downgrade(node, 'tl.dot without input_precision="ieee"', "tf32")
    return sorted(set(findings), key=_line_of)


def _downgrade(name: str) -> str:
    return f"downgrades precision to {name}, which this fp32 task forbids"


def _is_dot(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "dot") or (
        isinstance(func, ast.Name) and func.id == "dot"
    )


def _constant(node: ast.expr | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _line_of(finding: str) -> int:
    m = re.match(r"line (\d+)", finding)
    return int(m.group(1)) if m else 0


def _names(forbidden: tuple[str, ...]) -> list[str]:
    wanted = {name.lower() for name in forbidden}
    return [name for name in ("fp16", "bf16", "tf32") if name in wanted]


# --- what was compiled -------------------------------------------------------------------
# The source check above reads what was written; spellings it cannot see (string literals
# split in inline PTX, `.f%2` with "n"(16), token pasting, macros, bit masks) still show in
# what nvcc or Triton produced. So the PTX (and the SASS, when cuobjdump gave one) of every
# build is scanned too, for the task's forbidden precisions.

_PTX_TYPES = {
    "fp16": re.compile(r"\.(?:f16x2|f16|e4m3x?\d*|e5m2x?\d*)\b"),
    "bf16": re.compile(r"\.bf16(?:x2)?\b"),
    "tf32": re.compile(r"\.tf32\b"),
}
_SASS_OPS = {
    "bf16": re.compile(r"\bBF16\w*|\bF2FP\.BF16\w*"),
    "tf32": re.compile(r"\bTF32\b"),
    "fp16": re.compile(r"\b(?:HADD2|HFMA2|HMUL2|HSETP2|HSET2|HMNMX2|HMMA)\b|\bF2F\.F16\w*|\.F16\b"),
}
_SASS_MOVE = re.compile(r"\bHFMA2(?:\.MMA)?\s+R\w+,\s*-?RZ,\s*-?RZ,")
_PTX_INSN = re.compile(r"^\s*(?:@!?%\w+\s+)?([a-z][\w.]*)\s*(.*?);", re.M)
_REG = re.compile(r"%[\w$]+")
_IMM = re.compile(r"^(-?\d+|0[xX][0-9a-fA-F]+)$")


def _mantissa_mask(text: str) -> int:
    """How many low bits an `and` immediate clears, when it keeps every high bit (a float
    rounded to fewer mantissa bits: 16 for bf16, 13 for tf32 / fp16); 0 otherwise."""
    if not _IMM.match(text):
        return 0
    value = int(text, 0) & 0xFFFFFFFF
    for k in range(12, 24):
        if value == (0xFFFFFFFF << k) & 0xFFFFFFFF:
            return k
    return 0


def _truncations(ptx: str) -> list[tuple[int, str]]:
    """(PTX line, instruction) of `and.b32 d, a, MASK` or `shr` / `shl` pairs that drop the
    low mantissa bits of a value later used as a float (moved to an f32 register, used by
    an f32 instruction, or stored)."""
    line_of = {m.start(): ptx.count("\n", 0, m.start()) + 1 for m in _PTX_INSN.finditer(ptx)}
    masked: dict[str, tuple[int, str]] = {}
    shifted: dict[str, tuple[str, int]] = {}  # dest of shr.(u|b)32 by k -> (source, k)
    found: list[tuple[int, str]] = []
    for m in _PTX_INSN.finditer(ptx):
        op, rest = m.group(1), m.group(2)
        operands = [o.strip() for o in rest.split(",")]
        line = line_of[m.start()]
        text = f"{op} {rest}".strip()
        regs = _REG.findall(rest)
        sources = regs[1:] if op.split(".")[0] not in ("st", "red", "atom") else regs
        if op.split(".")[0] == "mov" or ".f32" in op or op.startswith(("st.", "red.", "atom.")):
            for reg in sources:
                if reg in masked:
                    found.append(masked.pop(reg))
        if len(operands) == 3 and op in ("and.b32", "and.b64"):
            k = _mantissa_mask(operands[2])
            if k:
                masked[operands[0]] = (line, text)
        elif len(operands) == 3 and op in ("shr.u32", "shr.b32") and operands[2].isdigit():
            shifted[operands[0]] = (operands[1], int(operands[2]))
        elif len(operands) == 3 and op in ("shl.b32",) and operands[2].isdigit():
            prior = shifted.get(operands[1])
            if prior is not None and prior[1] == int(operands[2]) and 12 <= prior[1] < 24:
                masked[operands[0]] = (line, text)
    return found


def compiled_findings(ptx: str, sass: str, forbidden: tuple[str, ...]) -> list[str]:
    """The forbidden precisions the compiled PTX (and SASS) uses: types of instructions and
    registers, tensor-core operand types, and mantissa bits dropped with bit masks."""
    names = _names(forbidden)
    if not names:
        return []
    findings: list[str] = []
    for number, line in enumerate(ptx.splitlines(), start=1):
        code = line.split("//", 1)[0]
        for name in names:
            if m := _PTX_TYPES[name].search(code):
                findings.append(
                    f"PTX line {number}: '{code.strip()}' uses {m.group(0)}; {_downgrade(name)}"
                )
                break
        if len(findings) >= 3:
            return findings
    for number, text in _truncations(ptx):
        name = "bf16" if "bf16" in names else names[0]
        findings.append(
            f"PTX line {number}: '{text}' drops mantissa bits of an fp32 value with a bit mask; "
            f"{_downgrade(name)}"
        )
        if len(findings) >= 3:
            return findings
    if not findings:
        for line in sass.splitlines():
            if _SASS_MOVE.search(line):
                continue  # 0 * 0 + constant: ptxas's way to load a constant, not arithmetic
            for name in names:
                if m := _SASS_OPS[name].search(line):
                    findings.append(f"SASS '{line.strip()}' uses {m.group(0)}; {_downgrade(name)}")
                    return findings
    return findings


def check_compiled(
    ptx: str, sass: str, forbidden: tuple[str, ...], line: int | None = None
) -> None:
    """Refuse a build whose compiled code uses a precision the task forbids."""
    findings = compiled_findings(ptx, sass, forbidden)
    if findings:
        raise CompileError("the compiled kernel is refused: " + "; ".join(findings), line)
