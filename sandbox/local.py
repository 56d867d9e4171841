"""The `local` sandbox: a child process in its own session, under rlimits, with an
environment built from scratch, output spooled to files, and a wall clock that kills the
whole process group.

What it does not do yet: network, filesystem and user isolation. Those come from bubblewrap
and an unprivileged uid in this same backend; `describe()` reports which are in force.
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import math
import os
import resource
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from sandbox.base import Limits, ProcessResult

log = logging.getLogger(__name__)

SYSTEM_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")

# Names a worker must never see, whoever asks for them. Matched on the upper-cased name.
SECRET_PATTERNS = ("*API_KEY", "*TOKEN*", "*SECRET*", "*PASSWORD*", "*CREDENTIAL*", "AWS_*")

# The folder that holds the project's packages (sandbox, isa, tasks, ...), so that worker
# scripts can `import isa` without the project being installed for the worker's Python.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def is_secret(name: str) -> bool:
    upper = name.upper()
    return any(fnmatch.fnmatchcase(upper, pattern) for pattern in SECRET_PATTERNS)


def worker_env(workdir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's whole environment. Nothing is inherited from this process, so a key in
    the parent cannot leak; `extra` is filtered too, in case a caller forwards one."""
    python_dir = str(Path(sys.executable).parent)
    env = {
        "PATH": os.pathsep.join((python_dir, *SYSTEM_PATH)),
        "HOME": str(workdir),
        "TMPDIR": str(workdir / "tmp"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for name, value in (extra or {}).items():
        if is_secret(name):
            log.warning("not passing %s to the sandbox: it looks like a secret", name)
            continue
        env[name] = value
    return env


def _rlimits(limits: Limits) -> list[tuple[int, tuple[int, int]]]:
    """(resource, (soft, hard)) pairs, computed before fork so the child only calls
    setrlimit. Never above the current hard limit, which an unprivileged child cannot raise."""
    mb = 1 << 20
    cpu = math.ceil(limits.cpu_s)
    wanted = [
        # SIGXCPU at the soft limit, SIGKILL one second later if it is ignored.
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, (limits.memory_mb * mb, limits.memory_mb * mb)),
        (resource.RLIMIT_NPROC, (_nproc_limit(limits.nproc),) * 2),
        (resource.RLIMIT_FSIZE, (limits.fsize_mb * mb, limits.fsize_mb * mb)),
        (resource.RLIMIT_CORE, (0, 0)),
    ]
    pairs = []
    for res, (soft, hard) in wanted:
        _, current_hard = resource.getrlimit(res)
        if current_hard != resource.RLIM_INFINITY:
            hard = min(hard, current_hard)
        pairs.append((res, (min(soft, hard), hard)))
    return pairs


def _nproc_limit(nproc: int) -> int:
    """RLIMIT_NPROC counts every process and thread of the uid, not only the sandbox's, so
    until workers get their own uid the allowance is added to what the user already runs."""
    if os.geteuid() == 0:
        return nproc  # not enforced for root anyway
    return nproc + _tasks_of_uid(os.getuid())


def _tasks_of_uid(uid: int) -> int:
    count = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != uid:
                continue
            with open(f"/proc/{entry}/stat", "rb") as f:
                # Field 20 is num_threads; the command name (field 2) may contain spaces.
                count += int(f.read().rsplit(b")", 1)[1].split()[17])
        except (OSError, ValueError, IndexError):
            continue
    return count


def _read_capped(f: IO[bytes], cap: int) -> tuple[str, bool]:
    """The head and tail of a spooled stream, at most `cap` bytes in all: the head says what
    started, the tail holds the error that ended it."""
    size = f.seek(0, os.SEEK_END)
    f.seek(0)
    if size <= cap:
        return _decode(f.read()), False
    head = f.read(cap // 2)
    f.seek(size - (cap - cap // 2))
    tail = f.read()
    cut = size - len(head) - len(tail)
    text = f"{_decode(head)}\n[... {cut} bytes cut]\n{_decode(tail)}"
    return text, True


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _wait_for_exit(pid: int, timeout: float) -> bool:
    """Wait until `pid` exits without reaping it (so its pid, which is also its process
    group id, cannot be reused before we kill the group). False on timeout."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux, or pidfd blocked by seccomp
        return _poll_for_exit(pid, timeout)
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    return bool(ready)


def _poll_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    delay = 0.001
    while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.01)
    return True


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class LocalSandbox:
    """Runs processes on this machine under rlimits and a scrubbed environment."""

    name = "local"
    isolation = "none"  # "bubblewrap" once namespaces and an unprivileged uid are added

    def describe(self) -> str:
        return (
            f"local: own session and process group, rlimits (CPU, memory, processes, file "
            f"size, no core), scrubbed environment, wall timeout; isolation: {self.isolation}"
        )

    def run(
        self,
        argv: list[str],
        workdir: Path,
        limits: Limits,
        env: Mapping[str, str] | None = None,
        stdin: bytes | None = None,
    ) -> ProcessResult:
        if not argv or not all(isinstance(a, str) for a in argv):
            raise ValueError(f"argv must be a non-empty list of strings, got {argv!r}")
        workdir = Path(workdir).resolve()
        if not workdir.is_dir():
            raise ValueError(f"the sandbox workdir {workdir} is not a directory")
        (workdir / "tmp").mkdir(exist_ok=True)
        rlimits = _rlimits(limits)

        def set_limits() -> None:  # runs in the child between fork and exec
            for res, pair in rlimits:
                resource.setrlimit(res, pair)

        # Unlinked files in the workdir: a flood cannot block the child or fill our memory,
        # and RLIMIT_FSIZE bounds how much it can write.
        with (
            tempfile.TemporaryFile(dir=workdir) as out,
            tempfile.TemporaryFile(dir=workdir) as err,
            tempfile.TemporaryFile(dir=workdir) as inp,
        ):
            inp.write(stdin or b"")
            inp.seek(0)
            start = time.monotonic()
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=workdir,
                    env=worker_env(workdir, env),
                    stdin=inp,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                    preexec_fn=set_limits,
                    close_fds=True,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                return ProcessResult(
                    returncode=127,
                    stdout="",
                    stderr="",
                    timed_out=False,
                    signal=None,
                    wall_s=time.monotonic() - start,
                    limits=limits,
                    start_error=f"{argv[0]}: {getattr(exc, 'strerror', None) or exc}",
                )
            exited = _wait_for_exit(proc.pid, limits.wall_s)
            # Kill the group either way: the child may have left background processes.
            _kill_group(proc.pid)
            _, status, usage = os.wait4(proc.pid, 0)
            wall_s = time.monotonic() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            stdout, stdout_cut = _read_capped(out, limits.output_bytes)
            stderr, stderr_cut = _read_capped(err, limits.output_bytes)

        returncode = proc.returncode
        # ru_maxrss is in KiB on Linux.
        return ProcessResult(
            returncode=returncode,
            stdout=stdout,
            stderr=stderr,
            timed_out=not exited,
            signal=-returncode if returncode < 0 else None,
            wall_s=wall_s,
            limits=limits,
            cpu_s=usage.ru_utime + usage.ru_stime,
            max_rss_mb=usage.ru_maxrss / 1024,
            stdout_truncated=stdout_cut,
            stderr_truncated=stderr_cut,
        )
