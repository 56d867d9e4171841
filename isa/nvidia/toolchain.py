"""The real NVIDIA toolchain: nvcc to PTX, ptxas to cubin with its resource report, cuobjdump
for the SASS listing; every product cached by the hash of what went in.

Tools are looked up on PATH, then under /usr/local/cuda*/bin, then in NVIDIA's pip wheels
(`nvidia-cuda-nvcc`), then in Triton's bundled binaries (ptxas, cuobjdump, nvdisasm). This
module runs inside the sandboxed worker: compilers read candidate source.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from isa.base import CompileError
from isa.harness import compile_cache_dir

COMPILE_TIMEOUT_S = 120
NVCC_FLAGS = ("-O3", "-lineinfo", "-std=c++17")
SASS_LINES = 60  # instructions of the listing kept in the diagnostics


def cache_root() -> Path:
    """Where compiled products are kept: $KERNELWRIGHT_CACHE_DIR (the harness passes the
    judge's to the worker), else the user's cache."""
    return compile_cache_dir()


def _candidate_dirs() -> list[Path]:
    dirs = [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    dirs += sorted(Path("/usr/local").glob("cuda*/bin"), reverse=True)
    for site in sys.path:
        root = Path(site) / "nvidia"
        dirs += [root / "cu13" / "bin", root / "cuda_nvcc" / "bin"]
        dirs.append(Path(site) / "triton" / "backends" / "nvidia" / "bin")
    return dirs


@cache
def find_tool(name: str) -> str | None:
    """The path of an NVIDIA tool (nvcc, ptxas, cuobjdump, nvdisasm), or None."""
    for folder in _candidate_dirs():
        path = folder / name
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def require_tool(name: str) -> str:
    path = find_tool(name)
    if path is None:
        raise CompileError(
            f"the NVIDIA tool '{name}' is not installed; run scripts/install.sh "
            "(it installs NVIDIA's nvcc wheel) or put the CUDA toolkit on PATH"
        )
    return path


@cache
def tool_version(name: str) -> str:
    path = require_tool(name)
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else path


@dataclass
class KernelResources:
    """One kernel's line of the ptxas report."""

    registers: int = 0
    spill_stores: int = 0
    spill_loads: int = 0
    stack: int = 0
    shared: int = 0  # static shared memory, bytes
    barriers: int = 0
    sass_instructions: int = 0


@dataclass
class Compiled:
    """The products of one compile: the PTX the emulator runs, the cubin a GPU runs."""

    ptx: str
    cubin: bytes
    resources: dict[str, KernelResources]
    sass: str
    compile_s: float = 0.0
    cached: bool = False
    extra: dict[str, object] = field(default_factory=dict)  # e.g. Triton metadata

    def summary(self) -> dict[str, object]:
        return {
            "kernels": {k: asdict(r) for k, r in self.resources.items()},
            "compile_s": round(self.compile_s, 3),
            "cached": self.cached,
        }


# --- compile -----------------------------------------------------------------------------


def arch_number(arch: str) -> int:
    return int(arch.removeprefix("sm_"))


def compile_cuda(source: str, arch: str, filename: str = "kernel.cu") -> Compiled:
    """nvcc -> PTX (with line info) -> ptxas -> cubin, report and SASS; cached."""
    key = _key("cuda", arch, tool_version("nvcc"), " ".join(NVCC_FLAGS), filename, source)
    hit = load_cached(key)
    if hit is not None:
        return hit
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kw-nvcc-") as tmp:
        src = Path(tmp) / filename
        src.write_text(source)
        ptx_path = Path(tmp) / "kernel.ptx"
        argv = [require_tool("nvcc"), f"-arch={arch}", "-ptx", *NVCC_FLAGS, filename]
        proc = _run([*argv, "-o", ptx_path.name], Path(tmp))
        if proc.returncode != 0:
            error = nvcc_error(proc.stderr + proc.stdout, filename)
            store_error(key, error)
            raise error
        ptx = ptx_path.read_text()
    compiled = assemble(ptx, arch)
    compiled.compile_s = time.monotonic() - started
    store_cached(key, compiled)
    return compiled


def assemble(ptx: str, arch: str, ptxas: str | None = None) -> Compiled:
    """ptxas -v on PTX text: the cubin, the resource report and the SASS listing."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kw-ptxas-") as tmp:
        (Path(tmp) / "kernel.ptx").write_text(ptx)
        tool = ptxas or require_tool("ptxas")
        # Triton targets sm_90a on Hopper; assemble for the PTX's own target.
        declared = _TARGET.search(ptx)
        argv = [tool, f"-arch={declared[1] if declared else arch}", "-v", "kernel.ptx"]
        argv += ["-o", "kernel.cubin"]
        proc = _run(argv, Path(tmp))
        if proc.returncode != 0:
            raise ptxas_error(proc.stderr + proc.stdout)
        cubin = (Path(tmp) / "kernel.cubin").read_bytes()
        resources = parse_ptxas_report(proc.stderr + proc.stdout)
        sass = ""
        dump = find_tool("cuobjdump")
        if dump:
            out = _run([dump, "-sass", "kernel.cubin"], Path(tmp))
            if out.returncode == 0:
                sass = compact_sass(out.stdout)
    for name, count in count_sass(sass).items():
        if name in resources:
            resources[name].sass_instructions = count
    return Compiled(ptx, cubin, resources, sass, compile_s=time.monotonic() - started)


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            argv, cwd=cwd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        raise CompileError(
            f"{Path(argv[0]).name} took longer than {COMPILE_TIMEOUT_S} s and was stopped"
        ) from None


# --- diagnostics -------------------------------------------------------------------------

_NVCC_ERROR = re.compile(
    r"^(?P<file>[^\s(]+)\((?P<line>\d+)\): (?:catastrophic )?error: (?P<msg>.*)$"
)
_PTXAS_ERROR = re.compile(r"^ptxas [^,]*, line (?P<line>\d+); error\s*: (?P<msg>.*)$")


def nvcc_error(output: str, filename: str) -> CompileError:
    """The first error of nvcc's output as one sentence with the source line."""
    for line in output.splitlines():
        m = _NVCC_ERROR.match(line.strip())
        if m and Path(m["file"]).name == filename:
            return CompileError(f"nvcc: {m['msg'].strip()}", int(m["line"]))
    for line in output.splitlines():
        if "error" in line.lower():
            return CompileError(f"nvcc: {line.strip()}")
    first = output.strip().splitlines()[0] if output.strip() else "no output"
    return CompileError(f"nvcc failed: {first}")


def ptxas_error(output: str) -> CompileError:
    for line in output.splitlines():
        m = _PTXAS_ERROR.match(line.strip())
        if m:
            return CompileError(f"ptxas (PTX line {m['line']}): {m['msg'].strip()}")
    first = output.strip().splitlines()[0] if output.strip() else "no output"
    return CompileError(f"ptxas failed: {first}")


_TARGET = re.compile(r"^\s*\.target\s+(sm_\w+)", re.M)
_FUNC = re.compile(r"Compiling entry function '(?P<name>[^']+)'")
_PROPS = re.compile(r"Function properties for (?P<name>\S+)")
_STACK = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")
_USED = re.compile(r"Used (\d+) registers")
_SMEM = re.compile(r"(\d+) bytes smem")
_BARRIERS = re.compile(r"used (\d+) barriers")


def parse_ptxas_report(text: str) -> dict[str, KernelResources]:
    """Kernel name -> resources, from `ptxas -v` output."""
    found: dict[str, KernelResources] = {}
    current: KernelResources | None = None
    for line in text.splitlines():
        m = _FUNC.search(line) or _PROPS.search(line)
        if m:
            current = found.setdefault(m["name"], KernelResources())
            continue
        if current is None:
            continue
        if s := _STACK.search(line):
            current.stack, current.spill_stores, current.spill_loads = map(int, s.groups())
        if u := _USED.search(line):
            current.registers = int(u.group(1))
            if sm := _SMEM.search(line):
                current.shared = int(sm.group(1))
            if b := _BARRIERS.search(line):
                current.barriers = int(b.group(1))
    return found


_SASS_INSN = re.compile(r"^\s*/\*[0-9a-f]{4,}\*/\s+(?P<insn>.*?;)")
_SASS_FUNC = re.compile(r"Function : (?P<name>\S+)")


def compact_sass(listing: str) -> str:
    """The SASS listing without encodings: one `name:` line per kernel, then instructions."""
    out = []
    for line in listing.splitlines():
        if f := _SASS_FUNC.search(line):
            out.append(f"{f['name']}:")
        elif m := _SASS_INSN.match(line):
            out.append("  " + " ".join(m["insn"].split()))
    return "\n".join(out)


def count_sass(sass: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    current = ""
    for line in sass.splitlines():
        if not line.startswith(" "):
            current = line.rstrip(":")
            counts[current] = 0
        elif current:
            counts[current] += 1
    return counts


def sass_excerpt(sass: str, limit: int = SASS_LINES) -> str:
    lines = sass.splitlines()
    if len(lines) <= limit:
        return sass
    return "\n".join(lines[:limit]) + f"\n  ... {len(lines) - limit} more lines"


# --- cache -------------------------------------------------------------------------------


def _key(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def cache_key(*parts: str) -> str:
    return _key(*parts)


def _entry(key: str, root: Path | None = None) -> Path:
    return (root or cache_root()) / "nvidia" / key[:2] / key


def is_cached(key: str, root: Path) -> bool:
    """An entry (a compile or a compile error) for `key` exists in the cache at `root`."""
    folder = _entry(key, root)
    return (folder / "meta.json").is_file() or (folder / "error.json").is_file()


def load_cached(key: str) -> Compiled | None:
    """A cached compile, or None; a cached compile error is raised again."""
    folder = _entry(key)
    try:
        if (folder / "error.json").is_file():
            data = json.loads((folder / "error.json").read_text())
            raise CompileError(data["message"], data.get("line"))
        meta = json.loads((folder / "meta.json").read_text())
        resources = {k: KernelResources(**v) for k, v in meta["resources"].items()}
        return Compiled(
            ptx=(folder / "kernel.ptx").read_text(),
            cubin=(folder / "kernel.cubin").read_bytes(),
            resources=resources,
            sass=(folder / "sass.txt").read_text(),
            compile_s=float(meta.get("compile_s", 0.0)),
            cached=True,
            extra=dict(meta.get("extra", {})),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no entry, or a damaged one: compile again


def store_cached(key: str, compiled: Compiled) -> None:
    """Write an entry atomically (a folder renamed into place); failures are not fatal."""
    meta = {
        "resources": {k: asdict(r) for k, r in compiled.resources.items()},
        "compile_s": compiled.compile_s,
        "extra": compiled.extra,
    }
    _write_entry(
        key,
        {
            "kernel.ptx": compiled.ptx.encode(),
            "kernel.cubin": compiled.cubin,
            "sass.txt": compiled.sass.encode(),
            "meta.json": json.dumps(meta).encode(),
        },
    )


def store_error(key: str, error: CompileError) -> None:
    _write_entry(
        key, {"error.json": json.dumps({"message": error.message, "line": error.line}).encode()}
    )


def _write_entry(key: str, files: dict[str, bytes]) -> None:
    folder = _entry(key)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        try:
            tmp.rename(folder)
        except OSError:  # another worker stored it first
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        pass  # a read-only or full cache only costs a recompile
