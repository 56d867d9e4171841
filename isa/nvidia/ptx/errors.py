"""The two ways PTX can fail: it does not load (`PtxError`), or it faults while running
(`PtxFault`, which carries the sanitizer findings and counters gathered up to the fault)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from isa.base import CompileError, ExecutionError

if TYPE_CHECKING:
    from isa.nvidia.ptx.results import Counters, Finding


class PtxError(CompileError):
    """The PTX text cannot be loaded: a syntax error, an unknown instruction or directive, an
    undeclared register. `line` is the line in the .ptx file."""


class PtxFault(ExecutionError):
    """A hard fault while running: out-of-bounds or misaligned access, a trap, a failed
    device assert, an instruction cap reached. `findings` holds every sanitizer finding up
    to and including the fault; `counters` what had executed by then; `printed` the
    kernel's printf output until then."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        findings: list[Finding] | None = None,
        counters: Counters | None = None,
        printed: str = "",
    ) -> None:
        super().__init__(message, line=line, kind="fault")
        self.findings: list[Finding] = list(findings or [])
        self.counters = counters
        self.printed = printed  # the kernel's printf output up to the fault
