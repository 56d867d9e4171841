"""What `run` refuses before any work starts, and what an unknown target is told."""

from __future__ import annotations

import pytest

from eval.runner import RunError, RunSpec, check_spec
from isa.registry import UnknownTarget, backend_for


def test_a_model_for_an_agent_that_uses_none_is_refused() -> None:
    # It used to run, and the leaderboard showed "template openai:gpt-5".
    for agent in ("template", "oracle", "nop"):
        spec = RunSpec(suite="smoke", target="tile", agent=agent, model="openai:gpt-5")
        with pytest.raises(RunError, match=f"agent '{agent}' uses no model"):
            check_spec(spec)


def test_unknown_target_lists_names_that_are_accepted() -> None:
    with pytest.raises(UnknownTarget) as info:
        backend_for("vax")
    listed = str(info.value).split("known targets: ")[1].split(", ")
    assert "cuda:sm_90" in listed and "tile" in listed and "cuda" not in listed
    for name in listed:
        try:
            backend_for(name)  # every name the message offers is accepted...
        except UnknownTarget as exc:  # ...or says why it cannot run here (hip:gfx950)
            assert "is not available" in str(exc), name
