"""Sandbox probes: kernels of the test-only `pyexec` target (Python run inside the worker,
as CUDA/Triton launchers will be) that try to escape. Each gets nothing, is stopped, and the
verdict says why. A probe reports every attempt as `blocked (...)` or `GOT ...`."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.isolation import PROJECT_ROOT, read_only_paths
from tests.adversarial.conftest import HONEST_SILU, MakeTask
from tests.adversarial.exploits import assert_rejected, judge

SECRET = "sk-kw-probe-secret-0123456789"

PRELUDE = """
import os, socket, sys, time
import numpy as np

def attempt(what, action):
    try:
        got = action()
    except BaseException as exc:
        return f"{what}: blocked ({type(exc).__name__}: {exc})"
    return f"{what}: GOT {got!r}"

def read(path):
    with open(path) as f:
        return f.read(200)

def report(*attempts):
    raise RuntimeError("probe: " + "; ".join(attempts))
"""


def probe(body: str) -> str:
    return PRELUDE + "\ndef kernel(inputs, outputs, sizes):\n" + body


def rejected_blocked(make_task: MakeTask, name: str, body: str, *fragments: str) -> str:
    """Judges a probe on one config; asserts it got nothing and the reason says why."""
    task = make_task(name, probe(body))
    verdict = judge(task, "pyexec", probe(body), configs=("C1",))
    assert_rejected(verdict, "probe: ")
    assert "GOT" not in verdict.reason, verdict.reason
    for fragment in fragments:
        assert fragment in verdict.reason, verdict.reason
    return verdict.reason


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A port the host listens on, to see whether the sandbox can reach host services."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_honest_pyexec_kernel_passes(make_task: MakeTask) -> None:
    task = make_task("honest", HONEST_SILU)
    verdict = judge(task, "pyexec", HONEST_SILU)
    assert verdict.valid, verdict.reason


def test_network_outside(make_task: MakeTask) -> None:
    body = '    report(attempt("connect", lambda: socket.create_connection(("1.1.1.1", 53), 3)))'
    rejected_blocked(make_task, "net_out", body, "Network is unreachable")


def test_dns(make_task: MakeTask) -> None:
    body = '    report(attempt("dns", lambda: socket.getaddrinfo("example.com", 443)))'
    rejected_blocked(make_task, "dns", body, "dns: blocked")


def test_host_service_on_loopback(make_task: MakeTask, listening_port: int) -> None:
    body = (
        f'    report(attempt("loopback", '
        f'lambda: socket.create_connection(("127.0.0.1", {listening_port}), 3)))'
    )
    rejected_blocked(make_task, "loopback", body, "Connection refused")


def test_etc_shadow(make_task: MakeTask) -> None:
    body = '    report(attempt("shadow", lambda: read("/etc/shadow")))'
    rejected_blocked(make_task, "shadow", body, "No such file")


def test_home_directories(make_task: MakeTask, tmp_path: Path) -> None:
    planted = tmp_path / "home" / ".netrc"
    planted.parent.mkdir()
    planted.write_text(SECRET)
    body = (
        '    report(attempt("root profile", lambda: read("/root/.profile")),\n'
        '           attempt("root bashrc", lambda: read("/root/.bashrc")),\n'
        '           attempt("home", lambda: os.listdir("/home")),\n'
        f'           attempt("judge home", lambda: read("{planted}")))'
    )
    reason = rejected_blocked(make_task, "home", body, "root profile: blocked", "judge home")
    assert SECRET not in reason


def test_environment_secrets(make_task: MakeTask, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, SECRET)
    body = (
        "    def hunt():\n"
        "        found = [k for k, v in os.environ.items() if 'sk-' in v or 'KEY' in k]\n"
        "        for pid in os.listdir('/proc'):\n"
        "            try:\n"
        "                if b'sk-' in open(f'/proc/{pid}/environ', 'rb').read():\n"
        "                    found.append(pid)\n"
        "            except OSError:\n"
        "                pass\n"
        "        if not found:\n"
        "            raise LookupError('no key in the environment or /proc')\n"
        "        return found\n"
        '    report(attempt("env", hunt))'
    )
    reason = rejected_blocked(make_task, "env", body, "no key in the environment")
    assert SECRET not in reason


def test_writes_outside_the_workspace(make_task: MakeTask) -> None:
    targets = [PROJECT_ROOT / "escape.txt", Path("/usr/lib/escape.txt"), Path("/work/escape")]
    attempts = ",\n".join(
        f'           attempt("write {p}", lambda: open("{p}", "w").write("x"))' for p in targets
    )
    body = f"    report(\n{attempts})"
    rejected_blocked(make_task, "write_out", body, "Read-only file system")
    assert not any(p.exists() for p in targets)


def test_private_tmp_is_not_the_hosts(make_task: MakeTask) -> None:
    marker = Path("/tmp/kw-probe-escape-marker")
    # Read-only mounts of the project (and of Python) that live under /tmp show up as their
    # mount points in the private /tmp; they are not the host's /tmp.
    mounted = sorted(
        {p.relative_to("/tmp").parts[0] for p in read_only_paths() if p.is_relative_to("/tmp")}
    )
    body = (
        f'    open("{marker}", "w").write("x")\n'
        '    report(attempt("host tmp listing", '
        f'lambda: [n for n in os.listdir("/tmp") if not n.startswith("kw-worker-") '
        f"and n not in {mounted!r}]))"
    )
    task = make_task("tmp", probe(body))
    verdict = judge(task, "pyexec", probe(body), configs=("C1",))
    assert_rejected(verdict, r"host tmp listing: GOT \['kw-probe-escape-marker'\]")
    assert not marker.exists(), "the sandbox's /tmp is the host's"


def test_other_runs_workdirs(make_task: MakeTask) -> None:
    decoy = Path("/tmp/kw-worker-decoy-run")
    decoy.mkdir(exist_ok=True)
    (decoy / "kernel.py").write_text(SECRET)
    try:
        body = f'    report(attempt("other run", lambda: read("{decoy}/kernel.py")))'
        reason = rejected_blocked(make_task, "other_run", body, "No such file")
        assert SECRET not in reason
    finally:
        (decoy / "kernel.py").unlink()
        decoy.rmdir()


def test_fork_bomb(make_task: MakeTask) -> None:
    body = (
        "    def bomb():\n"
        "        n = 0\n"
        "        while n < 100000:\n"
        "            if os.fork() == 0:\n"
        "                time.sleep(60)\n"
        "                os._exit(0)\n"
        "            n += 1\n"
        "        return n\n"
        '    report(attempt("fork bomb", bomb))'
    )
    rejected_blocked(make_task, "fork_bomb", body, "Resource temporarily unavailable")


def test_memory_bomb(make_task: MakeTask) -> None:
    # Address space, not page touching: filling 256 MiB pages raced the 3 s CPU limit (the
    # address-space limit is what stops a bomb; touching pages only spends CPU first).
    body = "    hoard = []\n    while True:\n        hoard.append(np.empty(1 << 25))\n"
    task = make_task("memory_bomb", probe(body))
    verdict = judge(task, "pyexec", probe(body), configs=("C1",))
    assert_rejected(verdict, "MemoryError|out of memory")


def test_output_flood(make_task: MakeTask) -> None:
    body = "    while True:\n        sys.stdout.write('x' * (1 << 20))\n"
    task = make_task("flood", probe(body))
    verdict = judge(task, "pyexec", probe(body), configs=("C1",))
    assert_rejected(verdict, "File too large")  # RLIMIT_FSIZE; Python turns SIGXFSZ into EFBIG


def test_busy_loop(make_task: MakeTask) -> None:
    body = "    while True:\n        pass\n"
    task = make_task("busy", probe(body))
    verdict = judge(task, "pyexec", probe(body), configs=("C1",))
    # Stopped by the CPU limit, or by the wall limit when the machine is busy.
    assert_rejected(verdict, r"the worker failed: killed after the (3 s CPU-time|8 s wall) limit")


def test_kill_every_process_it_can(make_task: MakeTask) -> None:
    body = (
        "    import signal\n"
        '    report(attempt("kill all", lambda: os.kill(-1, signal.SIGKILL)),\n'
        '           attempt("kill parent", lambda: os.kill(os.getppid(), signal.SIGKILL)),\n'
        '           attempt("kill pid 1", lambda: os.kill(1, signal.SIGKILL)))'
    )
    # Its own pid namespace and uid: nothing to signal but itself, and the judge lives on.
    rejected_blocked(make_task, "kill_all", body, "No such process", "Operation not permitted")


def test_timer_patching(make_task: MakeTask) -> None:
    source = "import time\ntime.perf_counter = lambda: 0.0\n" + HONEST_SILU
    task = make_task("timer", source)
    verdict = judge(task, "pyexec", source)
    assert_rejected(verdict, "below the roofline bound")


def test_forged_result_file(make_task: MakeTask) -> None:
    # Computes the right outputs but forges an impossible time in result.json and exits
    # before the worker can write the real one.
    body = (
        "    import json\n"
        "    x = inputs['x'].astype(np.float64)\n"
        "    np.savez('out_C1.npz', y=(x / (1 + np.exp(-x))).astype(np.float32))\n"
        "    entry = {'name': 'C1', 'ok': True, 'outputs': 'out_C1.npz', 'measure': 1e-9,\n"
        "             'unit': 'us', 'counters': {}, 'findings': []}\n"
        "    open('result.json', 'w').write(json.dumps({'configs': [entry]}))\n"
        "    os._exit(0)\n"
    )
    task = make_task("forged", probe(body))
    verdict = judge(task, "pyexec", probe(body), configs=("C1",))
    assert_rejected(verdict, "below the roofline bound")


def test_result_file_pointing_at_a_host_file(make_task: MakeTask) -> None:
    body = "    os.symlink('/etc/passwd', 'result.json')\n    os._exit(0)\n"
    task = make_task("symlink", probe(body))
    verdict = judge(task, "pyexec", probe(body), configs=("C1",))
    assert_rejected(verdict, "exited without writing a result")


def test_input_mutation_in_host_code(make_task: MakeTask) -> None:
    source = HONEST_SILU + "    inputs['x'][...] = 0\n"
    task = make_task("mutate", source)
    verdict = judge(task, "pyexec", source, configs=("C1",))
    assert_rejected(verdict, "modified its input 'x'")
