"""The docker sandbox: its container configuration (checked offline), its refusal without
an engine, and, where a Docker engine is reachable, real runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sandbox import Limits, Sandbox, get_sandbox
from sandbox.container import DockerSandbox, container_argv, container_config
from sandbox.local import is_secret

docker = pytest.importorskip("docker")
QUICK = Limits(wall_s=30, cpu_s=10, memory_mb=512, nproc=32, fsize_mb=8)


def _engine() -> bool:
    try:
        docker.from_env(timeout=5).ping()
    except Exception:
        return False
    return True


needs_engine = pytest.mark.skipif(not _engine(), reason="no Docker engine is reachable")


def test_registered() -> None:
    box = get_sandbox("docker")
    assert isinstance(box, Sandbox) and box.name == "docker"
    assert "no network" in box.describe()


def test_container_config_promises_the_isolation(tmp_path: Path) -> None:
    env = {"OPENAI_API_KEY": "sk-x", "MY_FLAG": "1"}
    config = container_config("img", ["python3", "-V"], tmp_path, QUICK, env, 612345, gpus=False)
    assert config["network_disabled"] and config["read_only"]
    assert config["user"] == "612345:612345"
    assert config["cap_drop"] == ["ALL"] and "no-new-privileges" in config["security_opt"]
    assert config["pids_limit"] == 32 and config["mem_limit"] == 512 << 20
    assert config["volumes"][str(tmp_path)]["mode"] == "rw"
    assert all(v["mode"] == "ro" for k, v in config["volumes"].items() if k != str(tmp_path))
    assert {u["Name"] for u in config["ulimits"]} == {"cpu", "fsize", "core"}
    assert not [k for k in config["environment"] if is_secret(k)]
    assert config["environment"]["MY_FLAG"] == "1"
    assert "device_requests" not in config
    gpu = container_config("img", ["x"], tmp_path, QUICK, None, 1, gpus=True)
    assert gpu["device_requests"][0]["Capabilities"] == [["gpu"]]


def test_host_python_becomes_the_images() -> None:
    assert container_argv([sys.executable, "-m", "isa.worker"], None)[0] == "python3"
    assert container_argv(["cat"], b"x")[:2] == ["sh", "-c"]


@pytest.mark.skipif(_engine(), reason="a Docker engine is reachable")
def test_refuses_without_an_engine(tmp_path: Path) -> None:
    result = DockerSandbox().run(["true"], tmp_path, QUICK)
    assert not result.ok
    assert result.reason.startswith("could not start: no Docker engine is reachable")


@needs_engine
def test_runs_in_a_container_without_network(tmp_path: Path) -> None:
    box = DockerSandbox(image="python:3.11-slim")
    code = "import socket; socket.create_connection(('1.1.1.1', 80), 2)"
    result = box.run(["python3", "-c", code], tmp_path, QUICK)
    assert not result.ok and "Network is unreachable" in result.stderr
    ok = box.run(["python3", "-c", "open('x', 'w').write('1'); print('hi')"], tmp_path, QUICK)
    assert ok.stdout == "hi\n" and (tmp_path / "x").read_text() == "1"


@needs_engine
def test_wall_timeout_kills_the_container(tmp_path: Path) -> None:
    box = DockerSandbox(image="python:3.11-slim")
    result = box.run(["sleep", "100"], tmp_path, Limits(wall_s=2))
    assert result.timed_out and result.reason == "killed after the 2 s wall limit"
