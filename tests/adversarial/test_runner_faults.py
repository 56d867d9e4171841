"""Faults and the "Done when" probe through the real runner: a worker that segfaults, hangs,
is killed as the OOM killer would, or floods its output is stored as a failed trial with the
reason, and the run goes on; a probe that tries the network, /etc/shadow, the home
directory, an API key and a fork bomb gets nothing, is stopped, and its trial says why, as a
`pyexec` kernel and as a Triton kernel file doing it all at import time."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from eval import runner
from eval.records import INVALID, VALID
from eval.runner import RunSpec, run_suite
from eval.store import Store
from tasks import Task
from tasks.task import TASKS_DIR, load_task_folder
from tests.adversarial.conftest import HONEST_SILU, MakeTask
from tests.adversarial.test_sandbox_probes import PRELUDE, SECRET

FAULTS = {
    "segfault": (
        "import ctypes\nctypes.string_at(0)\n",
        "killed by signal SIGSEGV (segmentation fault)",
    ),
    "hang": ("import time\ntime.sleep(3600)\n", "killed after the 8 s wall limit"),
    "oom_killed": (
        "import os, signal\nhoard = bytearray(200 << 20)\nos.kill(os.getpid(), signal.SIGKILL)\n",
        "killed (SIGKILL), probably out of memory",
    ),
    "flood": (
        "import os, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_DFL)\n"
        "while True:\n    os.write(1, b'x' * (1 << 20))\n",
        "killed for writing a file over the 16 MB limit",
    ),
}

PROBE = (
    PRELUDE
    + """
def kernel(inputs, outputs, sizes):
    def api_key():
        return os.environ["OPENAI_API_KEY"]

    def bomb():
        n = 0
        while n < 100000:
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            n += 1
        return n

    report(
        attempt("network", lambda: socket.create_connection(("1.1.1.1", 443), 3)),
        attempt("/etc/shadow", lambda: read("/etc/shadow")),
        attempt("home", lambda: read("/root/.bashrc")),
        attempt("api key", api_key),
        attempt("fork bomb", bomb),
    )
"""
)


def _run(monkeypatch: pytest.MonkeyPatch, tasks: list[Task], name: str) -> dict[str, object]:
    monkeypatch.setattr(runner, "load_suite", lambda suite: tasks)
    with Store() as store:
        summary = run_suite(RunSpec("adversarial", "pyexec", "oracle", run_name=name), store)
        assert summary.planned == len(tasks)
        return {r.key.task: r for r in store.trials(name)}


def test_worker_faults_are_stored_and_the_run_goes_on(
    make_task: MakeTask, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks = [
        make_task(name, "def kernel(inputs, outputs, sizes):\n    pass\n" + code)
        for name, (code, _) in FAULTS.items()
    ]
    tasks.append(make_task("honest", HONEST_SILU))
    trials = _run(monkeypatch, tasks, "faults")
    for name, (_, reason) in FAULTS.items():
        record = trials[name]
        assert record.status == INVALID, (name, record.reason)  # type: ignore[attr-defined]
        assert record.reason == f"the worker failed: {reason}"  # type: ignore[attr-defined]
    assert trials["honest"].status == VALID  # type: ignore[attr-defined]


def test_probe_gets_nothing_is_stopped_and_the_trial_says_why(
    make_task: MakeTask, monkeypatch: pytest.MonkeyPatch, _private_db: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    trials = _run(monkeypatch, [make_task("probe", PROBE)], "probe")
    record = trials["probe"]
    reason: str = record.reason  # type: ignore[attr-defined]
    assert record.status == INVALID  # type: ignore[attr-defined]
    for what, why in [
        ("network", "Network is unreachable"),
        ("/etc/shadow", "No such file"),
        ("home", "Permission denied|No such file"),
        ("api key", "KeyError: 'OPENAI_API_KEY'"),
        ("fork bomb", "Resource temporarily unavailable"),
    ]:
        assert re.search(rf"(probe:|;) {re.escape(what)}: blocked \([^;]*({why})", reason), (
            what,
            reason,
        )
    assert "GOT" not in reason
    stored = json.dumps(record.to_json())  # type: ignore[attr-defined]
    assert SECRET not in stored and SECRET not in _private_db.read_bytes().decode("latin-1")


# The same probe as a Triton kernel file: everything happens at import time, which runs only
# in the compile sandbox; the kernel below it is honest.
TRITON_PROBE = (
    PRELUDE
    + f"HOST_HOME = {str(Path.home())!r}\n"
    + """
def api_key():
    return os.environ["OPENAI_API_KEY"]

def bomb():
    n = 0
    while n < 100000:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        n += 1
    return n

report(
    attempt("network", lambda: socket.create_connection(("1.1.1.1", 443), 3)),
    attempt("/etc/shadow", lambda: read("/etc/shadow")),
    attempt("home", lambda: read(HOST_HOME + "/.bashrc")),
    attempt("api key", api_key),
    attempt("fork bomb", bomb),
)
"""
    + (TASKS_DIR / "silu" / "triton" / "oracle.py").read_text()
)


def _triton_task(tmp_path: Path, task_id: str, source: str) -> Task:
    folder = tmp_path / "tasks" / task_id
    (folder / "triton").mkdir(parents=True)
    manifest = (TASKS_DIR / "silu" / "task.toml").read_text()
    (folder / "task.toml").write_text(manifest.replace('id = "silu"', f'id = "{task_id}"'))
    shutil.copy(TASKS_DIR / "silu" / "reference.py", folder / "reference.py")
    (folder / "triton" / "oracle.py").write_text(source)
    return load_task_folder(folder)


def test_triton_probe_at_import_gets_nothing_is_stopped_and_the_trial_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _private_db: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    tasks = [_triton_task(tmp_path, "probe", TRITON_PROBE)]
    monkeypatch.setattr(runner, "load_suite", lambda suite: tasks)
    with Store() as store:
        run_suite(RunSpec("adversarial", "triton:sm_80", "oracle", run_name="tprobe"), store)
        record = {r.key.task: r for r in store.trials("tprobe")}["probe"]
    reason: str = record.reason
    assert record.status == INVALID
    assert re.match(r"does not compile: (line \d+: )?importing the kernel file failed: ", reason)
    for what, why in [
        ("network", "Network is unreachable"),
        ("/etc/shadow", "No such file"),
        ("home", "Permission denied|No such file"),
        ("api key", "KeyError: 'OPENAI_API_KEY'"),
        ("fork bomb", "Resource temporarily unavailable"),
    ]:
        assert re.search(rf"(probe:|;) {re.escape(what)}: blocked \([^;]*({why})", reason), (
            what,
            reason,
        )
    assert "GOT" not in reason
    stored = json.dumps(record.to_json())
    assert SECRET not in stored and SECRET not in _private_db.read_bytes().decode("latin-1")
