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
    """Folder (relative) -> {file name: bytes}, for folders that hold only plain files.

    Every folder and file is opened relative to its parent's descriptor without following
    links, so a process left behind that swaps a folder for a link cannot make the judge
    read (and keep) a file outside the worker's cache."""
    groups: dict[Path, dict[str, bytes]] = {}
    budget = [MAX_FILES, MAX_BYTES]
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return groups
    try:
        _walk(fd, Path(), groups, budget)
    finally:
        os.close(fd)
    return groups


def _walk(fd: int, rel: Path, groups: dict[Path, dict[str, bytes]], budget: list[int]) -> None:
    try:
        names = sorted(os.listdir(fd))
    except OSError:
        return
    folders, files, odd = [], [], False
    for name in names:
        try:
            mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
        except OSError:
            mode = 0
        if _NAME.match(name) and stat.S_ISDIR(mode):
            folders.append(name)
        elif _NAME.match(name) and stat.S_ISREG(mode):
            files.append(name)
        else:
            odd = True  # a link, FIFO, device or odd name: not part of any entry
    if files and not folders and not odd and rel.parts:  # an entry: plain files only
        entry: dict[str, bytes] = {}
        for name in files:
            data = _read_plain(fd, name, budget[1]) if budget[0] > 0 else None
            if data is None:
                return
            entry[name] = data
            budget[0] -= 1
            budget[1] -= len(data)
        groups[rel] = entry
        return
    if len(rel.parts) + 1 >= MAX_DEPTH:
        return
    for name in folders:
        try:
            child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
        except OSError:
            continue
        try:
            _walk(child, rel / name, groups, budget)
        finally:
            os.close(child)


def _read_plain(dir_fd: int, name: str, limit: int) -> bytes | None:
    """The bytes of a plain file (not a link, FIFO or device), or None."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
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
