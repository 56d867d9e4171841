"""Live provider checks: a real model takes a few turns of the loop on one task. Behind the
`live_api` marker and skipped without the provider's key; run with `-m live_api`."""

from __future__ import annotations

import os

import pytest

from agents.graph import AgentLoop, Budget
from agents.models import ModelEnv, ProviderSettings, make_model
from agents.tools import Toolbox
from isa.base import Target
from tasks import load_task

LIVE = [
    ("openai:" + os.environ.get("KERNELWRIGHT_LIVE_OPENAI_MODEL", "gpt-5-mini"), "OPENAI_API_KEY"),
    (
        "anthropic:" + os.environ.get("KERNELWRIGHT_LIVE_ANTHROPIC_MODEL", "claude-haiku-4-5"),
        "ANTHROPIC_API_KEY",
    ),
]


@pytest.mark.live_api
@pytest.mark.parametrize(("model_name", "key"), LIVE)
def test_a_live_model_calls_tools_in_the_loop(model_name: str, key: str) -> None:
    if not os.environ.get(key):
        pytest.skip(f"${key} is not set")
    task = load_task("silu")
    env = ModelEnv(settings=ProviderSettings(timeout_s=120, max_retries=2), task=task)
    model = make_model(model_name, env)
    events: list[tuple[str, dict[str, object]]] = []
    loop = AgentLoop(
        Toolbox(task, Target("tile")),
        model,
        Budget(max_steps=3),
        lambda k, p: events.append((k, p)),
    )
    outcome = loop.run()
    assert outcome.steps >= 1 and outcome.tokens_in > 0 and outcome.tokens_out > 0
    assert any(kind == "tool" for kind, _ in events), "the model never called a tool"
