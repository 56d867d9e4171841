"""The result database on a temporary SQLite file (and on a throwaway PostgreSQL server when
its binaries are installed)."""

from __future__ import annotations

import importlib.util
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from eval.records import ERROR, INVALID, VALID, TrialKey, TrialRecord
from eval.store import Store, StoreError, default_url, resolve_url
from tests.postgres_server import throwaway_postgres


def key(task: str = "add", seed: int = 0, run: str = "r1") -> TrialKey:
    return TrialKey(run, task, "tile", "emu", "tool-loop", "gpt-x", seed)


def record(k: TrialKey, status: str = VALID, **changes: object) -> TrialRecord:
    rec = TrialRecord(
        key=k,
        status=status,
        reason="" if status == VALID else "wrong output at c0[3]",
        source="LOAD t0, [a]\nSTORE [c], t0\n",
        verdict={"compiled": True, "configs": [{"name": "c0", "max_err": 1.5e-7}], "n": None},
        speedup=1.2345678901234567,
        roofline_pct=61.25,
        measures={"c0": 1024.0, "c1": 2048.5},
        unit="cycles",
        steps=7,
        first_valid_step=3,
        tokens_in=123_456_789_012,
        tokens_out=4567,
        cost_usd=0.0123,
        wall_s=12.5,
        started_at="2025-01-01T00:00:00+00:00",
        finished_at="2025-01-01T00:01:00+00:00",
    )
    return replace(rec, **changes)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    store = Store(str(tmp_path / "kw.db"))
    yield store
    store.close()


def check_round_trip(store: Store) -> None:
    rec = record(key())
    bare = record(key(seed=1), status=ERROR, speedup=None, roofline_pct=None, verdict={})
    bare = replace(bare, first_valid_step=None, measures={})
    ids = [store.save_trial(rec), store.save_trial(bare)]
    assert store.get_trial(ids[0]) == replace(rec, id=ids[0])
    assert store.get_trial(ids[1]) == replace(bare, id=ids[1])
    assert store.trials() == [replace(rec, id=ids[0]), replace(bare, id=ids[1])]
    assert store.get_trial(10_000) is None


def test_round_trip(db: Store) -> None:
    check_round_trip(db)


def test_duplicates_are_ignored(db: Store) -> None:
    first = db.save_trial(record(key()))
    again = db.save_trial(record(key(), status=INVALID, source="other"))
    assert again == first
    stored = db.trials()
    assert len(stored) == 1 and stored[0].status == VALID and stored[0].source != "other"


def test_resume_semantics(db: Store) -> None:
    done = [key("add", 0), key("add", 1), key("gemm", 0)]
    for k in done:
        db.save_trial(record(k))
    db.save_trial(record(key("add", 0, run="other")))
    assert db.finished_keys("r1") == set(done)
    assert db.finished_keys("missing") == set()
    assert db.has_trial(key("gemm", 0)) and not db.has_trial(key("gemm", 1))
    assert [t.key for t in db.trials("other")] == [key("add", 0, run="other")]


def test_runs(db: Store) -> None:
    created = db.ensure_run("r1", {"suite": "smoke", "budget": {"steps": 20}})
    assert created["meta"] == {"suite": "smoke", "budget": {"steps": 20}}
    assert db.ensure_run("r1", {"suite": "changed"})["meta"] == created["meta"]
    db.save_trial(record(key()))
    db.save_trial(record(key(run="implicit")))
    runs = db.runs()
    assert [(r["name"], r["trials"]) for r in runs] == [("r1", 1), ("implicit", 1)]
    assert runs[1]["meta"] == {} and runs[0]["created_at"].endswith("+00:00")


def test_events(db: Store) -> None:
    k = key()
    assert db.append_event(k, 1, "tool_result", {"ok": False, "stderr": "line 3: bad"})
    assert db.append_event(k, 0, "message", {"role": "user", "text": "write add"})
    assert not db.append_event(k, 0, "message", {"role": "user", "text": "replayed"})
    assert db.append_event(key(seed=9), 0, "message", {})
    events = db.events(k)
    assert [(e["seq"], e["kind"]) for e in events] == [(0, "message"), (1, "tool_result")]
    assert events[0]["payload"] == {"role": "user", "text": "write add"}
    assert events[0]["created_at"].endswith("+00:00")
    assert db.events(key(seed=5)) == []


def test_clear_events_only_touches_an_unsaved_trial(db: Store) -> None:
    unfinished, finished = key(seed=1), key(seed=2)
    for k in (unfinished, finished):
        for seq in range(3):
            db.append_event(k, seq, "message", {"seq": seq})
    db.save_trial(record(finished))
    assert db.clear_events(unfinished) == 3
    assert db.events(unfinished) == []
    assert db.clear_events(finished) == 0
    assert len(db.events(finished)) == 3
    assert db.append_event(unfinished, 0, "message", {"again": True})  # seq 0 is free again


def test_baselines(db: Store) -> None:
    args = ("add", "tile", "emu", "c0")
    assert db.get_baseline(*args) is None
    assert db.put_baseline(*args, 1000.0, "cycles", "h1") == 1000.0
    assert db.put_baseline(*args, 999.0, "cycles", "h1") == 1000.0  # first measure is kept
    assert db.put_baseline(*args, 900.0, "cycles", "h1", replace=True) == 900.0
    db.put_baseline(*args, 800.0, "cycles", "h2")
    assert db.get_baseline(*args, source_hash="h1") == 900.0
    assert db.get_baseline(*args) == 800.0  # the newest
    assert db.get_baseline("add", "tile", "emu", "c1") is None


def test_two_stores_on_one_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    a, b = Store(str(path)), Store(f"sqlite:///{path}")
    a.save_trial(record(key("add")))
    assert b.has_trial(key("add"))
    assert b.save_trial(record(key("add"))) == a.trials()[0].id

    # A reader in the middle of a transaction does not block a writer (WAL).
    reader = sqlite3.connect(path, timeout=1)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM trials").fetchone() == (1,)
    b.save_trial(record(key("gemm")))
    assert reader.execute("SELECT count(*) FROM trials").fetchone() == (1,)  # its snapshot
    reader.rollback()
    reader.close()
    assert len(a.trials()) == 2

    # Concurrent writers through both stores: no failure, no duplicate.
    def write(store: Store, offset: int) -> None:
        for seed in range(20):
            store.save_trial(record(key("softmax", seed + offset)))

    threads = [threading.Thread(target=write, args=(s, off)) for s in (a, b) for off in (0, 10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(a.finished_keys("r1")) == 2 + 30
    a.close()
    b.close()


def test_bad_urls_give_one_sentence(tmp_path: Path) -> None:
    cases = {
        "nosuchdb://x/y": "no database driver for 'nosuchdb'",
        "://nothing": "is not a database URL",
        f"sqlite:///{tmp_path}/file/sub/x.db": "cannot create the database folder",
        "postgresql://kw@127.0.0.1:1/kw": r"cannot open the database at postgresql\+psycopg://kw@"
        if _has_module("psycopg")
        else r"no database driver for 'postgresql\+psycopg' is installed \(pip install",
    }
    (tmp_path / "file").write_text("a file, not a folder")
    for url, message in cases.items():
        with pytest.raises(StoreError, match=message) as info:
            Store(url)
        assert "\n" not in str(info.value)


def test_url_resolution(tmp_path: Path) -> None:
    assert str(resolve_url("postgresql://u:secret@h/db")).startswith("postgresql+psycopg://")
    assert str(resolve_url("postgres://u@h/db")).startswith("postgresql+psycopg://")
    assert str(resolve_url(str(tmp_path / "a.db"))) == f"sqlite:///{tmp_path / 'a.db'}"
    assert "secret" not in repr(Store(str(tmp_path / "b.db")))


def test_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KERNELWRIGHT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    expected = tmp_path / "xdg" / "kernelwright" / "kernelwright.db"
    assert default_url() == f"sqlite:///{expected}"
    store = Store()
    store.save_trial(record(key()))
    store.close()
    assert expected.is_file()

    monkeypatch.setenv("KERNELWRIGHT_DB", str(tmp_path / "env.db"))
    with Store() as store:
        assert store.trials() == []
    assert (tmp_path / "env.db").is_file()

    monkeypatch.delenv("KERNELWRIGHT_DB")
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    home_db = tmp_path / "home" / ".local" / "share" / "kernelwright" / "kernelwright.db"
    assert default_url() == f"sqlite:///{home_db}"


# --- PostgreSQL ---------------------------------------------------------------------------


def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with throwaway_postgres() as url:
        yield url


@pytest.mark.postgres
def test_postgres(pg_url: str) -> None:
    with Store(pg_url) as store:
        assert store.engine.dialect.name == "postgresql"
        check_round_trip(store)
        assert store.save_trial(record(key())) == store.trials()[0].id
        assert store.finished_keys("r1") == {key(seed=0), key(seed=1)}
        assert store.append_event(key(), 0, "message", {"text": "hi"})
        assert not store.append_event(key(), 0, "message", {"text": "again"})
        assert store.put_baseline("add", "tile", "emu", "c0", 10.0, "cycles", "h") == 10.0
        with Store(pg_url) as other:
            assert other.has_trial(key(seed=1))


def test_stores_opened_at_once_on_a_new_file_all_open(tmp_path: Path) -> None:
    # A run creating the tables while another process opens the same new file used to fail
    # with "table runs already exists".
    errors: list[Exception] = []

    def open_store(path: Path) -> None:
        try:
            Store(str(path)).close()
        except Exception as exc:
            errors.append(exc)

    for round_ in range(3):
        path = tmp_path / f"race{round_}.db"
        threads = [threading.Thread(target=open_store, args=(path,)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors[0]


def test_opening_while_another_process_creates_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two processes opening a new database at once both find no tables, and the slower
    # CREATE TABLE fails with "already exists": the store must then simply open it.
    from sqlalchemy import create_engine

    from eval.store import Base

    path = tmp_path / "kw.db"
    create_all = Base.metadata.create_all
    raced: list[bool] = []

    def racing_create_all(bind: object, **kwargs: object) -> None:
        if not raced:
            raced.append(True)
            other = create_engine(f"sqlite:///{path}")
            create_all(other)  # the other process wins the race...
            other.dispose()
            create_all(bind, checkfirst=False)  # ...after this one had found no tables
        create_all(bind)

    monkeypatch.setattr(Base.metadata, "create_all", racing_create_all)
    with Store(str(path)) as store:
        assert store.trials("none") == []
    assert raced == [True]


def test_a_reading_store_never_creates_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "x.db"
    with pytest.raises(StoreError, match=r"no database at .*nothing has been stored there yet"):
        Store(str(missing), create=False)
    assert not (tmp_path / "no").exists()
    Store(str(tmp_path / "kw.db")).close()  # a writer creates it...
    with Store(str(tmp_path / "kw.db"), create=False) as store:  # ...then a reader opens it
        assert store.trials() == []
