"""The `local` sandbox: a child process in its own session, under rlimits, with an
environment built from scratch, output spooled to files, and a wall clock that kills the
whole process group; inside bubblewrap (`sandbox.isolation`): no network, a read-only
system, a private /tmp, only the workdir writable, and an unprivileged uid.

Without bubblewrap it refuses to run (the result's reason says why) unless the user opted
in to degraded mode (`KERNELWRIGHT_ALLOW_UNISOLATED=1` or `--allow-unisolated`).
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import math
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from sandbox import isolation
from sandbox.base import Limits, ProcessResult, check_run_args

log = logging.getLogger(__name__)

SYSTEM_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")

# Names a worker must never see, whoever asks for them. Matched on the upper-cased name.
SECRET_PATTERNS = ("*API_KEY", "*TOKEN*", "*SECRET*", "*PASSWORD*", "*CREDENTIAL*", "AWS_*")

# The folder that holds the project's packages (sandbox, isa, tasks, ...), so that worker
# scripts can `import isa` without the project being installed for the worker's Python.
PROJECT_ROOT = isolation.PROJECT_ROOT


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
        "USER": "sandbox",
        "LOGNAME": "sandbox",
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        # One BLAS thread: threads count against the process limit, and results stay
        # independent of the machine's core count.
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
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
    """RLIMIT_NPROC counts every process and thread of the uid. As root each isolated run
    gets a fresh uid, so the allowance is exact; otherwise it is added to what the user
    already runs."""
    if os.geteuid() == 0:
        return nproc  # a fresh uid when isolated; not enforced for root when degraded
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
    """Runs processes on this machine in bubblewrap, under rlimits and a scrubbed
    environment. `allow_unisolated` (default: `$KERNELWRIGHT_ALLOW_UNISOLATED`) lets it run
    without bubblewrap when isolation is not available."""

    name = "local"

    def __init__(self, allow_unisolated: bool | None = None) -> None:
        self.allow_unisolated = (
            isolation.allow_unisolated() if allow_unisolated is None else allow_unisolated
        )

    @property
    def isolation(self) -> str:
        found = isolation.detect()
        if isinstance(found, isolation.Bubblewrap):
            who = "a fresh unprivileged uid" if found.setpriv else "the caller's uid"
            return (
                f"bubblewrap {'.'.join(map(str, found.version))} (no network, read-only "
                f"system, private /tmp, only the workdir writable, {who})"
            )
        if self.allow_unisolated:
            return f"none, degraded mode by request ({found})"
        return f"unavailable, refusing to run ({found})"

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
        workdir = check_run_args(argv, workdir)
        (workdir / "tmp").mkdir(exist_ok=True)
        box = isolation.detect()
        prefix: list[str] = []
        if isinstance(box, isolation.Bubblewrap):
            uid = isolation.fresh_uid()
            if box.setpriv is not None:
                isolation.give_to(workdir, uid)
            prefix = isolation.command(box, workdir, uid, tmpfs_mb=limits.fsize_mb)
        elif refused := isolation.refusal(self.allow_unisolated):
            return _refused(limits, refused)
        return _spawn(prefix, argv, workdir, limits, env, stdin)


def _refused(limits: Limits, why: str) -> ProcessResult:
    return ProcessResult(
        returncode=127,
        stdout="",
        stderr="",
        timed_out=False,
        signal=None,
        wall_s=0.0,
        limits=limits,
        start_error=why,
    )


def _spawn(
    prefix: list[str],
    argv: list[str],
    workdir: Path,
    limits: Limits,
    env: Mapping[str, str] | None,
    stdin: bytes | None,
) -> ProcessResult:
    rlimits = _rlimits(limits)
    child_env = worker_env(workdir, env)
    if prefix and "/" not in argv[0]:
        # bubblewrap looks programs up in its own PATH; resolve it against the child's.
        found = shutil.which(argv[0], path=child_env["PATH"])
        if found is None:
            return _refused(limits, f"{argv[0]}: No such file or directory")
        argv = [found, *argv[1:]]

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
                [*prefix, *argv],
                cwd=workdir,
                env=child_env,
                stdin=inp,
                stdout=out,
                stderr=err,
                start_new_session=True,
                preexec_fn=set_limits,
                close_fds=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return _refused(limits, f"{argv[0]}: {getattr(exc, 'strerror', None) or exc}")
        exited = _wait_for_exit(proc.pid, limits.wall_s)
        # Kill the group either way: the child may have left background processes. In
        # bubblewrap, killing it takes the whole pid namespace with it.
        _kill_group(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        wall_s = time.monotonic() - start
        returncode = os.waitstatus_to_exitcode(status)
        stdout, stdout_cut = _read_capped(out, limits.output_bytes)
        stderr, stderr_cut = _read_capped(err, limits.output_bytes)

    if prefix and returncode > 128 and returncode - 128 < signal.NSIG:
        returncode = 128 - returncode  # bubblewrap reports a child's signal N as 128 + N
    if prefix and returncode == 1 and stderr.startswith("bwrap: ") and exited:
        why = stderr.strip().splitlines()[0]
        return _refused(limits, f"{argv[0]}: {why.removeprefix('bwrap: ')}")
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
