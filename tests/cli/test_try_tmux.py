"""`kernelwright try --model` used the way a person uses it: in a real terminal (tmux), typing
commands and reading the screen. The model is a replay that only compiles, runs and submits,
so the kernel it validates is the one the person wrote while holding the kernel."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORACLE = ROOT / "tasks" / "gemv" / "tile" / "oracle.tasm"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


class Terminal:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-3000", "-t", "kw")

    def type(self, line: str) -> None:
        self.tmux("send-keys", "-t", "kw", "-l", line)
        self.tmux("send-keys", "-t", "kw", "Enter")

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """Wait until `text` is on the screen (Rich wraps long lines, so whitespace, line
        breaks included, is compared loosely); returns the screen, whitespace collapsed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = " ".join(self.screen().split())
            if " ".join(text.split()) in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"'{text}' never appeared; the screen shows:\n{self.screen()}")

    def prompts(self) -> int:
        return self.screen().count("kw> ")

    def command(self, line: str, expect: str) -> str:
        """Type a command and wait for its answer and the next prompt."""
        before = self.prompts()
        self.type(line)
        screen = self.wait_for(expect)
        deadline = time.monotonic() + 60
        while self.prompts() <= before and time.monotonic() < deadline:
            time.sleep(0.2)
        return screen


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    replay = tmp_path / "model.jsonl"
    turns = [
        {"text": "Let me compile what I have.", "tool_calls": [{"name": "compile"}]},
        {"text": "Now run it.", "tool_calls": [{"name": "run", "arguments": {}}]},
        {"text": "Submitting.", "tool_calls": [{"name": "submit", "arguments": {}}]},
    ]
    replay.write_text("".join(json.dumps(t) + "\n" for t in turns))
    term = Terminal(f"kwtest-{os.getpid()}")
    command = " ".join(
        shlex.quote(a)
        for a in [
            sys.executable,
            "-m",
            "eval.cli",
            "try",
            "gemv",
            "--target",
            "tile",
            "--model",
            f"scripted:replay:{replay}",
        ]
    )
    env = f"EDITOR={shlex.quote(f'cp {ORACLE}')} KERNELWRIGHT_DB={tmp_path / 'kw.db'} "
    env += "COLUMNS=120 TERM=xterm-256color"
    term.tmux(
        "new-session",
        "-d",
        "-s",
        "kw",
        "-x",
        "120",
        "-y",
        "40",
        "-c",
        str(ROOT),
        f"env {env} {command}; echo SESSION-ENDED; sleep 60",
    )
    try:
        yield term
    finally:
        term.tmux("kill-server")


def test_a_person_watches_hints_takes_over_and_hands_back(terminal: Terminal) -> None:
    terminal.wait_for("is ready: 'step' lets it take a turn")
    terminal.wait_for("kw> ")
    terminal.command("help", "give [NOTE]")
    terminal.command("hint the matrix is row-major", "hint from a person")
    terminal.command("take", "you have the kernel")
    terminal.command("step", "'give' hands it back to the model first")
    terminal.command("edit", "kernel written")
    terminal.command("give please check my kernel", "the model has the kernel again")
    terminal.command("step", "compile → ok")
    screen = terminal.command("auto", "the agent submitted after 3 turns")
    assert "run → ok" in screen and "valid on all 5 configs" in screen
    terminal.command("step", "the agent has finished")
    terminal.command("submit", "valid on all 8 configs")
    terminal.type("quit")
    terminal.wait_for("SESSION-ENDED")
    assert "Traceback" not in terminal.screen()


def test_a_missing_api_key_is_one_sentence(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "eval.cli",
            "try",
            "gemv",
            "--target",
            "tile",
            "--model",
            "openai:gpt-5",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: model 'openai:gpt-5' needs an OpenAI API key in $OPENAI_API_KEY"
    )
