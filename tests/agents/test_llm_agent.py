"""The LLM agent end to end through the real graph, offline: scripted models solve every
smoke task, transcripts are stored and rendered, replays round-trip, budgets and model
failures end in a submitted kernel or one stored sentence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from agents.base import AgentError, TrialContext
from agents.graph import AgentLoop, Budget
from agents.llm import LlmAgent
from agents.models import Message, ModelError, Reply, ToolSchema, make_model
from agents.models.prices import Price, price_for, price_table
from agents.tools import Toolbox
from eval.records import TrialKey
from eval.runner import RunSpec, run_suite, run_trial
from eval.show import render_trial, transcript_jsonl
from eval.store import Store
from isa.base import Target
from isa.registry import backend_for
from tasks import load_suite, load_task

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def oracle_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One smoke run of scripted:oracle, shared by the tests that read it."""
    store = Store(str(tmp_path_factory.mktemp("oracle") / "kw.db"))
    run_suite(RunSpec(suite="smoke", target="tile", agent="llm", model="scripted:oracle"), store)
    yield store
    store.close()


def test_scripted_oracle_solves_every_smoke_task_with_transcripts(oracle_run: Store) -> None:
    store = oracle_run
    records = store.trials()
    assert len(records) == len(load_suite("smoke"))
    assert all(r.status == "valid" for r in records), [r.reason for r in records]
    for r in records:
        assert r.steps == 4 and r.first_valid_step == 3
        assert r.tokens_in > 0 and r.tokens_out > 0 and r.cost_usd == 0.0
        events = store.events(r.key)
        kinds = [e["kind"] for e in events]
        assert kinds == ["system", "user"] + ["assistant", "tool"] * 4 + ["submit"]
        assert [e["seq"] for e in events] == list(range(len(events)))
        tools = [e["payload"]["name"] for e in events if e["kind"] == "tool"]
        assert tools == ["write_kernel", "compile", "run", "submit"]
        assert all(e["payload"]["ok"] for e in events if e["kind"] == "tool")
        assert events[-1]["payload"]["source"] == r.source
        assert r.key.task in events[0]["payload"]["text"]  # the system prompt states the task


def test_show_renders_every_tool_call_and_result(oracle_run: Store) -> None:
    store = oracle_run
    record = store.trials()[0]
    console = Console(record=True, width=120)
    render_trial(console, record, store.events(record.key))
    text = console.export_text()
    for call in ("→ write_kernel()", "→ compile()", "→ run()", "→ submit()"):
        assert call in text
    for result in ("write_kernel → ok", "compile → ok", "run → ok", "submit → ok"):
        assert result in text
    assert "step 4 · model" in text and "system prompt" in text
    assert "valid on" in text  # the run tool's verdict (smoke runs one visible config)


def test_an_exported_transcript_replays_to_the_same_calls(
    oracle_run: Store, _private_db: Path, tmp_path: Path
) -> None:
    record = next(r for r in oracle_run.trials() if r.key.task == "rmsnorm")
    exported = transcript_jsonl(record, oracle_run.events(record.key))
    path = tmp_path / "rmsnorm.jsonl"
    path.write_text(exported)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert all(line["trial"] == record.id and line["task"] == "rmsnorm" for line in lines)

    task = load_task("rmsnorm")
    store = Store(str(_private_db))
    again = run_trial(task, _key("rmsnorm", f"scripted:replay:{path}"), store)
    assert again.status == "valid" and again.source == task.oracle("tile", ".tasm")
    calls = [
        e["payload"]["tool_calls"] for e in store.events(again.key) if e["kind"] == "assistant"
    ]
    original = [
        e["payload"]["tool_calls"]
        for e in oracle_run.events(record.key)
        if e["kind"] == "assistant"
    ]
    assert calls == original
    store.close()


def _key(task: str, model: str) -> TrialKey:
    return TrialKey("test", task, "tile", "emu", "llm", model, 0)


