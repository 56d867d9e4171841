"""The sandbox contract: what a backend is asked to run, under which limits, and what it
reports back.

A sandbox runs an argv in a working directory and says, in one sentence, how it ended. It
knows nothing about kernels: compilers, emulators and candidate code are all just processes
here. Backends never raise because the child misbehaved (crash, flood, hang, memory blow-up);
they raise only when the caller passed something wrong.
"""

from __future__ import annotations

import math
import signal as signals
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run. `output_bytes` is how much of each stream is kept."""

    wall_s: float = 60.0
    cpu_s: float = 60.0
    memory_mb: int = 4096
    nproc: int = 64
    fsize_mb: int = 256
    output_bytes: int = MIB

    def __post_init__(self) -> None:
        for name in ("wall_s", "cpu_s", "memory_mb", "nproc", "fsize_mb", "output_bytes"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"Limits.{name} must be a positive number, got {value!r}")


# Phrases toolchains and runtimes print when an allocation fails under RLIMIT_AS.
_OOM_MARKERS = ("MemoryError", "std::bad_alloc", "out of memory", "Cannot allocate memory")


@dataclass
class ProcessResult:
    """How one process ended, with its (capped) output.

    `returncode` follows `subprocess`: negative when a signal ended the process, and then
    `signal` holds that signal's number."""

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    signal: int | None
    wall_s: float
    limits: Limits = field(default_factory=Limits)
    cpu_s: float = 0.0  # user + system time of the main process
    max_rss_mb: float = 0.0  # peak resident memory of the main process
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    start_error: str = ""  # why the process could not be started (e.g. no such file)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.start_error

    @property
    def output_truncated(self) -> bool:
        return self.stdout_truncated or self.stderr_truncated

    @property
    def reason(self) -> str:
        """One sentence saying why the process did not succeed; empty when it did."""
        if self.ok:
            return ""
        if self.start_error:
            return f"could not start: {self.start_error}"
        if self.timed_out:
            return f"killed after the {self.limits.wall_s:g} s wall limit"
        if self.signal == signals.SIGXCPU or (
            self.signal == signals.SIGKILL and self.cpu_s >= self.limits.cpu_s
        ):
            return f"killed after the {self.limits.cpu_s:g} s CPU-time limit"
        if self.signal == signals.SIGXFSZ:
            return f"killed for writing a file over the {self.limits.fsize_mb} MB limit"
        if any(marker in self.stderr for marker in _OOM_MARKERS):
            return f"ran out of memory (limit {self.limits.memory_mb} MB)"
        if self.signal == signals.SIGKILL:
            return "killed (SIGKILL), probably out of memory"
        if self.signal is not None:
            return f"killed by signal {signal_name(self.signal)}"
        return f"exited with status {self.returncode}"


def signal_name(number: int) -> str:
    """'SIGSEGV (segmentation fault)' for 11; works for numbers the platform does not know."""
    try:
        name = signals.Signals(number).name
    except ValueError:
        return f"{number}"
    description = signals.strsignal(number) or ""
    return f"{name} ({description.lower()})" if description else name


@runtime_checkable
class Sandbox(Protocol):
    """A way to run untrusted processes. Registered by one line in `sandbox.SANDBOXES`."""

    name: str

    def run(
        self,
        argv: list[str],
        workdir: Path,
        limits: Limits,
        env: Mapping[str, str] | None = None,
        stdin: bytes | None = None,
    ) -> ProcessResult:
        """Run `argv` in `workdir` (which must exist) and wait for it, at most `limits.wall_s`.

        `env` adds variables to the backend's minimal environment; secrets are dropped."""
        ...

    def describe(self) -> str:
        """One line saying what isolation this backend provides, for logs and reports."""
        ...


def check_run_args(argv: list[str], workdir: Path) -> Path:
    """The resolved workdir of a `Sandbox.run` call; ValueError for a caller's bug."""
    if not argv or not all(isinstance(a, str) for a in argv):
        raise ValueError(f"argv must be a non-empty list of strings, got {argv!r}")
    resolved = Path(workdir).resolve()
    if not resolved.is_dir():
        raise ValueError(f"the sandbox workdir {resolved} is not a directory")
    return resolved
