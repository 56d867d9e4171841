"""The Ray engine for real: a local Ray runtime gives the same results as the local pool, and
on a two-node cluster on loopback with a PostgreSQL store, a killed driver, a rerun and a
worker killed mid-trial still leave every trial stored exactly once."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from eval import ray_engine
from eval.records import VALID, TrialKey
from eval.runner import RunError, RunSpec, run_suite
from eval.store import Store
from tasks import load_suite, load_task
from tests.postgres_server import free_port, throwaway_postgres

# Every process of the tests' clusters authenticates with a token of their own (never the
# user's ~/.ray/auth_token), and nothing reports usage home.
RAY_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_AUTH_MODE": "token",
    "RAY_AUTH_TOKEN": secrets.token_hex(32),
}
# Ray reads its authentication mode when it is imported, so the tests' settings go first.
os.environ.update(RAY_ENV)
ray = pytest.importorskip("ray")

ROOT = Path(__file__).resolve().parents[2]
SMOKE = len(load_suite("smoke"))


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A Ray runtime of two CPUs in this process, on loopback."""
    with tempfile.TemporaryDirectory(prefix="kw-ray-") as temp:
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            _node_ip_address=ray_engine.LOCAL_NODE_IP,
            _temp_dir=temp,
            log_to_driver=False,
            configure_logging=False,
        )
        try:
            yield
        finally:
            ray.shutdown()


@pytest.mark.slow
def test_local_ray_runtime_matches_the_local_pool(local_ray: None, tmp_path: Path) -> None:
    results = {}
    for engine in ("local", "ray"):
        spec = RunSpec("smoke", "tile", "template", run_name=f"by-{engine}", engine=engine)
        with Store(str(tmp_path / f"{engine}.db")) as store:
            summary = run_suite(spec, store)
            assert summary.planned == SMOKE and not summary.refused
            results[engine] = {r.key.task: (r.status, r.speedup) for r in store.trials()}
    assert len(results["ray"]) == SMOKE
    assert results["ray"] == results["local"]
    assert all(status == VALID for status, _ in results["ray"].values())


def test_sqlite_is_fine_on_one_node(local_ray: None, tmp_path: Path) -> None:
    with Store(str(tmp_path / "one.db")) as store:
        ray_engine.check_store(store)  # the local runtime is one node: no refusal


def test_a_node_that_cannot_isolate_refuses_the_trial(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(ray_engine.isolation, "refusal", lambda: "isolation is not available")
    key = TrialKey("r", "silu", "tile", "emu", "template", "", 0)
    url = f"sqlite:///{tmp_path / 'r.db'}"
    answer = ray_engine.trial_on_worker("silu", None, key, url)
    assert isinstance(answer, ray_engine.Refused)
    assert "refused the trial: isolation is not available" in answer.reason


def test_the_worker_runs_the_suite_restriction_of_the_task(tmp_path: Path) -> None:
    """A trial on a worker reloads its task by id with the suite's configs (smoke: C3)."""
    task = load_suite("smoke")[0]
    key = TrialKey("r", task.id, "tile", "emu", "template", "", 0)
    record = ray_engine.trial_on_worker(task.id, task.only, key, f"sqlite:///{tmp_path / 'w.db'}")
    assert not isinstance(record, ray_engine.Refused)
    assert record.status == VALID and set(record.measures) == set(task.only or ())
    assert record.id is not None  # the worker saved it
    assert load_task(task.id).only is None


def test_without_ray_the_engine_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ray_engine.RayEngineError, match=r"pip install 'kernelwright\[ray\]'"):
        ray_engine.connect("")


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(RunError, match="unknown engine 'spark'"):
        from eval.runner import check_spec

        check_spec(RunSpec("smoke", "tile", "template", engine="spark"))


# --- a two-node cluster on loopback ------------------------------------------------------


def _ray_cli() -> str:
    return str(Path(sys.executable).with_name("ray"))


