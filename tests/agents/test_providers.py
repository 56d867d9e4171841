"""The real `openai` and `anthropic` SDKs against a fake provider on loopback: tool calls,
retries on 429 / 5xx / timeouts (with tiny waits), malformed tool calls, failures that end
in one sentence, and the whole tool loop driven through each provider."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_llm_server import (
    Action,
    FakeProvider,
    anthropic_reply,
    fail,
    hang,
    openai_reply,
)

from agents.base import TrialContext
from agents.graph import AgentLoop, Budget
from agents.models import Message, ModelError, ProviderSettings, make_model
from agents.models.anthropic_chat import AnthropicModel
from agents.models.openai_chat import OpenAIModel
from agents.tools import Toolbox, tool_schemas
from eval.validate import verify
from isa.base import Target
from tasks import load_task

# Generous timeouts where none is tested (a loaded CI machine must not turn a slow answer into
# a retry that eats the next scripted reply); retry waits are kept tiny by `retry-after-ms`.
FAST = ProviderSettings(timeout_s=30, max_retries=3)
CONVERSATION = [
    Message(role="system", text="You write kernels."),
    Message(role="user", text="Begin."),
]


def _openai(fake: FakeProvider, settings: ProviderSettings = FAST) -> OpenAIModel:
    return OpenAIModel(
        "openai:fake", "fake-model", api_key="sk-test", base_url=fake.url + "/v1", settings=settings
    )


def _anthropic(fake: FakeProvider, settings: ProviderSettings = FAST) -> AnthropicModel:
    return AnthropicModel(
        "anthropic:fake", "fake-model", api_key="sk-ant-test", base_url=fake.url, settings=settings
    )


def _tools() -> Any:
    return tool_schemas()


# --- OpenAI --------------------------------------------------------------------------------


def test_openai_tool_call_round_trip() -> None:
    script = [openai_reply("reading", [("c1", "spec", '{"query": "timing"}')], tokens=(321, 12))]
    with FakeProvider(script) as fake:
        reply = _openai(fake).complete(CONVERSATION, _tools())
    assert reply.tokens_in == 321 and reply.tokens_out == 12
    assert reply.message["text"] == "reading"
    (call,) = reply.message["tool_calls"]
    assert call["name"] == "spec" and call["arguments"] == {"query": "timing"}
    request = fake.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer sk-test"
    sent = request["body"]
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    names = [t["function"]["name"] for t in sent["tools"]]
    assert names == [t["name"] for t in tool_schemas()]
    assert sent["tools"][3]["function"]["parameters"]["required"] == ["old", "new"]


def test_openai_retries_429_and_500_then_succeeds() -> None:
    script = [fail(429, "rate limited"), fail(500), fail(503), openai_reply("done")]
    with FakeProvider(script) as fake:
        reply = _openai(fake).complete(CONVERSATION, _tools())
    assert reply.message["text"] == "done"
    assert len(fake.requests) == 4


def test_openai_retries_a_timeout() -> None:
    with FakeProvider([hang(4), openai_reply("late but here")]) as fake:
        reply = _openai(fake, ProviderSettings(timeout_s=1.0, max_retries=1)).complete(
            CONVERSATION, _tools()
        )
    assert reply.message["text"] == "late but here"
    assert len(fake.requests) == 2


def test_openai_gives_up_with_one_sentence() -> None:
    with FakeProvider([fail(500, "boom")] * 3) as fake, pytest.raises(ModelError) as info:
        _openai(fake, ProviderSettings(timeout_s=30, max_retries=2)).complete(
            CONVERSATION, _tools()
        )
    message = str(info.value)
    assert "HTTP 500 after 2 retries" in message and "boom" in message and "\n" not in message
    assert len(fake.requests) == 3


def test_openai_rejected_key_is_one_sentence_without_retries() -> None:
    with (
        FakeProvider([fail(401, "bad key")]) as fake,
        pytest.raises(ModelError, match="rejected the API key"),
    ):
        _openai(fake).complete(CONVERSATION, _tools())
    assert len(fake.requests) == 1


def test_openai_body_that_is_not_json_is_a_model_error() -> None:
    with FakeProvider([Action(body="<html>gateway</html>")]) as fake, pytest.raises(ModelError):
        _openai(fake).complete(CONVERSATION, _tools())


def test_openai_malformed_tool_arguments_become_a_call_error() -> None:
    script = [openai_reply("", [("c1", "write_kernel", '{"source": "halt'), ("c2", "run", "[1]")])]
    with FakeProvider(script) as fake:
        reply = _openai(fake).complete(CONVERSATION, _tools())
    bad_json, not_object = reply.message["tool_calls"]
    assert "not JSON" in bad_json.get("error", "")
    assert "JSON object" in not_object.get("error", "")


def test_openai_compatible_name_reaches_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_COMPATIBLE_API_KEY", raising=False)
    with FakeProvider([openai_reply("hi")]) as fake:
        model = make_model(f"openai-compatible:{fake.url}/v1/Qwen/Qwen3-Coder")
        assert model.complete(CONVERSATION, _tools()).message["text"] == "hi"
    assert fake.requests[0]["path"] == "/v1/chat/completions"
    assert fake.requests[0]["body"]["model"] == "Qwen/Qwen3-Coder"


# --- Anthropic -----------------------------------------------------------------------------


def test_anthropic_tool_use_round_trip() -> None:
    script = [anthropic_reply("let me look", [("tu1", "spec", {"query": "dma"})], tokens=(50, 7))]
    with FakeProvider(script) as fake:
        reply = _anthropic(fake).complete(CONVERSATION, _tools())
    assert (reply.tokens_in, reply.tokens_out) == (50, 7)
    (call,) = reply.message["tool_calls"]
    assert call == {"id": "tu1", "name": "spec", "arguments": {"query": "dma"}, "raw": call["raw"]}
    request = fake.requests[0]
    assert request["path"] == "/v1/messages"
    headers = request["headers"]
    assert "sk-ant-test" in headers.get("x-api-key", "") + headers.get("authorization", "")
    sent = request["body"]
    assert sent["system"] == "You write kernels."
    assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Begin."}]}]
    assert sent["tools"][2]["input_schema"]["required"] == ["source"]


def test_anthropic_tool_results_are_sent_as_one_user_turn() -> None:
    history = [
        *CONVERSATION,
        Message(
            role="assistant",
            text="two calls",
            tool_calls=[
                {"id": "a", "name": "compile", "arguments": {}, "raw": "{}"},
                {"id": "b", "name": "run", "arguments": {}, "raw": "{}"},
            ],
        ),
        Message(role="tool", text="compiled", tool_call_id="a", name="compile"),
        Message(role="tool", text="valid", tool_call_id="b", name="run"),
        Message(role="user", text="a hint"),
    ]
    with FakeProvider([anthropic_reply("ok")]) as fake:
        _anthropic(fake).complete(history, _tools())
    turns = fake.requests[0]["body"]["messages"]
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    last = turns[-1]["content"]
    assert [b["type"] for b in last] == ["tool_result", "tool_result", "text"]
    assert last[0]["tool_use_id"] == "a" and last[1]["content"] == "valid"


def test_anthropic_retries_429_529_and_a_timeout() -> None:
    script = [fail(429), fail(529, "overloaded"), hang(4), anthropic_reply("finally")]
    with FakeProvider(script) as fake:
        reply = _anthropic(fake, ProviderSettings(timeout_s=1.0, max_retries=3)).complete(
            CONVERSATION, _tools()
        )
    assert reply.message["text"] == "finally"
    assert len(fake.requests) == 4


def test_anthropic_gives_up_with_one_sentence() -> None:
    with (
        FakeProvider([fail(500, "down")] * 2) as fake,
        pytest.raises(ModelError, match=r"HTTP 500 after 1 retries: down"),
    ):
        _anthropic(fake, ProviderSettings(timeout_s=30, max_retries=1)).complete(
            CONVERSATION, _tools()
        )


def test_anthropic_body_that_is_not_json_is_a_model_error() -> None:
    with (
        FakeProvider([Action(body="not json at all")]) as fake,
        pytest.raises(ModelError, match="not JSON"),
    ):
        _anthropic(fake).complete(CONVERSATION, _tools())


def test_anthropic_tool_input_that_is_not_an_object_becomes_a_call_error() -> None:
    script = [anthropic_reply("", [("tu1", "write_kernel", '{"source": "hal')])]
    with FakeProvider(script) as fake:
        reply = _anthropic(fake).complete(CONVERSATION, _tools())
    (call,) = reply.message["tool_calls"]
    assert "not JSON" in call.get("error", "")


# --- the whole loop through each provider --------------------------------------------------


def _run_loop(
    model: Any, task_id: str = "silu"
) -> tuple[AgentLoop, list[tuple[str, dict[str, Any]]]]:
    task = load_task(task_id)
    box = Toolbox(task, Target("tile"))
    events: list[tuple[str, dict[str, Any]]] = []
    ctx = TrialContext(
        task, Target("tile"), box.backend, on_event=lambda k, p: events.append((k, p))
    )
    loop = AgentLoop(box, model, Budget(max_steps=8), ctx.on_event)
    loop.outcome_ = loop.run()  # type: ignore[attr-defined]
    return loop, events


def test_the_loop_survives_bad_calls_and_solves_through_openai() -> None:
    oracle = load_task("silu").oracle("tile", ".tasm") or ""
    script = [
        openai_reply("", [("c1", "write_kernel", '{"source": "oops')]),  # not JSON
        openai_reply("", [("c2", "edit_kernel", '{"old": "halt"}')]),  # misses "new"
        openai_reply("", [("c3", "frobnicate", "{}")]),  # no such tool
        fail(429),
        openai_reply("", [("c4", "write_kernel", json.dumps({"source": oracle}))]),
        openai_reply("", [("c5", "run", "{}")]),
        openai_reply("done", [("c6", "submit", "{}")]),
    ]
    with FakeProvider(script) as fake:
        loop, events = _run_loop(_openai(fake))
    outcome = loop.outcome_  # type: ignore[attr-defined]
    assert outcome.stopped == "submitted" and outcome.source == oracle
    assert outcome.steps == 6 and outcome.first_valid_step == 5
    assert outcome.tokens_in == 600 and outcome.tokens_out == 120
    tools = [p for k, p in events if k == "tool"]
    assert [t["ok"] for t in tools] == [False, False, False, True, True, True]
    assert "not JSON" in tools[0]["text"]
    assert "new: Field required" in tools[1]["text"]
    assert "no tool named 'frobnicate'" in tools[2]["text"]
    # The model was shown each error as the result of its call.
    second = fake.requests[1]["body"]["messages"]
    assert second[-1]["role"] == "tool" and second[-1]["tool_call_id"] == "c1"
    assert "not JSON" in second[-1]["content"]
    assert verify(load_task("silu"), Target("tile"), outcome.source).valid


def test_the_loop_solves_through_anthropic_and_submits_the_last_valid_kernel() -> None:
    oracle = load_task("silu").oracle("tile", ".tasm") or ""
    script = [
        anthropic_reply("", [("t1", "write_kernel", {"source": oracle})]),
        anthropic_reply("", [("t2", "run", {})]),
        anthropic_reply("", [("t3", "write_kernel", {"src": "halt"})]),  # wrong schema
        anthropic_reply("", [("t4", "edit_kernel", {"old": "halt", "new": "nop\n        halt"})]),
        anthropic_reply("no tools this turn"),
        anthropic_reply("", [("t5", "compile", {})]),
        anthropic_reply("", [("t6", "write_kernel", {"source": "halt\n"})]),
        anthropic_reply("", [("t7", "compile", {})]),
    ]
    with FakeProvider(script) as fake:
        loop, events = _run_loop(_anthropic(fake))
    outcome = loop.outcome_  # type: ignore[attr-defined]
    # Out of turns: the kernel that last ran valid is submitted, not the broken current one.
    assert outcome.stopped == "steps" and outcome.steps == 8
    assert outcome.source == oracle and outcome.first_valid_step == 2
    tools = [p for k, p in events if k == "tool"]
    assert "src: Extra inputs are not permitted" in tools[2]["text"]
    users = [p["text"] for k, p in events if k == "user"]
    assert any("calling one of your tools" in u for u in users)  # the nudge after no call
    assert any("turn(s) left" in u for u in users)
    assert events[-1][0] == "submit" and events[-1][1]["reason"] == "steps"
