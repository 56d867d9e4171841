"""Prompts are files under `agents/prompts/` with `$name` placeholders (string.Template,
so the braces of kernel code and manuals need no escaping)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"


@cache
def _template(name: str) -> Template:
    return Template((PROMPTS_DIR / f"{name}.md").read_text())


def prompt(name: str, **values: object) -> str:
    """The prompt `name` (a file stem under agents/prompts/) filled with `values`; every
    placeholder must be given, so a renamed variable fails loudly in the tests."""
    return _template(name).substitute({k: str(v) for k, v in values.items()}).strip()
