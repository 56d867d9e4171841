"""The local sandbox against misbehaving children: leaks, hangs, floods, blow-ups, crashes."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import pytest

from sandbox import Limits, ProcessResult, Sandbox, UnknownSandbox, get_sandbox
from sandbox.local import is_secret

PY = sys.executable
QUICK = Limits(wall_s=10, cpu_s=10)


@pytest.fixture
def box() -> Sandbox:
    return get_sandbox("local")


def python(box: Sandbox, code: str, workdir: Path, limits: Limits = QUICK) -> ProcessResult:
    return box.run([PY, "-c", code], workdir, limits)


def test_registry_and_describe(box: Sandbox) -> None:
    assert isinstance(box, Sandbox)
    assert box.name == "local"
    assert "isolation:" in box.describe()
    with pytest.raises(UnknownSandbox, match="known sandboxes: docker, local"):
        get_sandbox("nope")


def test_success_has_no_reason(box: Sandbox, tmp_path: Path) -> None:
    result = python(box, "print('hi')", tmp_path)
    assert result.ok and result.reason == ""
    assert result.stdout == "hi\n"
    assert result.signal is None and not result.timed_out


def test_env_is_scrubbed(box: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOO_API_KEY", "sk-parent")
    monkeypatch.setenv("UNRELATED", "parent")
    code = "import json, os; print(json.dumps(dict(os.environ)))"
    extras = {"OPENAI_API_KEY": "x", "GH_TOKEN": "x", "AWS_REGION": "x", "MY_FLAG": "on"}
    result = box.run([PY, "-c", code], tmp_path, QUICK, env=extras)
    env = json.loads(result.stdout)
    assert not [name for name in env if is_secret(name)]
    assert "UNRELATED" not in env and "FOO_API_KEY" not in env
    assert env["MY_FLAG"] == "on"
    assert env["HOME"] == str(tmp_path.resolve())
    assert env["TMPDIR"] == str(tmp_path.resolve() / "tmp")
    assert (tmp_path / "tmp").is_dir()
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"


def test_project_packages_import(box: Sandbox, tmp_path: Path) -> None:
    result = python(box, "import sandbox.base; print('ok')", tmp_path)
    assert result.stdout == "ok\n", result.stderr


def test_cwd_is_workdir(box: Sandbox, tmp_path: Path) -> None:
    result = python(box, "import os; print(os.getcwd()); open('made', 'w').write('x')", tmp_path)
    assert result.stdout.strip() == str(tmp_path.resolve())
    assert (tmp_path / "made").read_text() == "x"


def test_stdin_is_passed(box: Sandbox, tmp_path: Path) -> None:
    code = "import sys; print(sys.stdin.read().upper())"
    result = box.run([PY, "-c", code], tmp_path, QUICK, stdin=b"abc")
    assert result.stdout == "ABC\n"


def _alive(marker: str) -> bool:
    """Whether a live host process has `marker` in its command line (pids inside the
    sandbox's pid namespace mean nothing out here)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker in cmdline and state != "Z":  # an unreaped zombie is dead for our purpose
            return True
    return False


def test_timeout_kills_child_and_grandchild(box: Sandbox, tmp_path: Path) -> None:
    start = time.monotonic()
    result = box.run(["sh", "-c", "sleep 100.0417 & sleep 100"], tmp_path, Limits(wall_s=0.5))
    assert time.monotonic() - start < 5
    assert result.timed_out and result.signal == signal.SIGKILL
    assert result.reason == "killed after the 0.5 s wall limit"
    deadline = time.monotonic() + 2
    while _alive("sleep 100.0417") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _alive("sleep 100.0417")


def test_background_processes_die_with_the_child(box: Sandbox, tmp_path: Path) -> None:
    result = box.run(["sh", "-c", "sleep 100.0418 &"], tmp_path, QUICK)
    assert result.ok and not result.timed_out
    deadline = time.monotonic() + 2
    while _alive("sleep 100.0418") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _alive("sleep 100.0418")


def test_output_flood_is_capped(box: Sandbox, tmp_path: Path) -> None:
    code = "import sys; sys.stdout.write('a' * 3_000_000 + 'END'); sys.stderr.write('e' * 10)"
    result = python(box, code, tmp_path, Limits(output_bytes=1000))
    assert result.ok
    assert result.stdout_truncated and result.output_truncated and not result.stderr_truncated
    assert result.stdout.startswith("a" * 500)
    assert result.stdout.endswith("END")
    assert f"[... {3_000_003 - 1000} bytes cut]" in result.stdout
    assert len(result.stdout) < 1100
    assert result.stderr == "e" * 10


def test_file_size_limit_stops_endless_output(box: Sandbox, tmp_path: Path) -> None:
    result = box.run(["yes"], tmp_path, Limits(fsize_mb=1, wall_s=10))
    assert not result.timed_out
    assert result.signal == signal.SIGXFSZ
    assert result.reason == "killed for writing a file over the 1 MB limit"
    assert len(result.stdout) < (1 << 20) + 100


def test_memory_limit(box: Sandbox, tmp_path: Path) -> None:
    result = python(box, "x = bytearray(8 << 30)", tmp_path, Limits(memory_mb=512))
    assert result.returncode == 1
    assert "MemoryError" in result.stderr
    assert result.reason == "ran out of memory (limit 512 MB)"


def test_segfault_reports_signal(box: Sandbox, tmp_path: Path) -> None:
    result = python(box, "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", tmp_path)
    assert result.signal == signal.SIGSEGV and result.returncode == -signal.SIGSEGV
    assert result.reason == "killed by signal SIGSEGV (segmentation fault)"
    assert not list(tmp_path.glob("core*"))


def test_sigkill_without_timeout_suggests_memory(box: Sandbox, tmp_path: Path) -> None:
    result = python(box, "import os, signal; os.kill(os.getpid(), signal.SIGKILL)", tmp_path)
    assert result.reason == "killed (SIGKILL), probably out of memory"


def test_cpu_limit(box: Sandbox, tmp_path: Path) -> None:
    result = python(box, "while True: pass", tmp_path, Limits(cpu_s=1, wall_s=10))
    assert not result.timed_out
    assert result.reason == "killed after the 1 s CPU-time limit"


def test_nonzero_exit_reason(box: Sandbox, tmp_path: Path) -> None:
    result = python(box, "raise SystemExit(3)", tmp_path)
    assert result.returncode == 3 and result.signal is None
    assert result.reason == "exited with status 3"


def test_missing_program_is_reported_not_raised(box: Sandbox, tmp_path: Path) -> None:
    result = box.run(["no-such-program-kw"], tmp_path, QUICK)
    assert not result.ok
    assert result.reason.startswith("could not start: no-such-program-kw")


def test_caller_bugs_raise(box: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="non-empty list"):
        box.run([], tmp_path, QUICK)
    with pytest.raises(ValueError, match="not a directory"):
        box.run(["true"], tmp_path / "missing", QUICK)
    with pytest.raises(ValueError, match="wall_s"):
        Limits(wall_s=0)
