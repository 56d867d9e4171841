"""What a model provider is: a chat model that answers a conversation with text and tool
calls. Messages are typed dicts, so the same values travel through LangGraph's state, the
store's JSON events and the providers' wire formats without conversion classes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NotRequired, Protocol, TypedDict

if TYPE_CHECKING:
    from tasks import Task

Role = Literal["system", "user", "assistant", "tool"]


class ToolCall(TypedDict):
    id: str
    name: str
    arguments: dict[str, Any]  # parsed arguments ({} when they could not be parsed)
    raw: str  # the arguments as the model sent them
    error: NotRequired[str]  # why the arguments could not be parsed, if they could not


class Message(TypedDict):
    role: Role
    text: str
    tool_calls: NotRequired[list[ToolCall]]  # assistant messages
    tool_call_id: NotRequired[str]  # tool results
    name: NotRequired[str]  # tool results: which tool


class ToolSchema(TypedDict):
    name: str
    description: str
    parameters: dict[str, Any]  # JSON schema of the arguments object


@dataclass
class Reply:
    message: Message
    tokens_in: int = 0
    tokens_out: int = 0


@dataclass(frozen=True)
class ProviderSettings:
    """How patient a provider is. Retries use the SDKs' own exponential backoff (honouring
    `retry-after` headers) on 408, 409, 429, 5xx, timeouts and dropped connections."""

    timeout_s: float = 300.0  # one request, including a slow model's long answer
    max_retries: int = 6
    max_output_tokens: int = 8192  # per reply (Anthropic requires a value)


@dataclass(frozen=True)
class ModelEnv:
    """What a provider factory may use besides the model string: the settings, and for the
    scripted models the task and target they work on."""

    settings: ProviderSettings = ProviderSettings()
    task: Task | None = None
    family: str = ""
    suffix: str = ""


class ModelError(Exception):
    """The model could not answer (after retries); the message is one sentence."""


class ModelConfigError(ValueError):
    """A model name or set-up that cannot work (unknown provider, missing API key); one
    sentence, raised before any work starts."""


class ChatModel(Protocol):
    name: str  # the full model string, e.g. "openai:gpt-5"

    def complete(self, messages: list[Message], tools: list[ToolSchema]) -> Reply:
        """One model turn. Raises ModelError when the provider fails after its retries."""


def tool_call(call_id: str, name: str, raw: str | dict[str, Any]) -> ToolCall:
    """A ToolCall from arguments as sent: a JSON text (parsed here) or an object."""

    if isinstance(raw, dict):
        return ToolCall(id=call_id, name=name, arguments=raw, raw=json.dumps(raw))
    try:
        parsed = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError as exc:
        return ToolCall(
            id=call_id, name=name, arguments={}, raw=raw, error=f"arguments are not JSON: {exc}"
        )
    if not isinstance(parsed, dict):
        return ToolCall(
            id=call_id, name=name, arguments={}, raw=raw, error="arguments must be a JSON object"
        )
    return ToolCall(id=call_id, name=name, arguments=parsed, raw=raw)


def short(text: str, limit: int = 300) -> str:
    """One line of at most `limit` characters, for error sentences."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


def error_detail(exc: Exception) -> str:
    """The provider's own error message from an SDK status error, else the SDK's text."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return short(inner["message"])
    return short(getattr(exc, "message", None) or str(exc))


@contextmanager
def sdk_errors(
    sdk: Any, name: str, where: str, timeout_s: float, retries: int, reply_kind: str
) -> Iterator[None]:
    """Turn the errors of an official SDK (openai and anthropic name them alike) into one
    ModelError sentence each, after the SDK's own retries."""
    try:
        yield
    except sdk.AuthenticationError:
        raise ModelError(f"{where} rejected the API key for {name}") from None
    except sdk.APITimeoutError:
        raise ModelError(
            f"{name} did not answer within {timeout_s:g} s ({retries} retries)"
        ) from None
    except sdk.APIConnectionError as exc:
        raise ModelError(f"cannot reach {where} for {name}: {exc}") from None
    except sdk.APIStatusError as exc:
        raise ModelError(
            f"{name} failed with HTTP {exc.status_code} after {retries} retries: "
            f"{error_detail(exc)}"
        ) from None
    except ValueError as exc:  # a body that is not JSON
        raise ModelError(f"{name} sent a reply that is not JSON: {short(str(exc))}") from None
    except sdk.APIResponseValidationError as exc:
        raise ModelError(f"{name} sent a reply that is not {reply_kind}: {exc}") from None
