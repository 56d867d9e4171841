"""The result database: runs, trials, per-step events and measured baselines.

The store is the single source of truth; leaderboards and reports are recomputed from it.
It speaks SQLAlchemy 2, so one code path serves a local SQLite file (the default: one user,
one machine, concurrent workers) and PostgreSQL (a team or a cluster).

Writes are idempotent on natural keys: saving a trial that already exists, or appending an
event whose sequence number is already stored, changes nothing. That is what makes runs
resumable and lets two workers race without duplicating rows.
"""

from __future__ import annotations

import os
import time
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from eval.records import TrialKey, TrialRecord

KEY_FIELDS = ("run", "task", "target", "executor", "agent", "model", "seed")
SQLITE_BUSY_TIMEOUT_MS = 30_000

# JSONB on PostgreSQL (indexable, compact); plain JSON text elsewhere.
Json = JSON().with_variant(postgresql.JSONB(), "postgresql")


class StoreError(Exception):
    """The database cannot be opened or used; the message is one sentence for the user."""


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    meta: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class _KeyColumns:
    """The TrialKey columns, shared by trials and events."""

    run: Mapped[str] = mapped_column(String(200), ForeignKey("runs.name"))
    task: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(100))
    executor: Mapped[str] = mapped_column(String(50))
    agent: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(200))
    seed: Mapped[int] = mapped_column(BigInteger)


