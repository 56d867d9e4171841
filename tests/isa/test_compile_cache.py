"""The judge-side compile cache (`isa.compile_cache`): what a worker adds is kept only for its
own source, checked, never replacing an entry; and caching works through the sandbox."""

from __future__ import annotations

import json
import os
from pathlib import Path

from isa import compile_cache
from isa.harness import compile_cache_dir
from tests.adversarial.exploits import judge


def _entry(root: Path, key: str, **files: str) -> Path:
    folder = root / "nvidia" / key[:2] / key
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_source_folders_differ_by_target_and_source(tmp_path: Path) -> None:
    a = compile_cache.source_folder(tmp_path, "cuda:sm_90", "x")
    assert a == compile_cache.source_folder(tmp_path, "cuda:sm_90", "x")
    assert a != compile_cache.source_folder(tmp_path, "cuda:sm_80", "x")
    assert a != compile_cache.source_folder(tmp_path, "cuda:sm_90", "y")
    assert a.is_relative_to(tmp_path / "sources")


def test_harvest_keeps_plain_entries_and_skips_the_rest(tmp_path: Path) -> None:
    worker, kept = tmp_path / "worker", tmp_path / "kept"
    _entry(worker, "aa11", **{"meta.json": "{}", "kernel.ptx": "ptx"})
    linked = _entry(worker, "bb22", **{"meta.json": "{}"})
    (linked / "kernel.ptx").symlink_to("/etc/passwd")
    fifo = _entry(worker, "cc33", **{"meta.json": "{}"})
    os.mkfifo(fifo / "kernel.ptx")
    (worker / "nvidia" / "dd").mkdir()
    (worker / "nvidia" / "dd" / "..odd").mkdir()
    (worker / "nvidia" / "dd" / "..odd" / "x").write_text("x")
    (worker / "nvidia" / "ee").symlink_to(tmp_path)

    assert compile_cache.harvest(worker, kept) == 1
    kept_files = sorted(str(p.relative_to(kept)) for p in kept.rglob("*") if p.is_file())
    assert kept_files == ["nvidia/aa/aa11/kernel.ptx", "nvidia/aa/aa11/meta.json"]


def test_harvest_never_replaces_a_kept_entry(tmp_path: Path) -> None:
    worker, kept = tmp_path / "worker", tmp_path / "kept"
    _entry(kept, "aa11", **{"kernel.ptx": "original"})
    compile_cache.seed(kept, worker)
    (worker / "nvidia" / "aa" / "aa11" / "kernel.ptx").write_text("tampered")
    assert compile_cache.harvest(worker, kept) == 0
    assert (kept / "nvidia" / "aa" / "aa11" / "kernel.ptx").read_text() == "original"


def test_a_second_verification_reads_the_kept_compile() -> None:
    """Through the real sandbox: the first verification's compile is kept judge-side and the
    second one's worker reads it (the kept entry's recorded compile time comes back)."""
    source = (Path(__file__).parents[2] / "tasks" / "silu" / "cuda" / "naive.cu").read_text()
    source += "\n// compile-cache test\n"
    first = judge("silu", "cuda:sm_90", source, configs=("C1",), executor="emu")
    assert first.valid, first.reason
    kept = compile_cache.source_folder(compile_cache_dir(), "cuda:sm_90", source)
    metas = list(kept.rglob("meta.json"))
    assert len(metas) == 1
    meta = json.loads(metas[0].read_text())
    meta["compile_s"] = 123.0
    metas[0].write_text(json.dumps(meta))
    second = judge("silu", "cuda:sm_90", source, configs=("C1",), executor="emu")
    assert second.valid, second.reason
    assert second.diagnostics["compile_s"] == 123.0
