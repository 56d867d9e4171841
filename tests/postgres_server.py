"""A throwaway PostgreSQL server for tests: Debian's server binaries, a temporary folder, a
loopback port. PostgreSQL refuses to run as root, so as root it runs as `postgres` or
`nobody`. Tests that use it skip cleanly where the binaries or the driver are missing."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _pg_bin(name: str) -> str | None:
    """`name` on PATH, else from the newest of Debian's PostgreSQL versions (the `postgresql`
    package puts its server binaries in /usr/lib/postgresql/VERSION/bin, not on PATH)."""
    if found := shutil.which(name):
        return found
    versions = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    return max(versions, key=_version_of, default=None)


def _version_of(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL server, stopped and removed afterwards."""
    pytest.importorskip("psycopg")
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    user: dict[str, int] = {}
    if os.geteuid() == 0:
        account = next((n for n in ("postgres", "nobody") if _has_user(n)), None)
        if account is None:
            pytest.skip("running as root and no unprivileged user to run PostgreSQL as")
        entry = pwd.getpwnam(account)
        user = {"user": entry.pw_uid, "group": entry.pw_gid}
    folder = Path(tempfile.mkdtemp(prefix="kw-pg-"))
    if user:
        os.chown(folder, user["user"], user["group"])
    data, port = folder / "data", free_port()

    def run(*argv: str) -> None:
        subprocess.run(argv, check=True, capture_output=True, cwd=folder, timeout=60, **user)  # type: ignore[call-overload]

    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        run(initdb, "-D", str(data), "-U", "kw", "-A", "trust", "--no-sync", "-E", "UTF8")
        run(pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w", "start")
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {exc.stderr.decode()[-300:]}")
    try:
        yield f"postgresql://kw@127.0.0.1:{port}/postgres"
    finally:
        run(pg_ctl, "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
