"""What Triton's compile step hands back, treated as data from an untrusted process.

The compile child imports the candidate's Python, so everything it writes may be forged.
It returns only PTX text and a little metadata; both are size-bounded and validated here,
and nothing in them is ever executed or used as a path or a command (ptxas is the one
bundled with Triton, found by the worker itself). They are cached as a compile's *data*
(`triton.ptx`, `triton.json`), the only artefacts the judge keeps from a worker in which
candidate code ran; the cubin and the resource report are made from that PTX by a worker
where no candidate code runs (see `isa.compile_cache`).
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

from isa.base import CompileError
from isa.nvidia.signature import entry_signatures
from isa.nvidia.toolchain import _entry, _write_entry, require_tool

MAX_PTX_BYTES = 16 << 20
MAX_RESULT_BYTES = 64 << 20  # the child's whole result file
MAX_SHARED = 1 << 20
MAX_MESSAGE = 2000
_NAME = re.compile(r"^[A-Za-z_$][\w$]{0,255}$")


def malformed(why: str) -> CompileError:
    return CompileError(
        f"Triton's compile step returned malformed data ({why}); nothing of it was used"
    )


def validate_error(err: Any) -> CompileError:
    if not isinstance(err, dict):
        return malformed("an error that is not a table")
    message = err.get("message")
    line = err.get("line")
    text = " ".join(str(message).split())[:MAX_MESSAGE] if isinstance(message, str) else ""
    ok_line = isinstance(line, int) and not isinstance(line, bool) and 0 < line < 1 << 24
    return CompileError(text or "Triton produced no PTX", line if ok_line else None)


def validate_entry(entry: Any) -> tuple[str, dict[str, int | str]]:
    """(PTX, metadata) of one kernel of the child's result, or a CompileError raised."""
    if not isinstance(entry, dict):
        raise malformed("an entry that is not a table")
    if "error" in entry or "ptx" not in entry:
        raise validate_error(entry.get("error"))
    ptx, meta = entry.get("ptx"), entry.get("meta")
    if not isinstance(ptx, str) or len(ptx.encode()) > MAX_PTX_BYTES:
        raise malformed(f"PTX that is not text of at most {MAX_PTX_BYTES >> 20} MiB")
    if not isinstance(meta, dict):
        raise malformed("metadata that is not a table")
    name = meta.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise malformed("a kernel name that is not an identifier")
    if name not in entry_signatures(ptx):
        raise malformed(f"PTX without the entry '{name}'")
    numbers: dict[str, int] = {}
    for key, top in (("shared", MAX_SHARED), ("num_warps", 32), ("global_scratch_size", 1 << 40)):
        value = meta.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
            raise malformed(f"metadata '{key}' that is not an integer from 0 to {top}")
        numbers[key] = value
    return ptx, {"name": name, **numbers}


def read_result(path: Path) -> dict[str, Any]:
    """The child's result file: a plain file, bounded, a JSON table (else CompileError)."""
    try:
        if not path.is_file() or path.is_symlink():
            raise malformed("no result file")
        if path.stat().st_size > MAX_RESULT_BYTES:
            raise malformed(f"a result larger than {MAX_RESULT_BYTES >> 20} MiB")
        data = json.loads(path.read_text())
    except (OSError, ValueError, UnicodeDecodeError):
        raise malformed("an unreadable result file") from None
    if not isinstance(data, dict):
        raise malformed("a result that is not a table")
    return data


def store_products(key: str, ptx: str, meta: dict[str, int | str]) -> None:
    _write_entry(key, {"triton.ptx": ptx.encode(), "triton.json": json.dumps(meta).encode()})


def load_products(key: str) -> tuple[str, dict[str, int | str]] | None:
    """The cached data of one compile, validated again (a cached error is raised)."""
    folder = _entry(key)
    try:
        if (folder / "error.json").is_file():
            raise validate_error(json.loads((folder / "error.json").read_text()))
        ptx = (folder / "triton.ptx").read_text()
        meta = json.loads((folder / "triton.json").read_text())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return validate_entry({"ptx": ptx, "meta": meta})


def triton_ptxas() -> str:
    """Triton's own ptxas (its PTX version may be newer than nvcc's), found in the installed
    package without importing it; else the toolkit's."""
    spec = importlib.util.find_spec("triton")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "backends" / "nvidia" / "bin" / "ptxas"
        if path.is_file():
            return str(path)
    return require_tool("ptxas")
