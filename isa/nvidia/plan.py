"""The launch plan: how a CUDA or Triton candidate is launched, declared (never executed).

A candidate carries its plan in comment lines that start with `//@` (CUDA) or `# @` / `#@`
(Triton). Stripped of that prefix they form a TOML document:

    //@ [scratch]
    //@ partial = "M * cdiv(N, 256)"      # fp32 elements, contents undefined at start
    //@ [[launch]]
    //@ kernel = "row_max"
    //@ grid = ["M", "cdiv(N, 256)"]      # 1 to 3 dimensions, x first
    //@ block = [256]                     # CUDA only; Triton uses num_warps
    //@ shared = "256 * 4"                # dynamic shared memory in bytes (default 0)
    //@ args = ["x", "partial", "M", "N"] # tensor or scratch names, or integer expressions

Expressions use the config sizes, integers, `+ - * // %`, parentheses and `cdiv`, `min`,
`max`, `next_pow2`. The judge parses the plan with `tomllib` and evaluates it with its own small
evaluator; the emulator and the GPU runner consume the same `Launch` values.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from isa.base import CompileError

MAX_LAUNCHES = 16
MAX_DIM = 2**31 - 1


@dataclass(frozen=True)
class Launch:
    """One kernel launch with every expression evaluated for one config."""

    kernel: str
    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    shared: int
    args: tuple[str | int, ...]  # a buffer name or an integer value
    constexprs: dict[str, int] = field(default_factory=dict)  # Triton only
    num_warps: int = 4  # Triton only
    num_stages: int = 3  # Triton only
    line: int | None = None  # source line of the plan entry


@dataclass(frozen=True)
class Plan:
    launches: tuple[Launch, ...]
    scratch: dict[str, int]  # name -> fp32 elements


def _marker(prefix: str) -> re.Pattern[str]:
    # `#@` and `# @` (what Python formatters make of it) alike; `@` then a space or the end.
    comment = re.escape(prefix[:-1])
    return re.compile(rf"^\s*{comment} ?@(?= |$)")


def plan_lines(source: str, prefix: str) -> tuple[str, list[int]]:
    """The TOML text of the plan and, per TOML line, its line in the source (1-based)."""
    marker = _marker(prefix)
    lines, where = [], []
    for number, line in enumerate(source.splitlines(), start=1):
        m = marker.match(line)
        if m:
            lines.append(line[m.end() :])
            where.append(number)
    return "\n".join(lines), where


def parse_plan(source: str, prefix: str, sizes: dict[str, int], triton: bool = False) -> Plan:
    """Parse and evaluate the plan of `source` for one config. Raises CompileError."""
    text, where = plan_lines(source, prefix)
    if not text.strip():
        raise CompileError(
            f"the kernel has no launch plan: add `{prefix} [[launch]]` lines "
            "(see the spec, section 'Launch plan')"
        )
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(exc, where)
        raise CompileError(f"the launch plan is not valid TOML: {exc.args[0]}", line) from None
    first_line = where[0] if where else None
    unknown = set(doc) - {"launch", "scratch"}
    if unknown:
        raise CompileError(
            f"the launch plan has unknown table(s) {', '.join(sorted(unknown))}; "
            "only [[launch]] and [scratch] are allowed",
            first_line,
        )
    scratch_doc = doc.get("scratch", {})
    if not isinstance(scratch_doc, dict):
        raise CompileError("[scratch] must be a table of name = element-count", first_line)
    scratch: dict[str, int] = {}
    for name, expr in scratch_doc.items():
        count = evaluate(expr, sizes, f"scratch '{name}'", first_line)
        if count < 1:
            raise CompileError(f"scratch '{name}' must have at least 1 element", first_line)
        scratch[name] = count
    entries = doc.get("launch")
    if not isinstance(entries, list) or not entries:
        raise CompileError("the launch plan needs at least one [[launch]] entry", first_line)
    if len(entries) > MAX_LAUNCHES:
        raise CompileError(f"the launch plan may have at most {MAX_LAUNCHES} launches", first_line)
    starts = [where[i] for i, t in enumerate(text.splitlines()) if t.strip() == "[[launch]]"]
    launches = []
    for index, entry in enumerate(entries):
        line = starts[index] if index < len(starts) else first_line
        launches.append(_launch(entry, sizes, line, triton))
    return Plan(tuple(launches), scratch)


def _launch(entry: Any, sizes: dict[str, int], line: int | None, triton: bool) -> Launch:
    if not isinstance(entry, dict):
        raise CompileError("each [[launch]] must be a table", line)
    allowed = {"kernel", "grid", "args", "shared"} | (
        {"num_warps", "num_stages", "constexprs"} if triton else {"block"}
    )
    unknown = set(entry) - allowed
    if unknown:
        raise CompileError(
            f"[[launch]] has unknown key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(allowed))}",
            line,
        )
    kernel = entry.get("kernel")
    if not isinstance(kernel, str) or not kernel.isidentifier():
        raise CompileError('[[launch]] needs kernel = "<name of the kernel function>"', line)
    grid = _dims(entry.get("grid"), sizes, "grid", line)
    if triton:
        num_warps = evaluate(entry.get("num_warps", 4), sizes, "num_warps", line)
        if num_warps not in (1, 2, 4, 8, 16, 32):
            raise CompileError("num_warps must be 1, 2, 4, 8, 16 or 32", line)
        block = (32 * num_warps, 1, 1)
        num_stages = evaluate(entry.get("num_stages", 3), sizes, "num_stages", line)
        raw = entry.get("constexprs", {})
        if not isinstance(raw, dict):
            raise CompileError("constexprs must be a table of NAME = expression", line)
        constexprs = {k: evaluate(v, sizes, f"constexpr {k}", line) for k, v in raw.items()}
    else:
        num_warps, num_stages, constexprs = 4, 3, {}
        block = _dims(entry.get("block"), sizes, "block", line)
        if block[0] * block[1] * block[2] > 1024:
            raise CompileError(f"a block has at most 1024 threads, got {block}", line)
    shared = evaluate(entry.get("shared", 0), sizes, "shared", line)
    if shared < 0:
        raise CompileError("shared (dynamic shared memory bytes) cannot be negative", line)
    raw_args = entry.get("args", [])
    if not isinstance(raw_args, list):
        raise CompileError("args must be a list of buffer names or integer expressions", line)
    args: list[str | int] = []
    for arg in raw_args:
        if isinstance(arg, str) and arg.isidentifier() and arg not in sizes:
            args.append(arg)  # a buffer; checked against the signature by the backend
        else:
            args.append(evaluate(arg, sizes, "an argument", line))
    return Launch(
        kernel=kernel,
        grid=grid,
        block=block,
        shared=shared,
        args=tuple(args),
        constexprs=constexprs,
        num_warps=num_warps,
        num_stages=num_stages,
        line=line,
    )


def _dims(value: Any, sizes: dict[str, int], what: str, line: int | None) -> tuple[int, int, int]:
    if not isinstance(value, list) or not 1 <= len(value) <= 3:
        raise CompileError(f"{what} must be a list of 1 to 3 expressions, x first", line)
    dims = [evaluate(v, sizes, what, line) for v in value]
    if any(d < 1 or d > MAX_DIM for d in dims):
        raise CompileError(f"every {what} dimension must be between 1 and 2^31-1, got {dims}", line)
    dims += [1] * (3 - len(dims))
    return dims[0], dims[1], dims[2]


_FUNCTIONS: dict[str, Callable[..., int]] = {
    "cdiv": lambda a, b: -(-a // b),
    "min": min,
    "max": max,
    "next_pow2": lambda a: 1 << max(a - 1, 0).bit_length(),
}
_ARITY = {"cdiv": 2, "min": 2, "max": 2, "next_pow2": 1}


def evaluate(expr: Any, sizes: dict[str, int], what: str, line: int | None = None) -> int:
    """An integer expression of the config sizes; raises CompileError naming `what`."""
    if isinstance(expr, bool):
        raise CompileError(f"{what}: expected an integer expression, got {expr!r}", line)
    if isinstance(expr, int):
        return expr
    if not isinstance(expr, str):
        raise CompileError(f"{what}: expected an integer expression, got {expr!r}", line)
    try:
        tree = ast.parse(expr.strip(), mode="eval")
        return _eval(tree.body, sizes)
    except CompileError as exc:
        raise CompileError(f"{what}: {exc.message} in '{expr}'", line) from None
    except (SyntaxError, ZeroDivisionError, RecursionError):
        raise CompileError(f"{what}: '{expr}' is not a valid integer expression", line) from None


def _eval(node: ast.expr, sizes: dict[str, int]) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return int(node.value)
    if isinstance(node, ast.Name):
        if node.id not in sizes:
            raise CompileError(f"unknown size '{node.id}' (sizes: {', '.join(sorted(sizes))})")
        return sizes[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, sizes)
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, sizes), _eval(node.right, sizes)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.FloorDiv):
            return a // b
        if isinstance(node.op, ast.Mod):
            return a % b
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
        and len(node.args) == _ARITY[node.func.id]
    ):
        values = [_eval(arg, sizes) for arg in node.args]
        if node.func.id == "cdiv" and values[1] == 0:
            raise ZeroDivisionError
        return int(_FUNCTIONS[node.func.id](*values))
    raise CompileError(
        "only sizes, integers, + - * // %, cdiv(a, b), min(a, b), max(a, b) and next_pow2(a) "
        "are allowed"
    )


def _toml_error_line(exc: tomllib.TOMLDecodeError, where: list[int]) -> int | None:
    # tomllib says "(at line L, column C)"; map the plan's line back to the source.
    message = str(exc)
    if "end of document" in message and where:
        return where[-1]
    marker = "at line "
    if marker in message:
        try:
            plan_line = int(message.split(marker, 1)[1].split(",", 1)[0].split(")", 1)[0])
        except ValueError:
            return None
        if 1 <= plan_line <= len(where):
            return where[plan_line - 1]
    return where[0] if where else None
