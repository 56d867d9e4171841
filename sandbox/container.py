"""The `docker` sandbox: the same contract as `local`, one container per run through the
Docker SDK: no network, a read-only root, a private size-limited /tmp, only the workdir
writable, an unprivileged uid, no capabilities, no-new-privileges, limits on memory,
processes (pids), CPU time and file size, and a wall timeout that kills the container.

The image (`$KERNELWRIGHT_DOCKER_IMAGE`, default `kernelwright-worker`, built from
`sandbox/worker.Dockerfile`) must hold the toolchains the target needs; the workdir and
the project are mounted at the same paths as on the host, and the host's Python is
replaced by the image's `python3`.
`$KERNELWRIGHT_DOCKER_GPUS=1` passes every GPU through (real-hardware runs).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sandbox import isolation
from sandbox.base import Limits, ProcessResult, check_run_args
from sandbox.local import SYSTEM_PATH, worker_env

DEFAULT_IMAGE = "kernelwright-worker:latest"
IMAGE_ENV = "KERNELWRIGHT_DOCKER_IMAGE"
GPUS_ENV = "KERNELWRIGHT_DOCKER_GPUS"
STDIN_FILE = ".stdin"


def container_argv(argv: list[str], stdin: bytes | None) -> list[str]:
    """The host's Python becomes the image's; stdin comes from a file in the workdir."""
    if argv[0] in (sys.executable, os.path.realpath(sys.executable)):
        argv = ["python3", *argv[1:]]
    if stdin:
        argv = ["sh", "-c", f'exec "$@" < {STDIN_FILE}', "sh", *argv]
    return argv


def container_config(
    image: str,
    argv: list[str],
    workdir: Path,
    limits: Limits,
    env: Mapping[str, str] | None,
    uid: int,
    gpus: bool,
) -> dict[str, Any]:
    """Keyword arguments for `containers.create`: everything the isolation promises."""
    from docker.types import DeviceRequest, LogConfig, Ulimit

    child_env = worker_env(workdir, env)
    child_env["PATH"] = os.pathsep.join(SYSTEM_PATH)
    mb = 1 << 20
    cpu = int(limits.cpu_s + 0.999)
    config: dict[str, Any] = {
        "image": image,
        "command": argv,
        "working_dir": str(workdir),
        "environment": child_env,
        "user": f"{uid}:{uid}",
        "network_disabled": True,
        "read_only": True,
        "tmpfs": {"/tmp": f"size={limits.fsize_mb}m,mode=1777"},
        "volumes": {
            str(workdir): {"bind": str(workdir), "mode": "rw"},
            str(isolation.PROJECT_ROOT): {"bind": str(isolation.PROJECT_ROOT), "mode": "ro"},
        },
        "mem_limit": limits.memory_mb * mb,
        "memswap_limit": limits.memory_mb * mb,
        "pids_limit": limits.nproc,
        "ulimits": [
            Ulimit(name="cpu", soft=cpu, hard=cpu + 1),
            Ulimit(name="fsize", soft=limits.fsize_mb * mb, hard=limits.fsize_mb * mb),
            Ulimit(name="core", soft=0, hard=0),
        ],
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "ipc_mode": "private",
        "log_config": LogConfig(
            type="json-file", config={"max-size": str(4 * limits.output_bytes), "max-file": "1"}
        ),
        "labels": {"kernelwright": "sandbox"},
        "detach": True,
    }
    if gpus:
        config["device_requests"] = [DeviceRequest(count=-1, capabilities=[["gpu"]])]
    return config


def _cap(data: bytes, cap: int) -> tuple[str, bool]:
    if len(data) <= cap:
        return data.decode("utf-8", errors="replace"), False
    head, tail = data[: cap // 2], data[len(data) - (cap - cap // 2) :]
    cut = len(data) - len(head) - len(tail)
    text = (
        f"{head.decode(errors='replace')}\n[... {cut} bytes cut]\n{tail.decode(errors='replace')}"
    )
    return text, True


class DockerSandbox:
    """One container per run; refuses with one sentence when no engine is reachable."""

    name = "docker"

    def __init__(self, image: str | None = None, gpus: bool | None = None) -> None:
        self.image = image or os.environ.get(IMAGE_ENV, DEFAULT_IMAGE)
        self.gpus = os.environ.get(GPUS_ENV, "") == "1" if gpus is None else gpus

    def _client(self) -> Any:
        """A connected Docker client, or one sentence saying why there is none."""
        try:
            import docker
        except ImportError:
            return "the Docker SDK is not installed (pip install 'kernelwright[docker]')"
        try:
            client = docker.from_env(timeout=10)
            client.ping()
        except Exception as exc:  # the SDK raises several kinds; all mean "no engine"
            return f"no Docker engine is reachable ({type(exc).__name__})"
        return client

    def describe(self) -> str:
        client = self._client()
        state = client if isinstance(client, str) else "engine reachable"
        return (
            f"docker: one container per run from {self.image}: no network, read-only root, "
            f"private /tmp, only the workdir writable, unprivileged uid, no capabilities, "
            f"memory/pids/CPU/file-size limits, wall timeout; GPUs: "
            f"{'passed through' if self.gpus else 'none'}; {state}"
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
        client = self._client()
        if isinstance(client, str):
            return _failed(limits, client)
        (workdir / "tmp").mkdir(exist_ok=True)
        if stdin:
            (workdir / STDIN_FILE).write_bytes(stdin)
        uid = isolation.fresh_uid() if os.geteuid() == 0 else os.getuid()
        if os.geteuid() == 0:
            isolation.give_to(workdir, uid)
        config = container_config(
            self.image, container_argv(argv, stdin), workdir, limits, env, uid, self.gpus
        )
        return _run_container(client, config, limits)


def _run_container(client: Any, config: dict[str, Any], limits: Limits) -> ProcessResult:
    import docker.errors
    import requests.exceptions

    start = time.monotonic()
    try:
        container = client.containers.create(**config)
    except docker.errors.DockerException as exc:
        return _failed(limits, f"the container could not be created: {exc}")
    try:
        container.start()
        timed_out = False
        try:
            status = container.wait(timeout=limits.wall_s)
            code = int(status.get("StatusCode", 1))
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            timed_out = True
            container.kill()
            code = -signal.SIGKILL
        wall_s = time.monotonic() - start
        stdout, out_cut = _cap(container.logs(stdout=True, stderr=False), limits.output_bytes)
        stderr, err_cut = _cap(container.logs(stdout=False, stderr=True), limits.output_bytes)
        container.reload()
        if container.attrs.get("State", {}).get("OOMKilled"):
            stderr += "\nout of memory (the container was OOM-killed)"
    finally:
        container.remove(force=True)
    if code > 128 and code - 128 < signal.NSIG:
        code = 128 - code  # the engine reports a signal N as 128 + N
    return ProcessResult(
        returncode=code,
        stdout=stdout,
        stderr=stderr,
        timed_out=timed_out,
        signal=-code if code < 0 else None,
        wall_s=wall_s,
        limits=limits,
        stdout_truncated=out_cut,
        stderr_truncated=err_cut,
    )


def _failed(limits: Limits, why: str) -> ProcessResult:
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
