"""A fake model provider on 127.0.0.1 for the SDK tests: it speaks the OpenAI chat
completions and Anthropic messages wire formats and plays a script of actions (a reply, an
HTTP error, a hang past the client's timeout, a body that is not JSON), one per request."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Action:
    status: int = 200
    body: Any = None  # a JSON value, or a str sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # sleep before answering (longer than the client's timeout: a hang)


def fail(status: int, message: str = "try again", retry_after_ms: int | None = 5) -> Action:
    headers = {"retry-after-ms": str(retry_after_ms)} if retry_after_ms is not None else {}
    body = {"error": {"message": message, "type": "server_error"}}
    return Action(status=status, body=body, headers=headers)


def hang(seconds: float) -> Action:
    return Action(delay_s=seconds, body={"error": {"message": "too late"}}, status=500)


# --- OpenAI chat completions ---------------------------------------------------------------


def openai_reply(
    text: str = "", calls: list[tuple[str, str, str]] = (), tokens: tuple[int, int] = (100, 20)
) -> Action:
    """calls: (id, tool name, arguments as JSON text, possibly malformed)."""
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = [
            {"id": i, "type": "function", "function": {"name": n, "arguments": a}}
            for i, n, a in calls
        ]
    return Action(
        body={
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "fake-model",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if calls else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": tokens[0],
                "completion_tokens": tokens[1],
                "total_tokens": sum(tokens),
            },
        }
    )


# --- Anthropic messages --------------------------------------------------------------------


def anthropic_reply(
    text: str = "", calls: list[tuple[str, str, Any]] = (), tokens: tuple[int, int] = (100, 20)
) -> Action:
    """calls: (id, tool name, input object or anything else a broken server might send)."""
    content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    content += [{"type": "tool_use", "id": i, "name": n, "input": a} for i, n, a in calls]
    return Action(
        body={
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": "fake-model",
            "content": content,
            "stop_reason": "tool_use" if calls else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": tokens[0], "output_tokens": tokens[1]},
        }
    )


class FakeProvider:
    """Serves `script` in order; answers 500 once it is used up. `requests` holds every
    request body (parsed JSON) with its path, for the tests to inspect."""

    def __init__(self, script: list[Action]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake.lock:
                    fake.requests.append(
                        {
                            "path": self.path,
                            "body": body,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                        }
                    )
                    action = fake.script.pop(0) if fake.script else fail(500, "script over")
                if action.delay_s:
                    time.sleep(action.delay_s)
                payload = action.body if isinstance(action.body, str) else json.dumps(action.body)
                data = payload.encode()
                try:
                    self.send_response(action.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in action.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