def _start_node(args: list[str], temp: Path, ip: str) -> subprocess.Popen[bytes]:
    temp.mkdir(parents=True, exist_ok=True)
    argv = [_ray_cli(), "start", "--block", "--num-cpus", "1", f"--node-ip-address={ip}"]
    argv += ["--temp-dir", str(temp), "--disable-usage-stats", *args]
    return subprocess.Popen(
        argv,
        env=dict(os.environ, **RAY_ENV),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _alive_nodes(address: str) -> int:
    probe = (
        f"import ray; ray.init(address={address!r}, log_to_driver=False, "
        "configure_logging=False); print(sum(1 for n in ray.nodes() if n['Alive']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, **RAY_ENV),
    )
    lines = out.stdout.strip().splitlines()
    return int(lines[-1]) if out.returncode == 0 and lines else 0


def _stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="module")
def two_node_cluster() -> Iterator[str]:
    """`ray start --head` and a second `ray start --address`, each with its own folder."""
    head_ip, worker_ip = ray_engine.LOCAL_NODE_IP, "127.0.0.3"
    port = free_port(head_ip)
    address = f"{head_ip}:{port}"
    with tempfile.TemporaryDirectory(prefix="kw-ray-") as temp:
        head = _start_node(
            ["--head", "--port", str(port), "--include-dashboard=false"], Path(temp) / "h", head_ip
        )
        worker = None
        try:
            deadline = time.monotonic() + 180
            while _alive_nodes(address) < 1:
                assert time.monotonic() < deadline, "the Ray head did not start in 3 minutes"
                time.sleep(1)
            worker = _start_node(["--address", address], Path(temp) / "w", worker_ip)
            while _alive_nodes(address) < 2:
                assert time.monotonic() < deadline, "the second Ray node did not join in time"
                time.sleep(1)
            yield address
        finally:
            if worker is not None:
                _stop(worker)
            _stop(head)


def _driver(address: str, db: str) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "eval.cli", "run", "--suite", "smoke", "--target", "tile"]
    argv += ["--agent", "template", "--run-name", "cluster", "--engine", "ray"]
    argv += ["--ray-address", address, "--db", db]
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env=dict(os.environ, **RAY_ENV),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _stored(db: str) -> int:
    with Store(db) as store:
        return len(store.trials("cluster"))


def _busy_trial_workers() -> list[int]:
    """Pids of Ray worker processes running a trial now (Ray titles them by the task)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        if title.startswith(b"ray::trial_on_worker"):
            pids.append(int(entry.name))
    return pids


@pytest.mark.slow
@pytest.mark.postgres
def test_cluster_run_survives_a_killed_driver_and_a_killed_worker(
    two_node_cluster: str, tmp_path: Path
) -> None:
    argv = ["run", "--suite", "smoke", "--target", "tile", "--engine", "ray"]
    argv += ["--ray-address", two_node_cluster, "--db", str(tmp_path / "x.db")]
    sqlite = subprocess.run(
        [sys.executable, "-m", "eval.cli", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, **RAY_ENV),
    )
    assert sqlite.returncode != 0
    assert "has 2 nodes, and a SQLite file is on one machine only" in sqlite.stderr

    with throwaway_postgres() as db:
        # 1. The driver is killed (SIGKILL) mid-run: what finished stays, nothing is half-saved.
        proc = _driver(two_node_cluster, db)
        deadline = time.monotonic() + 300
        while _stored(db) < 3 and proc.poll() is None:
            assert time.monotonic() < deadline, "no trial was stored in 5 minutes"
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        first = _stored(db)
        assert 3 <= first < SMOKE

        # 2. The same command resumes; a worker process is killed in the middle of a trial.
        proc = _driver(two_node_cluster, db)
        killed = 0
        while proc.poll() is None and time.monotonic() < deadline + 300:
            busy = _busy_trial_workers()
            if not killed and busy and _stored(db) > first:
                os.kill(busy[0], signal.SIGKILL)
                killed = busy[0]
            time.sleep(0.05)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()[-500:]
        assert killed, "no busy Ray worker was seen to kill"

        with Store(db) as store:
            trials = store.trials("cluster")
            counts = Counter(t.key for t in trials)
            assert len(trials) == SMOKE and set(counts.values()) == {1}
            assert all(t.status == VALID for t in trials), [t.reason for t in trials]
            for trial in trials:  # every transcript once: its steps numbered 0..n-1
                seqs = [e["seq"] for e in store.events(trial.key)]
                assert seqs == list(range(len(seqs)))
