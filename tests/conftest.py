"""Shared fixtures: every test gets its own database, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "kw.db"
    monkeypatch.setenv("KERNELWRIGHT_DB", str(db))
    return db
