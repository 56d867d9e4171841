"""The task folder contract: `task.toml` parsed and checked with pydantic.

A task folder holds `task.toml` (signature, work, tolerance, configurations), `reference.py`
(a NumPy reference `reference(inputs, sizes) -> {output: array}`) and, per target family, a
folder with `oracle<suffix>` (proves the task is solvable) and `stub<suffix>` (where an agent
starts).
"""

from __future__ import annotations

import ast
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DTYPES = ("fp32",)


class Distribution(BaseModel):
    """How fresh inputs are drawn: `kind` in normal/uniform, then scaled and shifted."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["normal", "uniform"] = "normal"
    scale: float = 1.0
    shift: float = 0.0
    positive: bool = False  # take the absolute value (for inputs that must be >= 0)


class TensorDecl(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    role: Literal["input", "output"]
    shape: list[str | int]
    dtype: Literal["fp32"] = "fp32"
    dist: Distribution = Field(default_factory=Distribution)

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, value: str) -> str:
        if not value.isidentifier():
            raise ValueError(f"tensor name '{value}' must be an identifier")
        return value


class Tolerance(BaseModel):
    """`|got - exp| <= atol * rms(exp) + rtol * |exp|` elementwise, and
    `||got - exp|| / ||exp|| <= norm` over the whole output. `atol` is relative to the output's
    RMS so that near-zero elements neither pass trivially nor fail on rounding noise."""

    model_config = ConfigDict(extra="forbid")
    atol: float = Field(ge=0)
    rtol: float = Field(ge=0)
    norm: float = Field(ge=0)


class Work(BaseModel):
    model_config = ConfigDict(extra="forbid")
    macs: str = "0"
    flops: str = "0"


class SizeRange(BaseModel):
    """The values a hidden size may be drawn from: `min..max`, multiples of `step`."""

    model_config = ConfigDict(extra="forbid")
    min: int = Field(ge=1)
    max: int = Field(ge=1)
    step: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> SizeRange:
        if self.max < self.min:
            raise ValueError(f"size range {self.min}..{self.max} is empty")
        if self.max // self.step * self.step < self.min:
            raise ValueError(f"size range {self.min}..{self.max} has no multiple of {self.step}")
        return self


class HiddenRules(BaseModel):
    """`[hidden.rules]`: how the judge draws fresh hidden sizes for every verification, from
    its secret seed, so that no kernel can be special-cased for the sizes in the repository.

    Every drawn size lies in its `sizes` range; a size whose range spans at least `ragged`
    values is never a multiple of `ragged` (so tiles of 16 or 64 never fit exactly); with
    `prime`, at least one such size is prime; `divides = [["G", "H"]]` keeps H a multiple of
    G; the tensors hold at most `max_elements` elements together (emulation stays fast)."""

    model_config = ConfigDict(extra="forbid")
    draws: int = Field(default=2, ge=2, le=8)
    sizes: dict[str, SizeRange]
    ragged: int = Field(default=16, ge=2)
    prime: bool = True
    divides: list[tuple[str, str]] = Field(default_factory=list)
    max_elements: int = Field(ge=1)


class ExecutorConfigs(BaseModel):
    """Configurations for one executor, replacing the task's own there: `[gpu.configs]` and
    `[gpu.hidden]` give a real GPU sizes large enough that launch overhead does not
    dominate, while emulators keep the small top-level configs."""

    model_config = ConfigDict(extra="forbid")
    configs: dict[str, dict[str, int]]
    hidden: dict[str, dict[str, int]]
    hidden_rules: HiddenRules | None = None  # `[gpu.hidden.rules]`

    @model_validator(mode="before")
    @classmethod
    def _rules_out_of_hidden(cls, data: object) -> object:
        return _split_rules(data)


def _split_rules(data: object) -> object:
    """`[hidden.rules]` sits with the fixed hidden configs in task.toml; keep it apart."""
    if isinstance(data, dict) and isinstance(data.get("hidden"), dict):
        hidden = dict(data["hidden"])
        if "rules" in hidden:
            data = {**data, "hidden": hidden, "hidden_rules": hidden.pop("rules")}
    return data


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    level: int = Field(ge=1, le=3)
    title: str
    statement: str
    tensor: list[TensorDecl]
    work: Work = Field(default_factory=Work)
    tolerance: dict[str, Tolerance]
    configs: dict[str, dict[str, int]]
    hidden: dict[str, dict[str, int]]
    hidden_rules: HiddenRules | None = None  # `[hidden.rules]` in task.toml
    # Instructions / calls a candidate may not use (precision downgrades, library calls),
    # checked statically by each target's `static_check`.
    forbid: list[str] = Field(default_factory=list)
    # target family -> why the task cannot reasonably run there (shown instead of running it)
    unsupported: dict[str, str] = Field(default_factory=dict)
    gpu: ExecutorConfigs | None = None

    @model_validator(mode="before")
    @classmethod
    def _rules_out_of_hidden(cls, data: object) -> object:
        return _split_rules(data)

    @model_validator(mode="after")
    def _consistent(self) -> Manifest:
        names = [t.name for t in self.tensor]
        if len(set(names)) != len(names):
            raise ValueError("tensor names must be unique")
        if not any(t.role == "input" for t in self.tensor):
            raise ValueError("a task needs at least one input tensor")
        if not any(t.role == "output" for t in self.tensor):
            raise ValueError("a task needs at least one output tensor")
        if "fp32" not in self.tolerance:
            raise ValueError("tolerance.fp32 is required")
        symbols = {n for t in self.tensor for d in t.shape for n in size_names(d)}
        _check_configs(self.configs, self.hidden, symbols, "", self.tensor)
        if self.gpu is not None:
            _check_configs(self.gpu.configs, self.gpu.hidden, symbols, "gpu.", self.tensor)
            if self.gpu.hidden_rules is not None:
                _check_rules(self.gpu.hidden_rules, symbols)
        if self.hidden_rules is not None:
            _check_rules(self.hidden_rules, symbols)
        for expr in (self.work.macs, self.work.flops):
            for sizes in self.configs.values():
                size_expr(expr, sizes)
        return self


def _check_configs(
    configs: dict[str, dict[str, int]],
    hidden: dict[str, dict[str, int]],
    symbols: set[str],
    where: str,
    tensors: list[TensorDecl],
) -> None:
    if len(configs) != 5:
        raise ValueError(f"a task needs exactly 5 visible {where}configs, found {len(configs)}")
    if not hidden:
        raise ValueError(f"a task needs at least one {where}hidden config")
    for group in (configs, hidden):
        for cname, sizes in group.items():
            missing = symbols - set(sizes)
            if missing:
                raise ValueError(f"config {cname} does not set {', '.join(sorted(missing))}")
            bad = [k for k, v in sizes.items() if v < 1]
            if bad:
                raise ValueError(f"config {cname}: sizes must be >= 1 ({', '.join(bad)})")
            for t in tensors:
                for d in t.shape:
                    if isinstance(d, str) and size_expr(d, sizes) < 1:
                        raise ValueError(f"config {cname}: dimension '{d}' of {t.name} is < 1")
    overlap = set(configs) & set(hidden)
    if overlap:
        raise ValueError(f"config names used twice: {', '.join(sorted(overlap))}")


def _check_rules(rules: HiddenRules, symbols: set[str]) -> None:
    missing = symbols - set(rules.sizes)
    if missing:
        raise ValueError(f"hidden.rules.sizes does not give {', '.join(sorted(missing))}")
    unknown = set(rules.sizes) - symbols
    if unknown:
        raise ValueError(f"hidden.rules.sizes names unknown size {', '.join(sorted(unknown))}")
    for pair in rules.divides:
        if not set(pair) <= symbols:
            raise ValueError(f"hidden.rules.divides names unknown sizes {pair}")


_ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.FloorDiv,
    ast.Name,
    ast.Constant,
    ast.Load,
)


def size_names(dim: str | int) -> set[str]:
    """The config sizes a shape dimension (`N`, `H - KH + 1`, or an integer) refers to."""
    if isinstance(dim, int):
        return set()
    try:
        tree = ast.parse(dim, mode="eval")
    except SyntaxError:
        raise ValueError(f"shape dimension '{dim}' is not a size expression") from None
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def size_expr(expr: str, sizes: dict[str, int]) -> int:
    """Evaluate an integer expression over config sizes (`M*N*K`, `2*M*N`)."""
    tree = ast.parse(expr, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ValueError(f"work expression '{expr}' may only use sizes, integers, + - * //")
        if isinstance(node, ast.Name) and node.id not in sizes:
            raise ValueError(f"work expression '{expr}' uses unknown size '{node.id}'")
    return int(eval(compile(tree, "<work>", "eval"), {"__builtins__": {}}, dict(sizes)))
