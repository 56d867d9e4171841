"""Constant operands of the accelerator assemblers: integer expressions that must fit a
32-bit register, and float immediates rounded to fp32, each failing with one sentence."""

from __future__ import annotations

import numpy as np

from isa.accel.common.expr import ExprError, evaluate_float, evaluate_int
from isa.base import CompileError

INT32 = (-(2**31), 2**31 - 1)
FP32_MAX = float(np.finfo(np.float32).max)


class ConstantParsing:
    """Mixed into an assembler that has `names` (.equ constants), `symbols` ($ sizes and @
    addresses) and `error(message) -> CompileError`."""

    names: dict[str, int]
    symbols: dict[str, int]

    def error(self, message: str, line: int | None = None) -> CompileError:
        raise NotImplementedError

    def checked(self, value: int, text: str) -> int:
        if not INT32[0] <= value <= INT32[1]:
            raise self.error(f"'{text}' is {value}, which does not fit in 32 bits")
        return value

    def int_expr(self, text: str) -> int:
        try:
            return evaluate_int(text, self.names, self.symbols)
        except ExprError as e:
            raise self.error(e.message) from None

    def float_immediate(self, what: str, text: str) -> float:
        """`#text` as an fp32 value."""
        try:
            value = evaluate_float(text, self.names, self.symbols)
        except ExprError as e:
            raise self.error(f"{what}: {e.message}") from None
        if value != value:
            raise self.error(f"{what}: '#{text}' is not a number")
        if abs(value) != float("inf") and abs(value) > FP32_MAX:
            raise self.error(f"{what}: '#{text}' is {value:g}, which does not fit in fp32")
        return float(np.float32(value))
