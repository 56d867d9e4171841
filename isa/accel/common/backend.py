"""What the project's own accelerators share as targets: a spec file beside their package, no
architecture suffix, the emulator as their only executor, and task tensors laid out in a DRAM
image (inputs written, outputs poisoned, inputs checked unchanged after the run)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from isa.accel.common.dram import DramImage
from isa.base import Build, KernelInterface, RunResult, Target


@cache
def _read(path: Path) -> str:
    return path.read_text()


class AcceleratorBackend:
    """Base of the accelerator backends; a subclass sets the class attributes and provides
    `build`, `simulate`, `roofline` and `profile_report`."""

    family: str
    language: str
    source_suffix: str
    precision: str
    unit = "cycles"
    spec_path: Path

    def check_target(self, target: Target) -> None:
        if target.arch is not None:
            raise ValueError(f"target '{self.family}' takes no architecture, got '{target.name}'")

    def executors(self, target: Target) -> tuple[str, ...]:
        return ("emu",)

    def spec(self, target: Target) -> str:
        return _read(self.spec_path)

    def simulate(self, program: Any, image: DramImage) -> Any:
        """Run `program` on the image's DRAM; returns stats with `cycles` and `to_dict()`."""
        raise NotImplementedError

    def execute(
        self,
        target: Target,
        build: Build,
        iface: KernelInterface,
        inputs: dict[str, np.ndarray],
        executor: str = "emu",
    ) -> RunResult:
        image = DramImage.create(iface, inputs)
        stats = self.simulate(build.artifact, image)
        return RunResult(
            outputs=image.outputs(),
            measure=float(stats.cycles),
            unit=self.unit,
            counters=stats.to_dict(),
            findings=image.findings(inputs),
        )
