"""Model providers, named by one string `PROVIDER:REST`:

| string | provider |
| --- | --- |
| `openai:MODEL` | OpenAI, key in $OPENAI_API_KEY |
| `anthropic:MODEL` | Anthropic, key in $ANTHROPIC_API_KEY |
| `openai-compatible:BASE_URL/MODEL` | vLLM, Ollama, llama.cpp's server, ... (1) |
| `scripted:oracle`, `scripted:stub`, `scripted:replay:PATH` | deterministic test models |

(1) BASE_URL runs up to the last `/v1` path segment and MODEL is the rest (it may hold
slashes); without a `/v1` segment MODEL is the last path segment.

Adding a provider is one module and one line in `PROVIDERS`."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from agents.models.base import (
    ChatModel,
    Message,
    ModelConfigError,
    ModelEnv,
    ModelError,
    ProviderSettings,
    Reply,
    ToolCall,
    ToolSchema,
)

PROVIDERS: dict[str, str] = {
    "openai": "agents.models.openai_chat:make_openai",
    "anthropic": "agents.models.anthropic_chat:make_anthropic",
    "openai-compatible": "agents.models.openai_chat:make_compatible",
    "scripted": "agents.models.scripted:make_scripted",
}

__all__ = [
    "ChatModel",
    "Message",
    "ModelConfigError",
    "ModelEnv",
    "ModelError",
    "ProviderSettings",
    "Reply",
    "ToolCall",
    "ToolSchema",
    "check_model",
    "make_model",
]


def _factory(name: str) -> tuple[Callable[[str, str, ModelEnv], ChatModel], str]:
    provider, sep, rest = name.partition(":")
    if not sep or not rest or provider not in PROVIDERS:
        known = ", ".join(f"{p}:..." for p in PROVIDERS)
        raise ModelConfigError(f"'{name}' is not a model string; use one of {known}")
    module_name, _, attr = PROVIDERS[provider].partition(":")
    factory: Callable[[str, str, ModelEnv], ChatModel] = getattr(
        importlib.import_module(module_name), attr
    )
    return factory, rest


def make_model(name: str, env: ModelEnv | None = None) -> ChatModel:
    """The model named `name`. Raises ModelConfigError (one sentence) for a bad name or a
    missing API key; contacts nothing."""
    factory, rest = _factory(name.strip())
    return factory(name.strip(), rest, env or ModelEnv())


def check_model(name: str) -> None:
    """Fail before any work starts if `name` cannot work here (bad name, missing key).
    Scripted models that work on a task are checked when the task is known."""
    factory, rest = _factory(name.strip())
    if name.strip().startswith("scripted:oracle"):
        return
    factory(name.strip(), rest, ModelEnv())
