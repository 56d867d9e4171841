"""`kernelwright try` driven in-process: the same tools an agent gets, for a person."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from agents.session import Session
from isa.base import Target
from tasks import load_task

ORACLE = Path(__file__).resolve().parents[2] / "tasks" / "gemv" / "tile" / "oracle.tasm"


def _session() -> tuple[Session, Console]:
    console = Console(record=True, width=200)
    return Session(load_task("gemv"), Target("tile"), console=console), console


def test_edit_uses_the_editor_and_run_validates(monkeypatch: pytest.MonkeyPatch) -> None:
    session, console = _session()
    assert "halt" in session.box.source  # starts from the stub
    monkeypatch.setenv("EDITOR", f"cp {ORACLE}")  # an "editor" that writes the oracle
    assert session.handle("edit")
    assert session.box.source == ORACLE.read_text()
    session.handle("run")
    assert "valid on all 5 configs" in console.export_text()


def test_spec_sections_and_unknown_commands() -> None:
    session, console = _session()
    session.handle("spec timing")
    session.handle("spec vrsqrt")
    session.handle("frobnicate")
    text = console.export_text()
    assert "## 4. Timing" in text
    assert "vrsqrt" in text
    assert "unknown command 'frobnicate'" in text
    assert session.handle("quit") is False


def test_edit_without_editor_explains(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    session, console = _session()
    session.handle("edit")
    assert "no $EDITOR set" in console.export_text()


def test_a_model_works_beside_the_person_in_process() -> None:
    console = Console(record=True, width=200)
    session = Session(load_task("gemv"), Target("tile"), console=console, model="scripted:oracle")
    session.handle("step 2")  # write and compile
    assert session.box.source == ORACLE.read_text()
    session.handle("take")
    session.handle("hint keep going")  # a hint while holding the kernel is fine
    session.handle("give")  # unchanged kernel, no note: nothing to tell the model
    session.handle("auto")
    session.handle("step")
    text = console.export_text()
    assert "hint from a person" in text
    assert "the agent submitted after 4 turns" in text
    assert "the agent has finished" in text
    assert "A person took over" not in text


def test_model_commands_without_a_model_explain() -> None:
    session, console = _session()
    session.handle("step")
    session.handle("take")
    assert "no model in this session" in console.export_text()