class TrialRow(_KeyColumns, Base):
    __tablename__ = "trials"
    __table_args__ = (UniqueConstraint(*KEY_FIELDS, name="uq_trials_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    verdict: Mapped[dict[str, Any]] = mapped_column(Json)
    speedup: Mapped[float | None] = mapped_column(Float(precision=53))
    roofline_pct: Mapped[float | None] = mapped_column(Float(precision=53))
    measures: Mapped[dict[str, float]] = mapped_column(Json)
    unit: Mapped[str] = mapped_column(String(20))
    steps: Mapped[int] = mapped_column(Integer)
    first_valid_step: Mapped[int | None] = mapped_column(Integer)
    tokens_in: Mapped[int] = mapped_column(BigInteger)
    tokens_out: Mapped[int] = mapped_column(BigInteger)
    cost_usd: Mapped[float] = mapped_column(Float(precision=53))
    wall_s: Mapped[float] = mapped_column(Float(precision=53))
    started_at: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int] = mapped_column(Integer)


class EventRow(_KeyColumns, Base):
    """One step of a trial (a message, a tool call, a result), written as it happens, before
    the trial itself is saved; hence keyed by the trial key rather than a trial id."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint(*KEY_FIELDS, "seq", name="uq_events_key_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class BaselineRow(Base):
    __tablename__ = "baselines"
    __table_args__ = (
        UniqueConstraint(
            "task", "target", "executor", "config", "source_hash", name="uq_baselines_key"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(100))
    executor: Mapped[str] = mapped_column(String(50))
    config: Mapped[str] = mapped_column(String(200))
    measure: Mapped[float] = mapped_column(Float(precision=53))
    unit: Mapped[str] = mapped_column(String(20))
    source_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


def default_url() -> str:
    """`$KERNELWRIGHT_DB`, else a SQLite file under `$XDG_DATA_HOME/kernelwright/`."""
    if url := os.environ.get("KERNELWRIGHT_DB"):
        return url
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return f"sqlite:///{Path(data_home) / 'kernelwright' / 'kernelwright.db'}"


def resolve_url(url: str) -> URL:
    """A SQLAlchemy URL from what a user typed: a URL, or a bare path to a SQLite file.
    `postgresql://` means psycopg 3, the driver the `postgres` extra installs."""
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"'{url}' is not a database URL or a file path") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _iso(moment: datetime) -> str:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _key(row: _KeyColumns) -> TrialKey:
    return TrialKey(**{name: getattr(row, name) for name in KEY_FIELDS})


def _key_filter(cls: type[_KeyColumns], key: TrialKey) -> list[Any]:
    return [getattr(cls, name) == getattr(key, name) for name in KEY_FIELDS]


def _to_record(row: TrialRow) -> TrialRecord:
    values = {f.name: getattr(row, f.name) for f in fields(TrialRecord) if f.name != "key"}
    return TrialRecord(key=_key(row), **values)


class Store:
    """The result database. `url` is a SQLAlchemy URL or a SQLite file path; without one,
    `default_url()`. Tables are created on first use. With `create=False` (the commands that
    only read) a SQLite file that does not exist is an error instead of a new database."""

    def __init__(self, url: str | None = None, *, create: bool = True) -> None:
        self.url = resolve_url(url or default_url())
        if not create:
            self._require_existing(self.url)
        self.engine = self._connect(self.url)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    @staticmethod
    def _require_existing(url: URL) -> None:
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return  # a server's database exists or the connection says why not
        path = Path(url.database)
        if not path.is_file():
            raise StoreError(
                f"no database at {path}: nothing has been stored there yet "
                "(`kernelwright run` creates it; --db or $KERNELWRIGHT_DB names another)"
            )

    @staticmethod
    def _connect(url: URL) -> Engine:
        is_sqlite = url.get_backend_name() == "sqlite"
        if is_sqlite and url.database and url.database != ":memory:":
            folder = Path(url.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the database folder {folder}: {exc}") from None
        # A PostgreSQL host that does not answer should fail in seconds, not hang a run.
        connect_args = {"connect_timeout": 10} if url.get_backend_name() == "postgresql" else {}
        try:
            engine = create_engine(url, connect_args=connect_args)
        except (NoSuchModuleError, ImportError) as exc:
            hint = " (pip install 'kernelwright[postgres]')" if "postgres" in url.drivername else ""
            raise StoreError(
                f"no database driver for '{url.drivername}' is installed{hint}: {exc}"
            ) from None
        if is_sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
        attempts = 20
        for attempt in range(attempts):
            try:
                Base.metadata.create_all(engine)
                break
            except SQLAlchemyError as exc:
                detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
                if "already exists" in detail and attempt < attempts - 1:
                    continue  # another process created the tables between check and create
                if "database is locked" in detail and attempt < attempts - 1:
                    # SQLite answers at once, without its busy timeout, when a reader must
                    # become a writer while another opener creates the schema: back off.
                    time.sleep(0.05 * (attempt + 1))
                    continue
                engine.dispose()
                raise StoreError(f"cannot open the database at {_shown(url)}: {detail}") from None
        return engine

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({_shown(self.url)!r})"

    # --- runs -------------------------------------------------------------------------------

    def ensure_run(self, name: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
        """Create the run if it is new (with `meta`); an existing run keeps its first meta,
        so resuming a run cannot rewrite how it was started. Returns the run as `runs()`."""
        with self._session.begin() as session:
            self._insert_ignore(session, RunRow, {"name": name, "meta": meta or {}})
        return self._runs(name)[0]

    def runs(self) -> list[dict[str, Any]]:
        """Every run, oldest first: name, created_at, meta, trials (how many are stored)."""
        return self._runs()

    def _runs(self, name: str | None = None) -> list[dict[str, Any]]:
        count = select(TrialRow.run, func.count().label("n")).group_by(TrialRow.run).subquery()
        query = (
            select(RunRow, count.c.n)
            .outerjoin(count, count.c.run == RunRow.name)
            .order_by(RunRow.created_at, RunRow.id)
        )
        if name is not None:
            query = query.where(RunRow.name == name)
        with self._session() as session:
            return [
                {
                    "name": run.name,
                    "created_at": _iso(run.created_at),
                    "meta": run.meta,
                    "trials": n or 0,
                }
                for run, n in session.execute(query)
            ]

    # --- trials -----------------------------------------------------------------------------

    def save_trial(self, rec: TrialRecord) -> int:
        """Store a finished trial and return its id. If a trial with the same key is stored
        already, nothing is written and that trial's id is returned (`rec` is not changed)."""
        values = rec.to_json()
        key = values.pop("key")
        values.pop("id")
        with self._session.begin() as session:
            self._insert_ignore(session, RunRow, {"name": rec.key.run, "meta": {}})
            self._insert_ignore(session, TrialRow, {**key, **values})
            trial_id = session.scalar(select(TrialRow.id).where(*_key_filter(TrialRow, rec.key)))
        assert trial_id is not None
        return trial_id

    def has_trial(self, key: TrialKey) -> bool:
        with self._session() as session:
            query = select(TrialRow.id).where(*_key_filter(TrialRow, key))
            return session.scalar(query) is not None

    def finished_keys(self, run: str) -> set[TrialKey]:
        """The keys a resumed run can skip."""
        with self._session() as session:
            rows = session.execute(
                select(*(getattr(TrialRow, name) for name in KEY_FIELDS)).where(TrialRow.run == run)
            )
            return {TrialKey(*row) for row in rows}

    def get_trial(self, trial_id: int) -> TrialRecord | None:
        with self._session() as session:
            row = session.get(TrialRow, trial_id)
            return _to_record(row) if row is not None else None

    def trials(self, run: str | None = None) -> list[TrialRecord]:
        """Stored trials in the order they were saved, of one run or of all."""
        query = select(TrialRow).order_by(TrialRow.id)
        if run is not None:
            query = query.where(TrialRow.run == run)
        with self._session() as session:
            return [_to_record(row) for row in session.scalars(query)]

    # --- events -----------------------------------------------------------------------------

    def append_event(self, key: TrialKey, seq: int, kind: str, payload: dict[str, Any]) -> bool:
        """Persist step `seq` of a trial's transcript. Writing the same (key, seq) again is a
        no-op, so a resumed trial can replay its steps; returns whether a row was written."""
        with self._session.begin() as session:
            self._insert_ignore(session, RunRow, {"name": key.run, "meta": {}})
            values = {
                **{name: getattr(key, name) for name in KEY_FIELDS},
                "seq": seq,
                "kind": kind,
                "payload": payload,
            }
            return self._insert_ignore(session, EventRow, values)

    def clear_events(self, key: TrialKey) -> int:
        """Delete the events of a trial that was never saved (a killed run left them), in one
        transaction, so a restarted trial writes its transcript from step 0 exactly once.
        The events of a saved trial are kept; returns how many rows were deleted."""
        with self._session() as session:  # the usual case, nothing left: no write at all
            left = select(EventRow.id).where(*_key_filter(EventRow, key)).limit(1)
            if session.scalar(left) is None:
                return 0
        with self._session.begin() as session:
            saved = session.scalar(select(TrialRow.id).where(*_key_filter(TrialRow, key)))
            if saved is not None:
                return 0
            result = session.execute(delete(EventRow).where(*_key_filter(EventRow, key)))
            return int(getattr(result, "rowcount", 0) or 0)

    def events(self, key: TrialKey) -> list[dict[str, Any]]:
        """A trial's events in step order, each {seq, kind, payload, created_at}."""
        query = select(EventRow).where(*_key_filter(EventRow, key)).order_by(EventRow.seq)
        with self._session() as session:
            return [
                {
                    "seq": row.seq,
                    "kind": row.kind,
                    "payload": row.payload,
                    "created_at": _iso(row.created_at),
                }
                for row in session.scalars(query)
            ]

    # --- baselines --------------------------------------------------------------------------

    def put_baseline(
        self,
        task: str,
        target: str,
        executor: str,
        config: str,
        measure: float,
        unit: str,
        source_hash: str,
        *,
        replace: bool = False,
    ) -> float:
        """Record the baseline kernel's measure for one config and return the measure kept.
        `source_hash` identifies the baseline's source, so a changed template is measured
        anew. The first measure of a key is kept, so every trial compares with the same
        number; `replace=True` overwrites it (e.g. after fixing the timing harness)."""
        ident = {
            "task": task,
            "target": target,
            "executor": executor,
            "config": config,
            "source_hash": source_hash,
        }
        with self._session.begin() as session:
            inserted = self._insert_ignore(
                session, BaselineRow, {**ident, "measure": measure, "unit": unit}
            )
            row = session.scalars(select(BaselineRow).filter_by(**ident)).one()
            if replace and not inserted:
                row.measure, row.unit, row.created_at = measure, unit, _now()
            return row.measure

    def get_baseline(
        self,
        task: str,
        target: str,
        executor: str,
        config: str,
        source_hash: str | None = None,
    ) -> float | None:
        """The baseline measure for a config (in the unit it was stored with); without
        `source_hash`, the most recently measured one."""
        query = select(BaselineRow.measure).filter_by(
            task=task, target=target, executor=executor, config=config
        )
        if source_hash is not None:
            query = query.filter_by(source_hash=source_hash)
        query = query.order_by(BaselineRow.created_at.desc(), BaselineRow.id.desc()).limit(1)
        with self._session() as session:
            return session.scalar(query)

    # --- helpers ----------------------------------------------------------------------------

    def _insert_ignore(self, session: Session, cls: type[Base], values: dict[str, Any]) -> bool:
        """INSERT unless a unique key already holds the row; True if a row was written.
        Uses ON CONFLICT DO NOTHING, so concurrent writers neither fail nor duplicate."""
        dialect = self.engine.dialect.name
        if dialect in ("sqlite", "postgresql"):
            dialect_insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
            stmt = dialect_insert(cls).values(values).on_conflict_do_nothing()
            # RETURNING yields a row only when one was written (rowcount is unreliable here).
            return session.execute(stmt.returning(literal_column("1"))).first() is not None
        try:  # other dialects: a savepoint keeps the outer transaction usable
            with session.begin_nested():
                session.execute(insert(cls).values(values))
        except IntegrityError:
            return False
        return True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work while a writer commits; the busy timeout makes a second writer
    wait its turn instead of failing with 'database is locked'."""
    cursor = dbapi_connection.cursor()
    # The timeout first: switching a new file to WAL takes a lock another opener may hold.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
