"""Target families by name. Adding a family is one line here plus its package."""

from __future__ import annotations

import importlib
from functools import cache

from isa.base import Backend, Target

BACKENDS: dict[str, str] = {
    "tile": "isa.accel.tile.backend:TileBackend",
    "vlx": "isa.accel.vlx.backend:VlxBackend",
    "cuda": "isa.nvidia.cuda_backend:CudaBackend",
    "triton": "isa.nvidia.triton_backend:TritonBackend",
    "hip": "isa.amd.backend:HipBackend",
}


class UnknownTarget(ValueError):
    pass


def families() -> list[str]:
    return sorted(BACKENDS)


@cache
def load_backend(path: str) -> Backend:
    """A backend from its `module:attr` path (the worker loads the judge's choice this way)."""
    module_name, _, attr = path.partition(":")
    backend: Backend = getattr(importlib.import_module(module_name), attr)()
    return backend


def _load(family: str) -> Backend:
    return load_backend(BACKENDS[family])


def target_names(family: str) -> list[str]:
    """The targets of a family: `family:arch` for each of its `archs`, else the family."""
    archs = getattr(_load(family), "archs", ())
    return [f"{family}:{arch}" for arch in archs] if archs else [family]


def backend_for(target: Target | str) -> Backend:
    """The backend of a target; raises UnknownTarget with one sentence if there is none."""
    if isinstance(target, str):
        target = Target.parse(target)
    if target.family not in BACKENDS:
        known = ", ".join(name for family in families() for name in target_names(family))
        raise UnknownTarget(f"unknown target '{target.name}'; known targets: {known}")
    backend = _load(target.family)
    try:
        backend.check_target(target)
    except ValueError as exc:
        raise UnknownTarget(str(exc)) from None
    return backend
