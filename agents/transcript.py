"""A transcript event as a person reads it: one Rich renderable per event, shared by
`kernelwright show` (stored trials) and `kernelwright try` (live sessions)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.text import Text

MAX_TEXT_CHARS = 3000  # tool results and messages longer than this are cut on screen
SYSTEM_PREVIEW_CHARS = 600
SOURCE_ARGS = ("source", "new", "old")  # tool arguments that hold kernel code


def _cut(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters not shown]"


def _call(call: dict[str, Any]) -> RenderableType:
    args = call.get("arguments") or {}
    if call.get("error"):
        raw = str(call.get("raw", ""))
        return Text(f"→ {call.get('name')}({_cut(raw, 300)})  [unusable: {call['error']}]", "red")
    plain = {k: v for k, v in args.items() if k not in SOURCE_ARGS}
    shown = ", ".join(f"{k}={json.dumps(v)}" for k, v in plain.items())
    parts: list[RenderableType] = [Text(f"→ {call.get('name')}({shown})", "bold cyan")]
    for key in SOURCE_ARGS:
        if isinstance(args.get(key), str):
            parts.append(Text(f"  {key}:", "dim"))
            parts.append(Syntax(_cut(args[key]), "nasm", line_numbers=key == "source"))
    return Group(*parts)


def render_event(event: dict[str, Any]) -> RenderableType:
    kind = str(event.get("kind", ""))
    seq = event.get("seq")
    payload = event.get("payload") or {}
    prefix = f"{seq}: " if seq is not None else ""
    if kind == "system":
        text = str(payload.get("text", ""))
        body = Text(_cut(text, SYSTEM_PREVIEW_CHARS), "dim")
        return Panel(body, title=f"{prefix}system prompt ({len(text)} chars)", title_align="left")
    if kind == "user":
        return Panel(Text(str(payload.get("text", ""))), title=f"{prefix}user", title_align="left")
    if kind == "hint":
        body = Text(str(payload.get("text", "")))
        return Panel(body, title=f"{prefix}hint from a person", title_align="left", style="yellow")
    if kind == "assistant":
        parts: list[RenderableType] = []
        if payload.get("text"):
            parts.append(Text(_cut(str(payload["text"]))))
        parts += [_call(c) for c in payload.get("tool_calls", [])]
        if not payload.get("tool_calls"):
            parts.append(Text("(no tool call)", "dim"))
        usage = (
            f"{payload.get('tokens_in', 0)} in / {payload.get('tokens_out', 0)} out tokens, "
            f"${payload.get('cost_usd', 0.0):.4f}"
        )
        title = f"{prefix}step {payload.get('step', '?')} · model"
        return Panel(Group(*parts), title=title, subtitle=usage, title_align="left", style="blue")
    if kind == "tool":
        ok = bool(payload.get("ok"))
        mark = "ok" if ok else "error"
        title = f"{prefix}{payload.get('name', '?')} → {mark}"
        body = Text(_cut(str(payload.get("text", ""))), "green" if ok else "red")
        return Panel(body, title=title, title_align="left")
    if kind == "submit":
        source = str(payload.get("source", ""))
        reason = payload.get("reason")
        title = f"{prefix}submit" + (f" ({reason})" if reason else "")
        return Panel(
            Syntax(_cut(source), "nasm", line_numbers=True), title=title, title_align="left"
        )
    if kind == "note":
        return Text(f"{prefix}note: {payload.get('text', '')}", "yellow")
    if kind == "error":
        return Panel(
            Text(str(payload.get("text", "")), "red"), title=f"{prefix}error", title_align="left"
        )
    text = _cut(json.dumps(payload, indent=1))
    return Panel(Text(text), title=f"{prefix}{kind}", title_align="left")
