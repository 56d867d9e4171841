"""A stored transcript as a log viewer shows it: one entry per event, and for every write or
edit of the kernel the diff against the kernel it replaced."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

SOURCE_ARGS = ("source", "old", "new")


@dataclass
class Call:
    name: str
    arguments: str  # JSON of the arguments other than kernel code
    code: dict[str, str]  # argument name -> kernel code it carried
    error: str = ""


@dataclass
class Entry:
    seq: int
    kind: str  # system | user | hint | assistant | tool | submit | note | error | other
    title: str
    text: str = ""
    ok: bool | None = None
    calls: list[Call] = field(default_factory=list)
    diff: str = ""  # unified diff of the kernel this tool call wrote
    code: str = ""  # the submitted kernel


def _call(raw: dict[str, Any]) -> Call:
    args = raw.get("arguments") or {}
    plain = {k: v for k, v in args.items() if k not in SOURCE_ARGS}
    code = {k: v for k, v in args.items() if k in SOURCE_ARGS and isinstance(v, str)}
    return Call(
        name=str(raw.get("name", "?")),
        arguments=json.dumps(plain) if plain else "",
        code=code,
        error=str(raw.get("error") or ""),
    )


def _diff(before: str | None, after: str, step: int) -> str:
    before_lines = [] if before is None else before.splitlines(keepends=True)
    label = "(unknown starting kernel)" if before is None else "kernel before"
    lines = difflib.unified_diff(
        before_lines, after.splitlines(keepends=True), label, f"kernel after step {step}"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def entries(events: list[dict[str, Any]], start: str | None = None) -> list[Entry]:
    """Log-viewer entries; `start` is the kernel the trial began with (the task's stub), the
    base of the first write's diff."""
    kernel = start
    out: list[Entry] = []
    for event in events:
        kind = str(event.get("kind", ""))
        payload = event.get("payload") or {}
        seq = int(event.get("seq", len(out)))
        text = str(payload.get("text", ""))
        if kind == "system":
            out.append(Entry(seq, kind, f"system prompt ({len(text)} characters)", text))
        elif kind in ("user", "hint", "note", "error"):
            out.append(Entry(seq, kind, kind, text))
        elif kind == "assistant":
            usage = (
                f"{payload.get('tokens_in', 0)} in / {payload.get('tokens_out', 0)} out tokens, "
                f"${payload.get('cost_usd', 0.0):.4f}"
            )
            calls = [_call(c) for c in payload.get("tool_calls", [])]
            out.append(
                Entry(
                    seq,
                    kind,
                    f"step {payload.get('step', '?')} · model · {usage}",
                    text,
                    calls=calls,
                )
            )
        elif kind == "tool":
            name = str(payload.get("name", "?"))
            ok = bool(payload.get("ok"))
            entry = Entry(seq, kind, f"{name} → {'ok' if ok else 'error'}", text, ok=ok)
            args = payload.get("arguments") or {}
            step = int(payload.get("step", 0) or 0)
            new: str | None = None
            if ok and name == "write_kernel" and isinstance(args.get("source"), str):
                new = args["source"]
            elif ok and name == "edit_kernel" and kernel is not None:
                old_text, new_text = str(args.get("old", "")), str(args.get("new", ""))
                if old_text in kernel:
                    new = kernel.replace(old_text, new_text, 1)
            if new is not None:
                entry.diff = _diff(kernel, new, step)
                kernel = new
            out.append(entry)
        elif kind == "submit":
            reason = payload.get("reason")
            title = "submit" + (f" ({reason})" if reason else "")
            out.append(Entry(seq, kind, title, code=str(payload.get("source", ""))))
        else:
            out.append(Entry(seq, "other", kind, json.dumps(payload, indent=1)))
    return out
