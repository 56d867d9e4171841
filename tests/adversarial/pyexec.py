"""A test-only target family, `pyexec`, whose kernels are Python run inside the worker:
`def kernel(inputs, outputs, sizes)` fills the (NaN-poisoned) output arrays in place.

It stands in for targets where candidate host code runs in the sandbox (CUDA / Triton
launchers), so sandbox probes and worker faults go through the real harness, worker and
runner. Registered only by tests (`register_pyexec`), never in `isa.registry`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from isa.base import Build, CompileError, ExecutionError, KernelInterface, RunResult, Target, Work
from sandbox import Limits

FAMILY = "pyexec"
IMPORT_PATH = "tests.adversarial.pyexec:PythonBackend"

# Tight, so that hangs, bombs and floods end in seconds.
LIMITS = Limits(wall_s=8, cpu_s=3, memory_mb=1024, nproc=32, fsize_mb=16, output_bytes=1 << 16)


class PythonBackend:
    family = FAMILY
    language = "Python (test-only)"
    source_suffix = ".py"
    precision = "fp32"
    unit = "us"
    limits = LIMITS

    def check_target(self, target: Target) -> None:
        if target.arch is not None:
            raise ValueError("target 'pyexec' takes no architecture")

    def executors(self, target: Target) -> tuple[str, ...]:
        return ("emu",)

    def spec(self, target: Target) -> str:
        return "def kernel(inputs, outputs, sizes): fill outputs[name][...] in place"

    def build(self, target: Target, source: str, iface: KernelInterface) -> Build:
        try:
            code = compile(source, "kernel.py", "exec")
        except SyntaxError as exc:
            raise CompileError(f"syntax error: {exc.msg}", line=exc.lineno) from None
        return Build(artifact=code)

    def execute(
        self,
        target: Target,
        build: Build,
        iface: KernelInterface,
        inputs: dict[str, np.ndarray],
        executor: str = "emu",
    ) -> RunResult:
        given = {name: np.array(value, copy=True) for name, value in inputs.items()}
        outputs = {t.name: np.full(t.shape, np.nan, np.float32) for t in iface.outputs}
        namespace: dict[str, Any] = {"__name__": "kernel"}
        try:
            exec(build.artifact, namespace)
            start = time.perf_counter()
            namespace["kernel"](given, outputs, dict(iface.sizes))
            elapsed = time.perf_counter() - start
        except Exception as exc:  # the candidate's own failure, reported as one sentence
            raise ExecutionError(f"the kernel raised {type(exc).__name__}: {exc}") from None
        findings = [
            f"the kernel modified its input '{name}'"
            for name, value in inputs.items()
            if not np.array_equal(given[name], value, equal_nan=True)
        ]
        return RunResult(outputs=outputs, measure=elapsed * 1e6, unit=self.unit, findings=findings)

    def roofline(self, target: Target, work: Work, executor: str = "emu") -> float:
        # 100 GB/s for 4-byte words, in microseconds: far below what Python reaches.
        return work.words * 4 / 100e3
