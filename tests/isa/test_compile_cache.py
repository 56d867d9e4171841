"""The judge-side compile cache (`isa.compile_cache`): what a worker adds is kept only for its
own source, checked, never replacing an entry; and caching works through the sandbox."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

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


def test_harvest_keeps_only_expected_artefacts(tmp_path: Path) -> None:
    worker, kept = tmp_path / "worker", tmp_path / "root" / "sources" / "ab" / "abcd"
    _entry(worker, "aa11", **{"kernel.ptx": "ptx", "meta.json": "{}"})
    _entry(worker, "bb22", **{"kernel.ptx": "ptx", "payload.sh": "#!/bin/sh"})
    _entry(worker, "cc33", **{"triton.ptx": "ptx", "triton.json": "{}"})
    assert compile_cache.harvest(worker, kept) == 2  # not the folder with a script in it
    assert not (kept / "nvidia" / "bb" / "bb22").exists()


def test_from_a_sandbox_where_candidate_code_ran_only_compile_data_is_kept(
    tmp_path: Path,
) -> None:
    worker, kept = tmp_path / "worker", tmp_path / "root" / "sources" / "ab" / "abcd"
    _entry(worker, "aa11", **{"kernel.cubin": "forged", "meta.json": "{}"})
    _entry(worker, "cc33", **{"triton.ptx": "ptx", "triton.json": "{}"})
    assert compile_cache.harvest(worker, kept, candidate_ran=True) == 1
    assert (kept / "nvidia" / "cc" / "cc33" / "triton.ptx").is_file()
    assert not (kept / "nvidia" / "aa").exists()


def test_oversized_artefacts_are_not_kept(tmp_path: Path) -> None:
    worker, kept = tmp_path / "worker", tmp_path / "root" / "sources" / "ab" / "abcd"
    _entry(worker, "aa11", **{"error.json": "x" * (compile_cache.ARTEFACTS["error.json"] + 1)})
    assert compile_cache.harvest(worker, kept) == 0


def test_the_cache_is_capped_and_evicts_the_least_recently_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "root"
    folders = []
    for i in range(4):
        if i == 3:
            compile_cache.seed(folders[0], tmp_path / "seeded")  # the first is used again
            monkeypatch.setenv(compile_cache.CACHE_MAX_ENV, "5K")  # 4 x 2000 bytes is over
        worker = tmp_path / f"worker{i}"
        _entry(worker, f"aa{i}", **{"kernel.ptx": "x" * 2000})
        kept = compile_cache.source_folder(root, "cuda:sm_90", f"source {i}")
        assert compile_cache.harvest(worker, kept) == 1
        if i < 3:
            os.utime(kept, (1000 * (i + 1), 1000 * (i + 1)))
        folders.append(kept)
    assert [f.is_dir() for f in folders] == [True, False, False, True]
    total = sum(p.stat().st_size for p in (root / "sources").rglob("*") if p.is_file())
    assert total <= 5 << 10


def test_a_bad_cache_cap_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(compile_cache.CACHE_MAX_ENV, "lots")
    with pytest.raises(compile_cache.CacheConfigError, match="must be a size such as 500M"):
        compile_cache.cache_max()
    monkeypatch.setenv(compile_cache.CACHE_MAX_ENV, "2G")
    assert compile_cache.cache_max() == 2 << 30
