"""The agent protocol: who writes kernels. An agent gets a `TrialContext` and returns a
`Submission`; how it gets there (templates, a stored file, an LLM loop) is its own business."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from isa.base import Backend, Target
from tasks import Task


class AgentError(Exception):
    """The agent could not produce a candidate; the message is one sentence."""


@dataclass
class TrialContext:
    task: Task
    target: Target
    backend: Backend
    model: str | None = None
    seed: int = 0
    # Called for every step the agent takes (kind, payload); the runner persists them.
    on_event: Callable[[str, dict[str, Any]], None] = lambda kind, payload: None


@dataclass
class Submission:
    source: str
    steps: int = 0
    first_valid_step: int | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    notes: list[str] = field(default_factory=list)


class Agent(Protocol):
    name: str
    needs_model: bool

    def solve(self, ctx: TrialContext) -> Submission: ...
