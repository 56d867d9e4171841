"""Constant expressions of TILE assembly, evaluated with a strict whitelist (never `eval`).

Integer expressions (`.equ`, values, addresses) allow integers, `$X` sizes, `@x` tensor
addresses, `.equ` names, `+ - * / %` (`/` rounds down), unary minus, parentheses and
`min`, `max`, `cdiv`. Float immediates (`#(1.0 / $N)`) allow the same plus float literals and
`inf`, and there `/` is real division.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
from collections.abc import Callable, Mapping

_SYMBOL = re.compile(r"([$@])([A-Za-z_]\w*)?")
_REGISTER = re.compile(r"r\d+")
_TAG = re.compile(r"t\d+")
_PLACEHOLDER = "__sym"


class ExprError(Exception):
    """A constant expression that cannot be evaluated; the message is one sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Number = int | float


def _floor_div(a: Number, b: Number) -> Number:
    return a // b


def _true_div(a: Number, b: Number) -> Number:
    return a / b


def _cdiv(a: Number, b: Number) -> Number:
    return -(-a // b)


_FUNCTIONS: dict[str, Callable[[Number, Number], Number]] = {
    "min": min,
    "max": max,
    "cdiv": _cdiv,
}


def _defines(symbols: Mapping[str, int], sigil: str) -> str:
    names = sorted(name for name in symbols if name.startswith(sigil))
    return ", ".join(names) if names else "none"


class _Evaluator:
    def __init__(
        self, text: str, names: Mapping[str, int], symbols: Mapping[str, int], real: bool
    ) -> None:
        self.text = text
        self.names = names
        self.symbols = symbols
        self.real = real
        self.placeholders: dict[str, str] = {}

    def run(self) -> Number:
        if _PLACEHOLDER in self.text:
            raise ExprError(f"names may not contain '{_PLACEHOLDER}'")
        source = _SYMBOL.sub(self._placeholder, self.text)
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError:
            raise ExprError(f"'{self.text.strip()}' is not a valid constant expression") from None
        except (RecursionError, MemoryError, ValueError):
            raise ExprError(f"the expression '{self.text.strip()}' is too complex") from None
        try:
            return self._eval(tree.body)
        except ZeroDivisionError:
            raise ExprError(f"division by zero in '{self.text.strip()}'") from None
        except RecursionError:
            raise ExprError(f"the expression '{self.text.strip()}' is too complex") from None

    def _placeholder(self, match: re.Match[str]) -> str:
        sigil, name = match.group(1), match.group(2)
        if name is None:
            kind = "a size name such as $M" if sigil == "$" else "a tensor name such as @x"
            raise ExprError(f"'{sigil}' must be followed by {kind} in '{self.text.strip()}'")
        key = f"{_PLACEHOLDER}{len(self.placeholders)}"
        self.placeholders[key] = sigil + name
        return key

    def _eval(self, node: ast.expr) -> Number:
        if isinstance(node, ast.Constant):
            return self._constant(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self._eval(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise ExprError(
            f"'{self._snippet(node)}' is not allowed in a constant expression "
            "(use numbers, names, + - * / %, parentheses, min, max, cdiv)"
        )

    def _constant(self, value: object) -> Number:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExprError(f"'{value!r}' is not a number")
        if isinstance(value, float) and not self.real:
            raise ExprError(f"'{value}' is not an integer; addresses and counts are integers")
        return value

    def _name(self, name: str) -> Number:
        if name in self.placeholders:
            symbol = self.placeholders[name]
            if symbol in self.symbols:
                return self.symbols[symbol]
            kind = "symbol" if symbol[0] == "$" else "tensor"
            defined = _defines(self.symbols, symbol[0])
            raise ExprError(f"unknown {kind} '{symbol}'; this configuration defines {defined}")
        if name in self.names:
            return self.names[name]
        if self.real and name == "inf":
            return math.inf
        if _REGISTER.fullmatch(name):
            raise ExprError(
                f"register {name} cannot appear inside an expression; "
                "a value is rN, a constant expression, or rN + expr"
            )
        if _TAG.fullmatch(name):
            raise ExprError(f"'{name}' is a tag, not a number")
        close = difflib.get_close_matches(name, list(self.names), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ExprError(f"unknown name '{name}'{hint}; define it with '.equ {name}, value'")

    def _binop(self, node: ast.BinOp) -> Number:
        ops: dict[type[ast.operator], Callable[[Number, Number], Number]] = {
            ast.Add: lambda a, b: a + b,
            ast.Sub: lambda a, b: a - b,
            ast.Mult: lambda a, b: a * b,
            ast.Div: _true_div if self.real else _floor_div,
            ast.Mod: lambda a, b: a % b,
        }
        op = ops.get(type(node.op))
        if op is None:
            raise ExprError(
                f"operator in '{self._snippet(node)}' is not allowed; use + - * / % "
                "('/' rounds down)"
            )
        return op(self._eval(node.left), self._eval(node.right))

    def _call(self, node: ast.Call) -> Number:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name is None or name not in _FUNCTIONS:
            raise ExprError(
                f"'{self._snippet(node.func)}' is not a function; the functions are "
                "min, max and cdiv"
            )
        if node.keywords or len(node.args) != 2:
            raise ExprError(f"'{name}' takes 2 arguments, as in {name}(a, b)")
        a, b = (self._eval(arg) for arg in node.args)
        return _FUNCTIONS[name](a, b)

    def _snippet(self, node: ast.AST) -> str:
        text = ast.unparse(node)
        for key, symbol in self.placeholders.items():
            text = text.replace(key, symbol)
        return text


def evaluate_int(text: str, names: Mapping[str, int], symbols: Mapping[str, int]) -> int:
    """An integer constant expression; raises ExprError."""
    value = _Evaluator(text, names, symbols, real=False).run()
    assert isinstance(value, int)  # the integer whitelist admits no floats
    return value


def evaluate_float(text: str, names: Mapping[str, int], symbols: Mapping[str, int]) -> float:
    """A float constant expression (for `#` immediates); raises ExprError."""
    return float(_Evaluator(text, names, symbols, real=True).run())
