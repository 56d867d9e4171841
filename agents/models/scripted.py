"""Deterministic models for tests and demos. They make real tool calls through the same loop
as a provider, so an offline run exercises the whole graph, the tools and the transcript.

- `scripted:oracle`: writes the task's oracle kernel with the write tool, compiles it, runs
  it on the visible configs and submits it.
- `scripted:stub`: submits the starter stub untouched (must fail; the loop's nop).
- `scripted:replay:PATH`: replays the tool calls recorded in PATH, a JSONL file with one
  assistant turn per line: either an event exported by `kernelwright show TRIAL --jsonl`
  (lines of other kinds are skipped) or `{"text": ..., "tool_calls": [{"name": ...,
  "arguments": {...}}]}`; `arguments` may be a JSON text, even a malformed one, to test
  how the loop handles bad calls. After the last turn it submits.

Each scripted model is stateless: its next turn is chosen by how many assistant turns the
conversation already holds, so a resumed or interactive conversation stays in step.
Token counts are estimates (4 characters a token); scripted models cost nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.models.base import (
    Message,
    ModelConfigError,
    ModelEnv,
    Reply,
    ToolCall,
    ToolSchema,
    tool_call,
)
from tasks import Task


@dataclass(frozen=True)
class Turn:
    text: str
    calls: list[tuple[str, str | dict[str, Any]]]  # (tool name, arguments)


def _estimate(text: str) -> int:
    return max(1, len(text) // 4)


class ScriptedModel:
    def __init__(self, name: str, turns: list[Turn]) -> None:
        self.name = name
        self.turns = turns

    def complete(self, messages: list[Message], tools: list[ToolSchema]) -> Reply:
        position = sum(1 for m in messages if m["role"] == "assistant")
        if position < len(self.turns):
            turn = self.turns[position]
        else:
            turn = Turn("The script is over; submitting the current kernel.", [("submit", {})])
        calls: list[ToolCall] = [
            tool_call(f"call_{position}_{i}", name, args)
            for i, (name, args) in enumerate(turn.calls)
        ]
        message = Message(role="assistant", text=turn.text, tool_calls=calls)
        seen = "".join(m["text"] for m in messages) + json.dumps(tools)
        said = turn.text + "".join(c["raw"] for c in calls)
        return Reply(message, tokens_in=_estimate(seen), tokens_out=_estimate(said))


def oracle_turns(task: Task, family: str, suffix: str) -> list[Turn]:
    source = task.oracle(family, suffix)
    if source is None:
        raise ModelConfigError(
            f"scripted:oracle needs an oracle kernel of task {task.id} for {family}"
        )
    return [
        Turn(f"I will write the kernel for {task.id}.", [("write_kernel", {"source": source})]),
        Turn("Now compile it.", [("compile", {})]),
        Turn("It compiles; run it on the visible configs.", [("run", {})]),
        Turn("It is correct on every visible config; submitting.", [("submit", {})]),
    ]


def stub_turns() -> list[Turn]:
    return [Turn("Submitting the starter stub as it is.", [("submit", {})])]


def replay_turns(path: Path) -> list[Turn]:
    if not path.is_file():
        raise ModelConfigError(f"scripted:replay needs a file; {path} does not exist")
    turns: list[Turn] = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise ModelConfigError(f"{path}, line {number}: not a JSON object") from None
        if not isinstance(entry, dict):
            raise ModelConfigError(f"{path}, line {number}: not a JSON object")
        if "kind" in entry:  # an exported transcript event
            if entry["kind"] != "assistant":
                continue
            entry = entry.get("payload", {})
        calls = entry.get("tool_calls", [])
        if not isinstance(calls, list) or not all(
            isinstance(c, dict) and "name" in c for c in calls
        ):
            raise ModelConfigError(
                f"{path}, line {number}: tool_calls must be a list of {{name, arguments}}"
            )
        turns.append(
            Turn(
                str(entry.get("text", "")),
                [(str(c["name"]), c.get("raw", c.get("arguments", {}))) for c in calls],
            )
        )
    return turns


def make_scripted(name: str, rest: str, env: ModelEnv) -> ScriptedModel:
    kind, _, arg = rest.partition(":")
    if kind == "oracle":
        if env.task is None:
            raise ModelConfigError("scripted:oracle works on a task; it has none here")
        return ScriptedModel(name, oracle_turns(env.task, env.family, env.suffix))
    if kind == "stub":
        return ScriptedModel(name, stub_turns())
    if kind == "replay":
        if not arg:
            raise ModelConfigError("scripted:replay needs a file: scripted:replay:PATH")
        return ScriptedModel(name, replay_turns(Path(arg).expanduser()))
    raise ModelConfigError(
        f"unknown scripted model '{name}'; "
        "known: scripted:oracle, scripted:stub, scripted:replay:PATH"
    )
