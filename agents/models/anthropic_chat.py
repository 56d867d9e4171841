"""Anthropic messages with tool_use blocks, through the official `anthropic` SDK."""

from __future__ import annotations

import os
from typing import Any

import anthropic

from agents.models.base import (
    Message,
    ModelConfigError,
    ModelEnv,
    ProviderSettings,
    Reply,
    ToolSchema,
    sdk_errors,
    tool_call,
)


def to_anthropic(messages: list[Message]) -> tuple[str, list[dict[str, Any]]]:
    """(system prompt, messages): tool results become tool_result blocks of a user turn, and
    consecutive user-side content is merged into one turn, as the API requires."""
    system: list[str] = []
    out: list[dict[str, Any]] = []

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})

    for m in messages:
        if m["role"] == "system":
            system.append(m["text"])
        elif m["role"] == "tool":
            block = {"type": "tool_result", "tool_use_id": m.get("tool_call_id", "")}
            add("user", [{**block, "content": m["text"]}])
        elif m["role"] == "assistant":
            blocks: list[dict[str, Any]] = (
                [{"type": "text", "text": m["text"]}] if m["text"] else []
            )
            blocks += [
                {"type": "tool_use", "id": c["id"], "name": c["name"], "input": c["arguments"]}
                for c in m.get("tool_calls", [])
            ]
            add("assistant", blocks or [{"type": "text", "text": "(no reply)"}])
        else:
            add("user", [{"type": "text", "text": m["text"]}])
    return "\n\n".join(system), out


def anthropic_tools(tools: list[ToolSchema]) -> list[dict[str, Any]]:
    return [
        {"name": t["name"], "description": t["description"], "input_schema": t["parameters"]}
        for t in tools
    ]


class AnthropicModel:
    """`anthropic:MODEL`; key in $ANTHROPIC_API_KEY ($ANTHROPIC_BASE_URL is honoured)."""

    def __init__(
        self,
        name: str,
        model: str,
        *,
        api_key: str,
        base_url: str | None = None,
        settings: ProviderSettings | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.settings = settings or ProviderSettings()
        self.client = anthropic.Anthropic(
            api_key=api_key,
            base_url=base_url,
            timeout=self.settings.timeout_s,
            max_retries=self.settings.max_retries,
        )
        self.where = str(self.client.base_url)

    def complete(self, messages: list[Message], tools: list[ToolSchema]) -> Reply:
        system, wire = to_anthropic(messages)
        with sdk_errors(
            anthropic,
            self.name,
            self.where,
            self.settings.timeout_s,
            self.settings.max_retries,
            "a message",
        ):
            response = self.client.messages.create(
                model=self.model,
                system=system,
                messages=wire,  # type: ignore[arg-type]
                tools=anthropic_tools(tools),  # type: ignore[arg-type]
                max_tokens=self.settings.max_output_tokens,
            )
        texts: list[str] = []
        calls = []
        for block in getattr(response, "content", None) or []:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "tool_use":
                raw = block.input
                if isinstance(raw, dict):
                    calls.append(tool_call(block.id, block.name, raw))
                else:  # a server that sends the input as text, or not as an object
                    calls.append(tool_call(block.id, block.name, str(raw)))
        message = Message(role="assistant", text="\n".join(texts), tool_calls=calls)
        usage = response.usage
        return Reply(
            message,
            tokens_in=usage.input_tokens if usage else 0,
            tokens_out=usage.output_tokens if usage else 0,
        )


def make_anthropic(name: str, rest: str, env: ModelEnv) -> AnthropicModel:
    key = os.environ.get("ANTHROPIC_API_KEY", "")
    if not key:
        raise ModelConfigError(f"model '{name}' needs an Anthropic API key in $ANTHROPIC_API_KEY")
    return AnthropicModel(name, rest, api_key=key, settings=env.settings)
