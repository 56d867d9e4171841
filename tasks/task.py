"""A task loaded from its folder: signature, configurations, reference, oracle and stub."""

from __future__ import annotations

import importlib.util
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from isa.base import KernelInterface, TensorSpec, Work
from tasks.hidden import NoDrawError, draw_hidden
from tasks.manifest import Manifest, TensorDecl, Tolerance, size_expr

TASKS_DIR = Path(__file__).resolve().parent


class TaskError(ValueError):
    """A task folder or name that cannot be used; the message is one sentence."""


@dataclass(frozen=True)
class Config:
    name: str
    sizes: dict[str, int]
    hidden: bool = False

    def label(self) -> str:
        return f"{self.name} (" + ", ".join(f"{k}={v}" for k, v in self.sizes.items()) + ")"


class Task:
    def __init__(
        self, folder: Path, manifest: Manifest, only: tuple[str, ...] | None = None
    ) -> None:
        self.folder = folder
        self.manifest = manifest
        self.only = only  # a suite may keep only some visible configs (smoke keeps one)

    def restricted(self, names: list[str]) -> Task:
        """This task with only the visible configs `names` (in the manifest's order)."""
        unknown = [n for n in names if n not in self.manifest.configs]
        if unknown:
            raise TaskError(f"task {self.id} has no config '{unknown[0]}'")
        return Task(self.folder, self.manifest, tuple(names))

    # --- identity -----------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def level(self) -> int:
        return self.manifest.level

    @property
    def title(self) -> str:
        return self.manifest.title

    @property
    def tensors(self) -> list[TensorDecl]:
        return self.manifest.tensor

    # --- configurations -------------------------------------------------------------------
    @property
    def visible_configs(self) -> list[Config]:
        return [
            Config(n, dict(s))
            for n, s in self.manifest.configs.items()
            if self.only is None or n in self.only
        ]

    @property
    def hidden_configs(self) -> list[Config]:
        """The fixed hidden configs of task.toml (public: the repository holds them)."""
        return [Config(n, dict(s), hidden=True) for n, s in self.manifest.hidden.items()]

    def drawn_hidden_configs(self, seed: int, executor: str = "emu") -> list[Config]:
        """Hidden configs drawn from `seed` within the task's `[hidden.rules]` (on a GPU,
        `[gpu.hidden.rules]`; none without rules): sizes no file holds, fresh for every
        verification."""
        group = self.manifest.gpu if executor == "gpu" else None
        rules = group.hidden_rules if group is not None else self.manifest.hidden_rules
        if rules is None:
            return []
        m = group or self.manifest
        try:
            fixed = {**m.configs, **m.hidden}
            drawn = draw_hidden(rules, self.tensors, seed, list(fixed.values()))
        except NoDrawError as exc:
            raise TaskError(f"task {self.id}: {exc}") from None
        return [Config(n, s, hidden=True) for n, s in drawn]

    def configs_for(
        self, executor: str, hidden: bool = False, draw_seed: int | None = None
    ) -> list[Config]:
        """The visible (and, with `hidden`, hidden) configs an executor runs: the task's own,
        or its `[gpu]` configs on a real GPU when the task has them. With `draw_seed`, the
        hidden ones include sizes drawn from it (see `drawn_hidden_configs`)."""
        group = self.manifest.gpu if executor == "gpu" else None
        if group is None:
            drawn = self.drawn_hidden_configs(draw_seed) if draw_seed is not None else []
            return self.visible_configs + (self.hidden_configs + drawn if hidden else [])
        visible = [Config(n, dict(s)) for n, s in group.configs.items()]
        secret = [Config(n, dict(s), hidden=True) for n, s in group.hidden.items()]
        if draw_seed is not None:
            secret += self.drawn_hidden_configs(draw_seed, "gpu")
        return visible + (secret if hidden else [])

    def config(self, name: str) -> Config:
        every = [Config(n, dict(s)) for n, s in self.manifest.configs.items()]
        gpu = self.configs_for("gpu", hidden=True) if self.manifest.gpu else []
        for cfg in every + self.hidden_configs + gpu:
            if cfg.name == name:
                return cfg
        names = ", ".join(c.name for c in self.visible_configs)
        raise TaskError(f"task {self.id} has no config '{name}'; visible configs: {names}")

    def shape(self, decl: TensorDecl, sizes: dict[str, int]) -> tuple[int, ...]:
        return tuple(size_expr(d, sizes) if isinstance(d, str) else int(d) for d in decl.shape)

    def interface(self, cfg: Config) -> KernelInterface:
        specs = tuple(
            TensorSpec(t.name, self.shape(t, cfg.sizes), t.dtype, t.role) for t in self.tensors
        )
        return KernelInterface(
            tensors=specs, sizes=dict(cfg.sizes), forbid=tuple(self.manifest.forbid)
        )

    def work(self, cfg: Config) -> Work:
        words = sum(int(np.prod(self.shape(t, cfg.sizes))) for t in self.tensors)
        return Work(
            macs=size_expr(self.manifest.work.macs, cfg.sizes),
            flops=size_expr(self.manifest.work.flops, cfg.sizes),
            words=words,
        )

    def tolerance(self, precision: str) -> Tolerance:
        return self.manifest.tolerance.get(precision, self.manifest.tolerance["fp32"])

    # --- data -----------------------------------------------------------------------------
    def make_inputs(self, cfg: Config, rng: np.random.Generator) -> dict[str, np.ndarray]:
        inputs: dict[str, np.ndarray] = {}
        for t in self.tensors:
            if t.role != "input":
                continue
            shape = self.shape(t, cfg.sizes)
            d = t.dist
            raw = rng.standard_normal(shape) if d.kind == "normal" else rng.uniform(-1, 1, shape)
            if d.positive:
                raw = np.abs(raw)
            inputs[t.name] = (raw * d.scale + d.shift).astype(np.float32)
        return inputs

    @cached_property
    def _reference_fn(self) -> Callable[..., Any]:
        path = self.folder / "reference.py"
        spec = importlib.util.spec_from_file_location(f"tasks._ref_{self.id}", path)
        if spec is None or spec.loader is None:
            raise TaskError(f"task {self.id}: cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        fn = getattr(module, "reference", None)
        if not callable(fn):
            raise TaskError(f"task {self.id}: reference.py defines no function 'reference'")
        return fn

    def reference(self, inputs: dict[str, np.ndarray], cfg: Config) -> dict[str, np.ndarray]:
        """Expected outputs, computed in float64 from copies of the inputs."""
        copies = {k: v.astype(np.float64) for k, v in inputs.items()}
        result = self._reference_fn(copies, dict(cfg.sizes))
        out: dict[str, np.ndarray] = {}
        for t in self.tensors:
            if t.role == "output":
                value = np.asarray(result[t.name], dtype=np.float64)
                out[t.name] = value.reshape(self.shape(t, cfg.sizes))
        return out

    # --- per-target files -----------------------------------------------------------------
    def _target_file(self, family: str, stem: str, suffix: str) -> str | None:
        path = self.folder / family / f"{stem}{suffix}"
        return path.read_text() if path.is_file() else None

    def oracle(self, family: str, suffix: str) -> str | None:
        return self._target_file(family, "oracle", suffix)

    def stub(self, family: str, suffix: str) -> str | None:
        return self._target_file(family, "stub", suffix)

    def supports(self, family: str) -> bool:
        return self.unsupported_reason(family) is None

    def unsupported_reason(self, family: str) -> str | None:
        """Why this task does not run on a target family, or None when it does."""
        if family in self.manifest.unsupported:
            return self.manifest.unsupported[family]
        if not (self.folder / family).is_dir():
            return f"the task has no {family} kernels yet"
        return None

    # --- what the agent reads -------------------------------------------------------------
    def statement(self) -> str:
        lines = [
            f"# Task {self.id} (level {self.level}): {self.title}",
            "",
            self.manifest.statement.strip(),
            "",
        ]
        lines.append("Tensors (row-major, fp32):")
        for t in self.tensors:
            dims = ", ".join(str(d) for d in t.shape) or "scalar"
            lines.append(f"- {t.role} `{t.name}`: [{dims}]")
        lines.append("")
        lines.append("Visible configurations (hidden ones of other sizes are also checked):")
        for cfg in self.visible_configs:
            lines.append(f"- {cfg.label()}")
        return "\n".join(lines)


def load_task_folder(folder: Path) -> Task:
    manifest_path = folder / "task.toml"
    if not manifest_path.is_file():
        raise TaskError(f"{folder} has no task.toml")
    try:
        data = tomllib.loads(manifest_path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise TaskError(f"{manifest_path} is not valid TOML: {exc}") from None
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise TaskError(f"{manifest_path}: {where}: {first['msg']}") from None
    if manifest.id != folder.name:
        raise TaskError(
            f"{manifest_path}: id '{manifest.id}' must match its folder '{folder.name}'"
        )
    if not (folder / "reference.py").is_file():
        raise TaskError(f"task {manifest.id} has no reference.py")
    return Task(folder, manifest)
