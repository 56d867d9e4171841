"""The compile cache's trust boundary: it lives on the judge's side, never in a sandbox.

A worker gets a private copy of the entries of the candidate it runs, in `<workdir>/cache`
(its `$KERNELWRIGHT_CACHE_DIR`), and may add entries there. After the worker has stopped,
the judge takes the new entries back, checked (plain files with plain names, bounded in
number and size), into a folder of the cache keyed by the hash of the target and the
candidate's source. Whatever a worker writes, candidate code included (a Triton file runs
Python at compile time), is therefore only ever read again by runs of the very same source:
it cannot poison another candidate's compile, and it never replaces an entry already kept.

Only the artefacts the toolchains write are kept (`ARTEFACTS`, each bounded in size); from a
worker in which candidate code ran, only `CANDIDATE_ARTEFACTS` (the data a compile returns,
which a later worker validates and assembles itself). The whole cache is capped at
`$KERNELWRIGHT_CACHE_MAX` bytes (default 2 GiB; suffixes K, M, G): past it, the candidates'
folders used least recently are removed.
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
MAX_FILES = 512
MAX_BYTES = 64 << 20  # one harvest
MAX_DEPTH = 6
# file name -> largest size kept: what the NVIDIA toolchain wrappers write, and nothing else
ARTEFACTS = {
    "kernel.ptx": 16 << 20,
    "kernel.cubin": 16 << 20,
    "sass.txt": 16 << 20,
    "meta.json": 1 << 20,
    "error.json": 64 << 10,
    "triton.ptx": 16 << 20,
    "triton.json": 64 << 10,
}
# What a worker in which candidate code ran may leave: the compile's data, never a product
# (a cubin, a resource report) that a later worker would trust.
CANDIDATE_ARTEFACTS = frozenset({"triton.ptx", "triton.json", "error.json"})
CACHE_MAX_ENV = "KERNELWRIGHT_CACHE_MAX"
DEFAULT_CACHE_MAX = 2 << 30
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_SIZE = re.compile(r"^\s*(\d+)\s*([KMG]?)i?B?\s*$", re.I)


class CacheConfigError(ValueError):
    """A bad `$KERNELWRIGHT_CACHE_MAX`; the message is one sentence."""


def cache_max() -> int:
    """The cache's size cap in bytes, from `$KERNELWRIGHT_CACHE_MAX` (e.g. 500M, 2G)."""
    raw = os.environ.get(CACHE_MAX_ENV, "").strip()
    if not raw:
        return DEFAULT_CACHE_MAX
    m = _SIZE.match(raw)
    if not m:
        raise CacheConfigError(f"${CACHE_MAX_ENV} must be a size such as 500M or 2G, got '{raw}'")
    return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2).upper()]


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
    with contextlib.suppress(OSError):
        os.utime(kept)  # used now: the last to be evicted
    with contextlib.suppress(OSError, shutil.Error):
        shutil.copytree(kept, workdir_cache, symlinks=False, dirs_exist_ok=True)


def harvest(workdir_cache: Path, kept: Path, candidate_ran: bool = False) -> int:
    """Keep the entries a worker added: every folder of expected artefacts not kept yet is
    copied, then renamed into place whole. Links, devices, unexpected or odd names, deep
    trees and oversized files are skipped; with `candidate_ran`, so is every artefact but
    `CANDIDATE_ARTEFACTS`. Then the cache is brought under its cap. Returns how many folders
    were kept."""
    allowed = CANDIDATE_ARTEFACTS if candidate_ran else frozenset(ARTEFACTS)
    groups = _read_entries(workdir_cache)
    stored = 0
    for rel, files in groups.items():
        dest = kept / rel
        if dest.exists() or not set(files) <= allowed:
            continue  # never replaced; never an unexpected file
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
    if stored and kept.parent.parent.name == "sources":  # kept = <root>/sources/xx/<digest>
        with contextlib.suppress(OSError):
            os.utime(kept)
        evict(kept.parent.parent.parent, cache_max())
    return stored


def _tree_bytes(folder: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def evict(root: Path, limit: int) -> int:
    """Remove the candidates' folders under `root/sources` used least recently until the
    cache holds at most `limit` bytes; returns how many were removed."""
    folders: list[tuple[float, int, Path]] = []
    base = root / "sources"
    try:
        shards = list(base.iterdir())
    except OSError:
        return 0
    for shard in shards:
        with contextlib.suppress(OSError):
            for folder in shard.iterdir():
                folders.append((folder.stat().st_mtime, _tree_bytes(folder), folder))
    total = sum(size for _, size, _ in folders)
    removed = 0
    for _mtime, size, folder in sorted(folders, key=lambda f: f[0]):
        if total <= limit:
            break
        shutil.rmtree(folder, ignore_errors=True)
        total -= size
        removed += 1
    return removed


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
            if name not in ARTEFACTS:
                return  # not something a toolchain wrote
            limit = min(budget[1], ARTEFACTS[name])
            data = _read_plain(fd, name, limit) if budget[0] > 0 else None
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
