"""Kernel signatures read from PTX `.entry` declarations, without loading the module: the
plan is checked against them at build time, whichever executor runs the build."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ENTRY = re.compile(r"\.entry\s+([A-Za-z_$][\w$]*)\s*\(([^)]*)\)", re.S)
_PARAM = re.compile(
    r"\.param\s+(?:\.align\s+\d+\s+)?\.(\w+)(?:\s+\.ptr(?:\s+\.\w+)*)?\s+([\w$]+)(?:\[(\d+)\])?"
)
_SIZES = {"8": 1, "16": 2, "32": 4, "64": 8}


@dataclass(frozen=True)
class EntryParam:
    name: str
    ptype: str  # "u64", "u32", "f32", "b8", ...
    size: int  # bytes

    @property
    def is_pointer_sized(self) -> bool:
        return self.size == 8 and self.ptype[0] in "usb"


def entry_signatures(ptx: str) -> dict[str, list[EntryParam]]:
    """Kernel name -> its parameters in order."""
    found: dict[str, list[EntryParam]] = {}
    for m in _ENTRY.finditer(ptx):
        params = []
        for p in _PARAM.finditer(m.group(2)):
            ptype, name, count = p.group(1), p.group(2), p.group(3)
            size = _SIZES.get(ptype[1:], 4) * (int(count) if count else 1)
            params.append(EntryParam(name, ptype, size))
        found[m.group(1)] = params
    return found