def test_the_stub_model_fails_with_the_reason_stored(_private_db: Path) -> None:
    store = Store(str(_private_db))
    record = run_trial(load_task("gemv"), _key("gemv", "scripted:stub"), store)
    assert record.status == "invalid" and record.reason.startswith("failed on")
    assert record.steps == 1 and record.first_valid_step is None
    store.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n", "line 1: not a JSON object"),
        ('{"tool_calls": [{"arguments": {}}]}\n', "tool_calls must be a list of {name, arguments}"),
    ],
)
def test_a_bad_replay_file_is_one_sentence(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    env = {**os.environ, "KERNELWRIGHT_DB": str(tmp_path / "kw.db")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "eval.cli",
            "run",
            "--suite",
            "smoke",
            "--target",
            "tile",
            "--agent",
            "llm",
            "--model",
            f"scripted:replay:{path}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_missing_api_key_stops_the_run_before_any_work(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    env["KERNELWRIGHT_DB"] = str(tmp_path / "kw.db")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "eval.cli",
            "run",
            "--suite",
            "smoke",
            "--target",
            "tile",
            "--agent",
            "llm",
            "--model",
            "anthropic:claude-sonnet-4-5",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: model 'anthropic:claude-sonnet-4-5' needs an Anthropic API key in "
        "$ANTHROPIC_API_KEY"
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert Store(str(tmp_path / "kw.db")).trials() == []


# --- budgets and failures, with small models written for the test --------------------------


class Flaky:
    """Writes the oracle, runs it, then fails like a provider that went away."""

    name = "scripted:flaky"

    def __init__(self, source: str, fail_at: int) -> None:
        self.source, self.fail_at = source, fail_at

    def complete(self, messages: list[Message], tools: list[ToolSchema]) -> Reply:
        turn = sum(1 for m in messages if m["role"] == "assistant")
        if turn >= self.fail_at:
            raise ModelError("the provider failed with HTTP 500 after 6 retries: down")
        name, args = [("write_kernel", {"source": self.source}), ("run", {})][turn]
        call = {"id": f"c{turn}", "name": name, "arguments": args, "raw": json.dumps(args)}
        return Reply(Message(role="assistant", text="", tool_calls=[call]), 1000, 100)  # type: ignore[typeddict-item]


def _ctx(task_id: str, events: list[tuple[str, dict[str, Any]]]) -> TrialContext:
    target = Target("tile")
    return TrialContext(
        load_task(task_id),
        target,
        backend_for(target),
        model="scripted:oracle",
        on_event=lambda k, p: events.append((k, p)),
    )


def test_a_model_failure_after_a_valid_kernel_submits_it(monkeypatch: pytest.MonkeyPatch) -> None:
    oracle = load_task("silu").oracle("tile", ".tasm") or ""
    monkeypatch.setattr("agents.llm.make_model", lambda name, env: Flaky(oracle, fail_at=2))
    events: list[tuple[str, dict[str, Any]]] = []
    submission = LlmAgent().solve(_ctx("silu", events))
    assert submission.source == oracle and submission.steps == 2
    assert submission.first_valid_step == 2 and submission.tokens_in == 2000
    assert any("the last valid kernel was submitted" in n for n in submission.notes)
    assert [k for k, _ in events][-3:] == ["error", "note", "submit"]


def test_a_model_failure_with_nothing_valid_is_an_agent_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("agents.llm.make_model", lambda name, env: Flaky("halt\n", fail_at=0))
    with pytest.raises(AgentError, match="HTTP 500 after 6 retries"):
        LlmAgent().solve(_ctx("silu", []))


def test_token_and_cost_budgets_stop_the_loop_and_submit_the_last_valid_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = load_task("silu")
    oracle = task.oracle("tile", ".tasm") or ""
    model = make_model("scripted:oracle", _env(task))

    def run(budget: Budget, price: Price | None) -> Any:
        box = Toolbox(task, Target("tile"))
        return AgentLoop(box, model, budget, lambda k, p: None, price).run()

    by_tokens = run(Budget(max_steps=15, max_tokens=1), None)
    assert by_tokens.stopped == "tokens" and by_tokens.steps == 1
    # Nothing ran valid, so the current kernel (the oracle, written but never run) goes in.
    assert by_tokens.source == oracle and by_tokens.first_valid_step is None

    by_cost = run(Budget(max_steps=15, max_cost_usd=0.5), Price(input=100.0, output=100.0))
    assert by_cost.stopped == "cost" and by_cost.cost_usd >= 0.5

    enough = run(Budget(max_steps=3), None)  # write, compile, run: out of turns, never submitted
    assert enough.stopped == "steps" and enough.source == oracle
    assert enough.first_valid_step == 3


def _env(task: Any) -> Any:
    from agents.models import ModelEnv

    return ModelEnv(task=task, family="tile", suffix=".tasm")


def test_steps_budget_follows_the_task_level() -> None:
    assert [Budget.for_level(n).max_steps for n in (1, 2, 3)] == [15, 20, 25]


def test_price_table_prefixes_and_user_overrides(tmp_path: Path) -> None:
    assert price_for("openai:gpt-5") == Price(1.25, 10.0)
    assert price_for("anthropic:claude-sonnet-4-5-20250929") == Price(3.0, 15.0)
    assert price_for("scripted:oracle") == Price(0.0, 0.0)
    assert price_for("openai:some-future-model") is None
    extra = tmp_path / "prices.toml"
    extra.write_text('[models."openai:gpt-5"]\ninput = 2.0\noutput = 20.0\n')
    table = price_table(str(extra))
    assert price_for("openai:gpt-5", table) == Price(2.0, 20.0)
    assert price_for("openai:gpt-5", table).cost(1_000_000, 500_000) == pytest.approx(12.0)  # type: ignore[union-attr]
