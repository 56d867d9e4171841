"""Parsing a .ptx file into a `Module` of `Kernel`s."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Param:
    """One kernel parameter: its name, PTX type (e.g. "u64", "f32", "b8") and byte size."""

    name: str
    ptype: str
    size: int
    offset: int  # in the parameter buffer
    align: int


@dataclass
class Kernel:
    """One `.entry` of a module."""

    name: str
    params: list[Param]
    static_shared_bytes: int = 0  # .shared declarations (not .extern)
    local_bytes: int = 0  # .local declarations per thread
    source_files: dict[int, str] = field(default_factory=dict)


@dataclass
class Module:
    """A loaded .ptx file."""

    version: str
    target: str
    address_size: int
    kernels: dict[str, Kernel]


def load_module(ptx: str) -> Module:
    """Parse a whole .ptx file. Raises PtxError (with the .ptx line) if it cannot be loaded,
    e.g. on an instruction the emulator does not know (named in the message)."""
    raise NotImplementedError
