"""Static checks of CUDA and Triton candidates, on the source text (nothing is run).

Always, whatever the task: the launch plan is the only host side, so a candidate that
creates streams, launches kernels itself (`<<<...>>>`, `cudaLaunch*`, device-side launches)
or starts threads is refused, with that reason, before it is compiled.

Per task (its `forbid` list): precision downgrades of an fp32 task. The names understood
here are `fp16`, `bf16` and `tf32`; other names (another target's instructions) are ignored.
"""

from __future__ import annotations

import ast
import re

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
