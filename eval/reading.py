"""Opening the store for a command that only reads it: a missing database is an error,
never created (a typo in --db must not leave an empty database behind)."""

from __future__ import annotations

from pathlib import Path

from eval.store import Store, StoreError, default_url, resolve_url


def open_existing(db: str | None) -> Store:
    """The store at `db` (or the default), which must exist already."""
    url = resolve_url(db or default_url())
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database or "")
        if not path.is_file():
            raise StoreError(f"no database at {path}; run `kernelwright run` first or pass --db")
    return Store(db)
