"""What every target family provides: the value objects a build and a run produce, and the
backend protocol that the worker and the judge talk to.

`isa` knows nothing about tasks: a backend receives a `KernelInterface` (tensor names, concrete
shapes, dtypes and the config's sizes) and a `Work` estimate, never a task object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

SCHEMA_VERSION = 1


class KernelError(Exception):
    """A problem with the candidate (it does not compile, or it fails while running).

    The message is one sentence a person or an agent can act on; `line` is the source line
    when there is one."""

    def __init__(self, message: str, line: int | None = None, kind: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.kind = kind

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


class CompileError(KernelError):
    """The candidate does not assemble or compile."""


class ExecutionError(KernelError):
    """The candidate assembled but failed while running (bounds, hazards, caps)."""


@dataclass(frozen=True)
class Target:
    """A parsed target string such as `tile`, `cuda:sm_90` or `triton:gfx942`."""

    family: str
    arch: str | None = None

    @property
    def name(self) -> str:
        return f"{self.family}:{self.arch}" if self.arch else self.family

    def __str__(self) -> str:
        return self.name

    @classmethod
    def parse(cls, text: str) -> Target:
        text = text.strip()
        if not text:
            raise ValueError("a target cannot be empty")
        family, _, arch = text.partition(":")
        return cls(family=family.lower(), arch=arch or None)


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[int, ...]
    dtype: str  # "fp32" (storage dtype of the tensor in memory)
    role: str  # "input" | "output"

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1


@dataclass(frozen=True)
class KernelInterface:
    """Everything a backend needs to know about one configuration of one task."""

    tensors: tuple[TensorSpec, ...]
    sizes: dict[str, int]
    # What the task forbids (e.g. "fp16"): a backend may check its compiled code for it.
    forbid: tuple[str, ...] = ()

    @property
    def inputs(self) -> tuple[TensorSpec, ...]:
        return tuple(t for t in self.tensors if t.role == "input")

    @property
    def outputs(self) -> tuple[TensorSpec, ...]:
        return tuple(t for t in self.tensors if t.role == "output")

    def to_json(self) -> dict[str, Any]:
        return {
            "tensors": [
                {"name": t.name, "shape": list(t.shape), "dtype": t.dtype, "role": t.role}
                for t in self.tensors
            ],
            "sizes": dict(self.sizes),
            "forbid": list(self.forbid),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KernelInterface:
        tensors = tuple(
            TensorSpec(t["name"], tuple(int(s) for s in t["shape"]), t["dtype"], t["role"])
            for t in data["tensors"]
        )
        forbid = tuple(str(f) for f in data.get("forbid", []))
        return cls(
            tensors=tensors, sizes={k: int(v) for k, v in data["sizes"].items()}, forbid=forbid
        )


@dataclass(frozen=True)
class Work:
    """How much a configuration must do at least: multiply-accumulates, other arithmetic,
    and the words that must cross the memory boundary."""

    macs: int
    flops: int
    words: int


@dataclass
class Build:
    """A compiled candidate for one configuration."""

    artifact: Any
    diagnostics: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    """Outputs and measurements of one execution."""

    outputs: dict[str, np.ndarray]
    measure: float  # in `unit`
    unit: str  # "cycles" | "us"
    counters: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)  # sanitizer findings


class Backend(Protocol):
    """One target family. Registered by one line in `isa.registry`.

    Optional, looked up with getattr: `limits` (a `sandbox.Limits` for its workers, instead
    of the harness default), `static_check(target, source, forbidden) -> list[str]`
    (one sentence per use of something a task's `forbid` list bans, or that the target
    never allows, found in the source text without running it; called for every task), and
    `compiled_in(target, source, ifaces, cache_folder) -> bool` (every compile product of
    these configs is already in the candidate's cache folder, so a backend whose compile
    runs candidate code needs no compile sandbox)."""

    family: str
    language: str  # what candidates are written in, for people
    source_suffix: str  # file suffix of candidates, e.g. ".tasm"
    precision: str  # compute precision that selects the task tolerance: "fp32" | "bf16"
    unit: str  # unit of `RunResult.measure`

    def check_target(self, target: Target) -> None:
        """Raise ValueError with one sentence if this family does not support the target."""

    def executors(self, target: Target) -> tuple[str, ...]:
        """Executors available on this machine, best first (e.g. ("emu",))."""

    def spec(self, target: Target) -> str:
        """The ISA / language reference the agent reads."""

    def build(self, target: Target, source: str, iface: KernelInterface) -> Build:
        """Compile `source` for one configuration. Raises CompileError."""

    def execute(
        self,
        target: Target,
        build: Build,
        iface: KernelInterface,
        inputs: dict[str, np.ndarray],
        executor: str = "emu",
    ) -> RunResult:
        """Run a build on inputs with one of `executors(target)`. Raises ExecutionError."""

    def roofline(self, target: Target, work: Work, executor: str = "emu") -> float:
        """The least time (in `unit`) any valid kernel can take for this work on `executor`."""
