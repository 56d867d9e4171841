"""OpenAI chat completions with tool calls, through the official `openai` SDK; also any
OpenAI-compatible server (vLLM, Ollama, llama.cpp's server) through `base_url`."""

from __future__ import annotations

import os
from typing import Any

import openai
from openai.types.chat import ChatCompletionMessageFunctionToolCall

from agents.models.base import (
    Message,
    ModelConfigError,
    ModelEnv,
    ModelError,
    ProviderSettings,
    Reply,
    ToolSchema,
    sdk_errors,
    tool_call,
)


def to_openai(messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in messages:
        if m["role"] == "tool":
            out.append(
                {"role": "tool", "tool_call_id": m.get("tool_call_id", ""), "content": m["text"]}
            )
        elif m["role"] == "assistant" and m.get("tool_calls"):
            calls = [
                {
                    "id": c["id"],
                    "type": "function",
                    "function": {"name": c["name"], "arguments": c["raw"]},
                }
                for c in m.get("tool_calls", [])
            ]
            out.append({"role": "assistant", "content": m["text"] or None, "tool_calls": calls})
        else:
            out.append({"role": m["role"], "content": m["text"]})
    return out


def openai_tools(tools: list[ToolSchema]) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": t["name"],
                "description": t["description"],
                "parameters": t["parameters"],
            },
        }
        for t in tools
    ]


class OpenAIModel:
    """`openai:MODEL` (key in $OPENAI_API_KEY; $OPENAI_BASE_URL is honoured) and
    `openai-compatible:BASE_URL/MODEL` (key in $OPENAI_COMPATIBLE_API_KEY, optional)."""

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
        self.client = openai.OpenAI(
            api_key=api_key,
            base_url=base_url,
            timeout=self.settings.timeout_s,
            max_retries=self.settings.max_retries,
        )
        self.where = base_url or str(self.client.base_url)

    def complete(self, messages: list[Message], tools: list[ToolSchema]) -> Reply:
        with sdk_errors(
            openai,
            self.name,
            self.where,
            self.settings.timeout_s,
            self.settings.max_retries,
            "a chat completion",
        ):
            response = self.client.chat.completions.create(
                model=self.model,
                messages=to_openai(messages),  # type: ignore[arg-type]
                tools=openai_tools(tools),  # type: ignore[arg-type]
            )
        if not getattr(response, "choices", None):
            raise ModelError(f"{self.name} sent a reply with no choices")
        choice = response.choices[0].message
        calls = [
            tool_call(c.id, c.function.name, c.function.arguments or "")
            for c in (choice.tool_calls or [])
            if isinstance(c, ChatCompletionMessageFunctionToolCall)
        ]
        message = Message(role="assistant", text=choice.content or "", tool_calls=calls)
        usage = response.usage
        return Reply(
            message,
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_out=usage.completion_tokens if usage else 0,
        )


def split_compatible(rest: str) -> tuple[str, str]:
    """`http://host:8000/v1/qwen3-coder` -> (`http://host:8000/v1`, `qwen3-coder`). The base
    URL ends at the last `/v1` path segment and the model (which may hold slashes, e.g.
    `Qwen/Qwen3-Coder`) is the rest; without a `/v1` segment the model is the last segment."""
    if not rest.startswith(("http://", "https://")):
        raise ModelConfigError(
            f"'openai-compatible:{rest}' needs a URL and a model, "
            "e.g. openai-compatible:http://localhost:8000/v1/qwen3-coder"
        )
    head, sep, model = rest.rpartition("/v1/")
    if sep:
        base = head + "/v1"
    else:
        base, _, model = rest.rstrip("/").rpartition("/")
    if not model or base.endswith(":/"):
        raise ModelConfigError(f"'openai-compatible:{rest}' names no model after the URL")
    return base, model


def make_openai(name: str, rest: str, env: ModelEnv) -> OpenAIModel:
    key = os.environ.get("OPENAI_API_KEY", "")
    if not key:
        raise ModelConfigError(f"model '{name}' needs an OpenAI API key in $OPENAI_API_KEY")
    return OpenAIModel(name, rest, api_key=key, settings=env.settings)


def make_compatible(name: str, rest: str, env: ModelEnv) -> OpenAIModel:
    base, model = split_compatible(rest)
    # Local servers usually take any key; the SDK refuses an empty one.
    key = os.environ.get("OPENAI_COMPATIBLE_API_KEY") or "not-needed"
    return OpenAIModel(name, model, api_key=key, base_url=base, settings=env.settings)
