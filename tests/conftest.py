"""Shared fixtures: every test gets its own database and compile cache, never the user's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_compile_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Compiled kernels are cached for the session, in a folder of the tests' own."""
    cache = tmp_path_factory.mktemp("compile-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KERNELWRIGHT_CACHE_DIR", str(cache))
        yield cache


@pytest.fixture(autouse=True)
def _private_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "kw.db"
    monkeypatch.setenv("KERNELWRIGHT_DB", str(db))
    return db
