"""The local sandbox's isolation (bubblewrap): what a child can and cannot reach, and the
refusal (or opted-in degraded mode) where bubblewrap is missing."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Limits, get_sandbox, isolation
from sandbox.local import LocalSandbox

PY = sys.executable
QUICK = Limits(wall_s=20, cpu_s=10)

needs_bwrap = pytest.mark.skipif(
    bool(isolation.unavailable_reason()), reason="bubblewrap cannot create a sandbox here"
)


@pytest.fixture
def no_bwrap(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(isolation.BWRAP_ENV, "")
    monkeypatch.delenv(isolation.ALLOW_UNISOLATED_ENV, raising=False)
    isolation.detect.cache_clear()
    yield
    isolation.detect.cache_clear()


def sh(code: str, workdir: Path, limits: Limits = QUICK) -> tuple[int, str, str]:
    result = get_sandbox("local").run(["sh", "-c", code], workdir, limits)
    return result.returncode, result.stdout, result.stderr


def test_refuses_without_bubblewrap(no_bwrap: None, tmp_path: Path) -> None:
    result = LocalSandbox().run([PY, "-c", "print(1)"], tmp_path, QUICK)
    assert not result.ok and result.stdout == ""
    assert result.reason.startswith("could not start: isolation is not available here: ")
    assert "KERNELWRIGHT_ALLOW_UNISOLATED=1" in result.reason
    assert "refusing" in LocalSandbox().describe()


def test_degraded_mode_only_when_asked(no_bwrap: None, tmp_path: Path) -> None:
    box = LocalSandbox(allow_unisolated=True)
    assert box.run([PY, "-c", "print(1)"], tmp_path, QUICK).stdout == "1\n"
    assert "degraded mode by request" in box.describe()


def test_degraded_mode_from_the_environment(
    no_bwrap: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(isolation.ALLOW_UNISOLATED_ENV, "1")
    assert isolation.refusal() == ""
    assert LocalSandbox().run([PY, "-c", "print(2)"], tmp_path, QUICK).stdout == "2\n"


@needs_bwrap
def test_describe_names_bubblewrap() -> None:
    assert "isolation: bubblewrap" in get_sandbox("local").describe()


@needs_bwrap
def test_unprivileged_uid(tmp_path: Path) -> None:
    _, out, _ = sh("id -u", tmp_path)
    uid = int(out)
    assert uid != 0
    if os.geteuid() == 0:
        assert uid in isolation.SANDBOX_UIDS


@needs_bwrap
def test_only_the_workdir_is_writable(tmp_path: Path) -> None:
    code = (
        "echo ok > here.txt && echo ok > $TMPDIR/t.txt && "
        f"(echo x > /usr/kw-x 2>&1; echo x > {isolation.PROJECT_ROOT}/kw-x 2>&1; "
        "echo x > /kw-x 2>&1; true)"
    )
    _, out, err = sh(code, tmp_path)
    out += err
    assert (tmp_path / "here.txt").read_text() == "ok\n"
    assert out.count("Read-only file system") == 2 and "Permission denied" in out
    assert not (isolation.PROJECT_ROOT / "kw-x").exists()


@needs_bwrap
def test_no_secrets_on_disk_and_no_network(tmp_path: Path) -> None:
    code = (
        "cat /etc/shadow /etc/passwd 2>&1; ls /root/.ssh /home 2>&1; "
        "python3 -c 'import socket; socket.create_connection((\"1.1.1.1\", 80), 2)' 2>&1 | "
        "tail -1; ls /proc | grep -c '^[0-9]'"
    )
    _, out, _ = sh(code, tmp_path)
    assert "root:" not in out
    assert "/etc/shadow: No such file" in out and "/root/.ssh" in out
    assert "Network is unreachable" in out
    assert int(out.strip().splitlines()[-1]) < 10  # its own pid namespace


@needs_bwrap
def test_process_limit_holds(tmp_path: Path) -> None:
    code = "for i in $(seq 60); do sleep 5 & done 2>&1 | head -1; echo done"
    _, out, err = sh(code, tmp_path, Limits(wall_s=20, nproc=16))
    assert "fork" in (out + err).lower() or "resource" in (out + err).lower()


@needs_bwrap
def test_toolchain_python_with_numpy_works_inside(tmp_path: Path) -> None:
    code = "import numpy, isa.worker; print(numpy.ones(3).sum())"
    result = get_sandbox("local").run([PY, "-c", code], tmp_path, QUICK)
    assert result.stdout == "3.0\n", result.stderr
