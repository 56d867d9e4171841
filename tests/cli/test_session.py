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


def test_file_errors_are_one_sentence_and_the_session_goes_on(tmp_path: Path) -> None:
    session, console = _session()
    binary = tmp_path / "kernel.bin"
    binary.write_bytes(b"\xff\xfe\x00\x81 not text")
    kernel = session.box.source
    lines = [
        f"load {binary}",
        f"load {tmp_path}",
        f"save {tmp_path}/no/such/dir/x.tasm",
        f"save {tmp_path}",
    ]
    for line in lines:
        assert session.handle(line)  # the session goes on
    assert session.box.source == kernel  # and the kernel is kept
    text = console.export_text()
    assert f"{binary} is not a text file" in text
    assert f"{tmp_path} is a folder, not a kernel file" in text
    assert f"the folder {tmp_path}/no/such/dir does not exist" in text
    assert f"cannot save to {tmp_path}: it is a folder" in text
    assert "Traceback" not in text


def test_load_and_save_round_trip_and_say_how_many_lines(tmp_path: Path) -> None:
    session, console = _session()
    one_line = tmp_path / "one.tasm"
    one_line.write_text("halt\n")
    session.handle(f"load {one_line}")
    session.handle(f"save {tmp_path / 'copy.tasm'}")
    assert (tmp_path / "copy.tasm").read_text() == "halt\n"
    assert "kernel written (1 line)" in console.export_text()


def _answers(monkeypatch: pytest.MonkeyPatch, session: Session, *answers: object) -> list[str]:
    """Feed the prompt: each answer is a line, or an exception raised there (Ctrl-C)."""
    asked: list[str] = []
    queue = list(answers)

    def fake_input(prompt: object = "", **_: object) -> str:
        asked.append(str(prompt))
        answer = queue.pop(0) if queue else EOFError()
        if isinstance(answer, BaseException):
            raise answer
        return str(answer)

    monkeypatch.setattr(session.console, "input", fake_input)
    return asked


def test_ctrl_c_asks_before_leaving_with_unsaved_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    session, _ = _session()
    session.box.write(ORACLE.read_text())  # changed, not saved
    asked = _answers(monkeypatch, session, KeyboardInterrupt(), "n", KeyboardInterrupt(), "y")
    session.loop()
    questions = [a for a in asked if "unsaved changes" in a]
    assert len(questions) == 2  # 'n' kept the session; 'y' left it
    assert len(asked) == 4


def test_ctrl_c_leaves_at_once_without_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    session, _ = _session()
    asked = _answers(monkeypatch, session, KeyboardInterrupt())
    session.loop()
    assert len(asked) == 1 and "unsaved" not in asked[0]
