"""`kernelwright try`: a person works on one task with the same tools an agent gets."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.syntax import Syntax

from agents.tools import Toolbox, ToolResult
from eval.validate import verify
from isa.base import Target
from tasks import Task

HELP = """\
commands:
  task              the task statement and configs
  spec [WORDS]      the target's reference (a section by number/title, or matching lines)
  show              the current kernel with line numbers
  edit              open the kernel in $EDITOR
  paste             replace the kernel with pasted text (end with a line holding only '.')
  load FILE / save FILE
  compile           assemble/compile for every visible config
  run               run on the visible configs with fresh inputs, compare with the reference
  profile [CONFIG]  where the time goes (default: the largest visible config)
  submit            final verification: fresh inputs, hidden configs included
  quit"""


class Session:
    def __init__(
        self, task: Task, target: Target, source: str | None = None, console: Console | None = None
    ) -> None:
        self.box = Toolbox(task, target, source=source)
        self.console = console or Console()
        self.commands: dict[str, Callable[[list[str]], None]] = {
            "help": lambda a: self._print(HELP),
            "task": lambda a: self._print(self.box.task.statement()),
            "spec": lambda a: self._result(self.box.spec(" ".join(a))),
            "show": self._show,
            "edit": self._edit,
            "paste": self._paste,
            "load": self._load,
            "save": self._save,
            "compile": lambda a: self._result(self.box.compile()),
            "run": lambda a: self._result(self.box.run()),
            "profile": lambda a: self._result(self.box.profile(a[0] if a else "")),
            "submit": self._submit,
        }

    def _print(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False)

    def _result(self, result: ToolResult) -> None:
        style = "green" if result.ok else "red"
        self.console.print(result.text, style=style, markup=False, highlight=False)

    def _show(self, args: list[str]) -> None:
        self.console.print(Syntax(self.box.source or "; (empty)", "nasm", line_numbers=True))

    def _edit(self, args: list[str]) -> None:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self._print("no $EDITOR set; use 'paste' instead, or set EDITOR=nano")
            return
        suffix = self.box.backend.source_suffix
        with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as handle:
            handle.write(self.box.source)
            path = Path(handle.name)
        try:
            subprocess.run([*shlex.split(editor), str(path)], check=False)
            self._result(self.box.write(path.read_text()))
        finally:
            path.unlink(missing_ok=True)

    def _paste(self, args: list[str]) -> None:
        self._print("paste the kernel; end with a line holding only '.'")
        lines = []
        while True:
            try:
                line = input()
            except EOFError:
                break
            if line.strip() == ".":
                break
            lines.append(line)
        self._result(self.box.write("\n".join(lines) + "\n"))

    def _load(self, args: list[str]) -> None:
        if not args:
            self._print("usage: load FILE")
            return
        path = Path(args[0]).expanduser()
        if not path.is_file():
            self._print(f"no such file: {path}")
            return
        self._result(self.box.write(path.read_text()))

    def _save(self, args: list[str]) -> None:
        if not args:
            self._print("usage: save FILE")
            return
        Path(args[0]).expanduser().write_text(self.box.source)
        self._print(f"saved to {args[0]}")

    def _submit(self, args: list[str]) -> None:
        self.box.submit()
        with self.console.status("final verification (hidden configs included)..."):
            verdict = verify(self.box.task, self.box.target, self.box.source, hidden=True)
        self.console.print(
            verdict.reason, style="green" if verdict.valid else "red", markup=False, highlight=False
        )

    def handle(self, line: str) -> bool:
        """Run one command line; False when the session should end."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            self._print(f"cannot parse that line: {exc}")
            return True
        if not words:
            return True
        name, args = words[0].lower(), words[1:]
        if name in ("quit", "exit", "q"):
            return False
        command = self.commands.get(name)
        if command is None:
            self._print(f"unknown command '{name}'; type 'help'")
            return True
        command(args)
        return True

    def loop(self) -> None:
        t = self.box
        self.console.print(
            f"[bold]kernelwright try[/]: task [cyan]{t.task.id}[/] on "
            f"[cyan]{t.target.name}[/]; type 'help' for commands"
        )
        self._print(t.task.statement())
        while True:
            try:
                line = self.console.input("[bold]kw>[/] ")
            except (EOFError, KeyboardInterrupt):
                self._print("")
                break
            if not self.handle(line):
                break
