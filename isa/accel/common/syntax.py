"""Splitting assembly statements into words and operands (shared by the assemblers)."""

from __future__ import annotations

import re


def split_word(text: str) -> tuple[str, str]:
    """The first word of a statement and the rest."""
    parts = text.split(None, 1)
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def missing_comma(texts: list[str]) -> bool:
    """Whether an operand looks like two operands with no comma between them (`r1 5`)."""
    outside = [re.sub(r"\[[^\]]*\]|\([^)]*\)", "0", text) for text in texts]
    return any(re.search(r"[\w\]]\s+[\w#$@(]", text) for text in outside)


def split_top_level(text: str) -> list[str]:
    """Split at commas that are not inside brackets or parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts
