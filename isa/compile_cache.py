"""The compile cache's trust boundary: it lives on the judge's side, never in a sandbox.

A worker gets a private copy of the entries of the candidate it runs, in `<workdir>/cache`
(its `$KERNELWRIGHT_CACHE_DIR`), and may add entries there. After the worker has stopped,
the judge takes the new entries back, checked (plain files with plain names, bounded in
number and size), into a folder of the cache keyed by the hash of the target and the
candidate's source. Whatever a worker writes, candidate code included (a Triton file runs
Python at compile time), is therefore only ever read again by runs of the very same source:
it cannot poison another candidate's compile, and it never replaces an entry already kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

WORKDIR_CACHE = "cache"  # the worker's cache folder, inside its workdir
MAX_FILES = 2048
MAX_BYTES = 256 << 20
MAX_DEPTH = 6
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def source_folder(root: Path, target: str, source: str) -> Path:
    """The judge-side folder of one candidate's entries."""
    digest = hashlib.sha256(f"{target}\0{source}".encode()).hexdigest()
    return root / "sources" / digest[:2] / digest


def seed(kept: Path, workdir_cache: Path) -> None:
    """Copy a candidate's kept entries into a worker's cache folder (a missing folder or an
    unreadable cache only costs a recompile)."""
    workdir_cache.mkdir(parents=True, exist_ok=True)
    if not kept.is_dir():
        return
    with contextlib.suppress(OSError, shutil.Error):
        shutil.copytree(kept, workdir_cache, symlinks=False, dirs_exist_ok=True)


def harvest(workdir_cache: Path, kept: Path) -> int:
    """Keep the entries a worker added: every folder of plain files not kept yet is copied,
    then renamed into place whole. Links, devices, odd names, deep trees and oversized
    output are skipped. Returns how many folders were kept."""
    groups = _read_entries(workdir_cache)
    stored = 0
    for rel, files in groups.items():
        dest = kept / rel
        if dest.exists():
            continue  # never replaced
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=dest.parent))
            for name, data in files.items():
                (tmp / name).write_bytes(data)
            try:
                tmp.rename(dest)
                stored += 1
            except OSError:  # kept by another judge meanwhile
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            continue
    return stored


def _read_entries(root: Path) -> dict[Path, dict[str, bytes]]:
    """Folder (relative) -> {file name: bytes}, for folders that hold only plain files."""
    groups: dict[Path, dict[str, bytes]] = {}
    if not _is_dir(root):
        return groups
    budget_files, budget_bytes = MAX_FILES, MAX_BYTES
    for folder, dirs, files in os.walk(root, followlinks=False):
        rel = Path(folder).relative_to(root)
        if len(rel.parts) >= MAX_DEPTH or any(not _NAME.match(p) for p in rel.parts):
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if _NAME.match(d) and _is_dir(Path(folder) / d)]
        if not files or dirs:
            continue  # entries are leaf folders of files
        entry: dict[str, bytes] = {}
        for name in files:
            data = _read_plain(Path(folder) / name, budget_bytes) if _NAME.match(name) else None
            if data is None or budget_files <= 0:
                entry = {}
                break
            entry[name] = data
            budget_files -= 1
            budget_bytes -= len(data)
        if entry:
            groups[rel] = entry
    return groups


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _read_plain(path: Path, limit: int) -> bytes | None:
    """The bytes of a plain file (not a link, FIFO or device), or None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)
