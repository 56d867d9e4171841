"""The real AMD toolchain: Debian's clang-19 compiles HIP C++ to AMDGCN assembly for a gfx
target with no GPU and no ROCm device library (`-nogpulib -nogpuinc`; `<hip/hip_runtime.h>`
is our own header in `include/`). Products are cached by the hash of what went in. This
module runs inside the sandboxed worker: the compiler reads candidate source."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from isa.amd.asm import Module, parse_module
from isa.base import CompileError
from isa.harness import compile_cache_dir

INCLUDE = Path(__file__).resolve().parent / "include"
CLANG_FLAGS = (
    "-x",
    "hip",
    "--cuda-device-only",
    "-O3",
    "-nogpulib",
    "-nogpuinc",
    "-gline-tables-only",
    "-std=c++17",
    "-S",
)
COMPILE_TIMEOUT_S = 120
MISSING = (
    "clang-19 is not installed: run scripts/install.sh, or `apt-get install clang-19 "
    "lld-19 llvm-19` on Debian or Ubuntu, to use the hip: targets"
)


@cache
def find_clang() -> str | None:
    for name in ("clang-19", "clang"):
        path = shutil.which(name)
        if path:
            return path
    for candidate in ("/usr/lib/llvm-19/bin/clang",):
        if Path(candidate).is_file():
            return candidate
    return None


def require_clang() -> str:
    path = find_clang()
    if path is None:
        raise CompileError(MISSING)
    return path


@cache
def clang_version() -> str:
    out = subprocess.run([require_clang(), "--version"], capture_output=True, text=True, timeout=60)
    return out.stdout.splitlines()[0] if out.stdout else "clang"


@dataclass
class Compiled:
    asm: str
    compile_s: float = 0.0
    cached: bool = False

    @property
    def module(self) -> Module:
        return _parse(self.asm)


@cache
def _parse_cached(digest: str, asm: str) -> Module:
    return parse_module(asm)


def _parse(asm: str) -> Module:
    return _parse_cached(hashlib.sha256(asm.encode()).hexdigest(), asm)


_DIAG = re.compile(
    r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<kind>error|fatal error): (?P<msg>.*)$",
    re.M,
)


def clang_error(output: str, filename: str) -> CompileError:
    for m in _DIAG.finditer(output):
        if Path(m["file"]).name == filename:
            return CompileError(m["msg"].strip(), int(m["line"]))
    for m in _DIAG.finditer(output):
        return CompileError(f"{Path(m['file']).name}:{m['line']}: {m['msg'].strip()}")
    lines = [ln for ln in output.splitlines() if ln.strip()]
    return CompileError(lines[-1] if lines else "clang failed without a message")


def compile_hip(source: str, arch: str, filename: str = "kernel.hip") -> Compiled:
    """clang-19 -> AMDGCN assembly with line tables; cached (errors too)."""
    clang = require_clang()
    key = _key(
        "hip", arch, clang_version(), " ".join(CLANG_FLAGS), _header_digest(), filename, source
    )
    folder = compile_cache_dir() / "amd" / key[:2] / key
    try:
        if (folder / "error.json").is_file():
            data = json.loads((folder / "error.json").read_text())
            raise CompileError(data["message"], data.get("line"))
        if (folder / "kernel.s").is_file():
            return Compiled((folder / "kernel.s").read_text(), cached=True)
    except (OSError, ValueError, KeyError):
        pass
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kw-hip-") as tmp:
        (Path(tmp) / filename).write_text(source)
        argv = [
            clang,
            *CLANG_FLAGS,
            f"--offload-arch={arch}",
            f"-I{INCLUDE}",
            filename,
            "-o",
            "kernel.s",
        ]
        try:
            proc = subprocess.run(
                argv, cwd=tmp, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            raise CompileError(f"clang took longer than {COMPILE_TIMEOUT_S} s") from None
        if proc.returncode != 0:
            error = clang_error(proc.stderr + proc.stdout, filename)
            _store(
                folder,
                {"error.json": json.dumps({"message": error.message, "line": error.line}).encode()},
            )
            raise error
        asm = (Path(tmp) / "kernel.s").read_text()
    if re.search(r"^\s*s_(swappc|setpc)_b64", asm, re.M):
        raise CompileError(
            "the kernel calls a function the compiler could not inline (a "
            "library function not provided by <hip/hip_runtime.h>?); only "
            "inline device functions are supported"
        )
    compiled = Compiled(asm, compile_s=time.monotonic() - started)
    _store(folder, {"kernel.s": asm.encode()})
    return compiled


@cache
def _header_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(INCLUDE.rglob("*.h")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _store(folder: Path, files: dict[str, bytes]) -> None:
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        try:
            tmp.rename(folder)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        pass


def listing(asm: str, kernel: str, limit: int = 80) -> str:
    """The instructions of one kernel, without directives and comments."""
    out, inside = [], False
    for line in asm.splitlines():
        if line.startswith(f"{kernel}:"):
            inside = True
            continue
        if inside and line.startswith(".Lfunc_end"):
            break
        stripped = line.split(";", 1)[0].rstrip()
        if inside and stripped.strip() and not stripped.strip().startswith("."):
            out.append(stripped.strip())
    if len(out) > limit:
        out = [*out[:limit], f"... {len(out) - limit} more instructions"]
    return "\n".join(out)
