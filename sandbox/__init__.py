"""How untrusted work runs: isolation, process lifetime, resource limits, output caps and
wall timeouts. Knows nothing about kernels.

Backends are registered by one line in `SANDBOXES`; `get_sandbox(name)` builds one.
"""

from __future__ import annotations

import importlib

from sandbox.base import Limits, ProcessResult, Sandbox

__all__ = [
    "SANDBOXES",
    "Limits",
    "ProcessResult",
    "Sandbox",
    "UnknownSandbox",
    "get_sandbox",
]

SANDBOXES: dict[str, str] = {
    "local": "sandbox.local:LocalSandbox",
    "docker": "sandbox.container:DockerSandbox",
}


class UnknownSandbox(ValueError):
    pass


def get_sandbox(name: str = "local") -> Sandbox:
    """A new sandbox backend by name; raises UnknownSandbox with one sentence if none."""
    if name not in SANDBOXES:
        known = ", ".join(sorted(SANDBOXES))
        raise UnknownSandbox(f"unknown sandbox '{name}'; known sandboxes: {known}")
    module_name, _, attr = SANDBOXES[name].partition(":")
    sandbox: Sandbox = getattr(importlib.import_module(module_name), attr)()
    return sandbox
