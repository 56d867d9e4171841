"""`kernelwright try`: a person works on one task with the same tools an agent gets, alone or
beside a model: watch the model step by step, add a hint, take the kernel over and hand it
back. The model runs in the same LangGraph loop as `kernelwright run`, paused before each of
its turns."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import cast

from langchain_core.runnables import RunnableConfig
from rich.console import Console
from rich.syntax import Syntax

from agents.graph import AgentLoop, Budget, LoopState
from agents.models import ModelEnv, ModelError, make_model
from agents.models.prices import price_for
from agents.prompt import prompt
from agents.tools import Toolbox, ToolResult
from agents.transcript import render_event
from eval.files import FileProblem, read_kernel, write_kernel
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

MODEL_HELP = """\
with a model (--model):
  step [N]          let the model take N turns (default 1), showing each call and result
  auto              let the model work until it submits or runs out of turns
  hint TEXT         tell the model something before its next turn
  take              take the kernel over: the model waits while you edit, compile, run
  give [NOTE]       hand the kernel back; the model is shown it (and your note)"""


class Session:
    def __init__(
        self,
        task: Task,
        target: Target,
        source: str | None = None,
        console: Console | None = None,
        model: str | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.box = Toolbox(task, target, source=source)
        self.saved = self.box.source  # the kernel as last loaded or saved: leaving asks if changed
        self.console = console or Console()
        self.agent: AgentLoop | None = None
        self.taken_from: str | None = None  # the kernel when the person took it over
        self._quiet = False
        if model:  # raises ModelConfigError (one sentence) before the session starts
            env = ModelEnv(task=task, family=target.family, suffix=self.box.backend.source_suffix)
            chat = make_model(model, env)
            self.agent = AgentLoop(
                self.box,
                chat,
                budget or Budget.for_level(task.level),
                self._show_event,
                price_for(chat.name),
            )
            self.graph = self.agent.graph(interactive=True)
            self.thread = RunnableConfig(
                configurable={"thread_id": "try"}, recursion_limit=self.agent.recursion_limit()
            )
            self._quiet = True  # the system prompt is long; 'task' and 'spec' show it
            self.graph.invoke(self.agent.initial_state(), self.thread)  # pauses before turn 1
            self._quiet = False
        self.commands: dict[str, Callable[[list[str]], None]] = {
            "help": lambda a: self._print(HELP + ("\n" + MODEL_HELP if self.agent else "")),
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
            "step": self._step,
            "auto": lambda a: self._step(["auto"]),
            "hint": self._hint,
            "take": self._take,
            "give": self._give,
        }

    # --- the model ---------------------------------------------------------------------------
    def _show_event(self, kind: str, payload: dict[str, object]) -> None:
        if not self._quiet:
            self.console.print(render_event({"kind": kind, "payload": payload}))

    def _model_ready(self, holding_is_fine: bool = False) -> bool:
        if self.agent is None:
            self._print("no model in this session; start it with --model M to let an agent work")
            return False
        if not self.graph.get_state(self.thread).next:
            self._print("the agent has finished; 'submit' verifies the kernel, or work on alone")
            return False
        if self.taken_from is not None and not holding_is_fine:
            self._print("you have the kernel; 'give' hands it back to the model first")
            return False
        return True

    def _step(self, args: list[str]) -> None:
        if not self._model_ready():
            return
        assert self.agent is not None
        if args and args[0] == "auto":
            turns = self.agent.budget.max_steps
        else:
            try:
                turns = int(args[0]) if args else 1
            except ValueError:
                self._print("usage: step [N]")
                return
        for _ in range(max(1, turns)):
            try:
                with self.console.status("the model is thinking..."):
                    self.graph.invoke(None, self.thread)
            except ModelError as exc:
                self.console.print(f"the model failed: {exc}", style="red", markup=False)
                return
            except KeyboardInterrupt:
                self._print("stopped; the model waits ('step' or 'auto' lets it go on)")
                return
            state = self.graph.get_state(self.thread)
            if not state.next:
                self._finished(cast(LoopState, state.values))
                return

    def _finished(self, values: LoopState) -> None:
        assert self.agent is not None
        if self.agent.final_source is not None:
            self.box.source = self.agent.final_source
        why = {"submitted": "the agent submitted"}.get(
            values["done"], "the agent ran out of budget"
        )
        self._print(
            f"{why} after {values['steps']} turns; its kernel is the current one. "
            "'submit' runs the final verification (hidden configs included)."
        )

    def _tell_model(self, text: str, kind: str) -> None:
        self.graph.update_state(self.thread, {"messages": [{"role": "user", "text": text}]})
        self._show_event(kind, {"text": text})

    def _hint(self, args: list[str]) -> None:
        if not args:
            self._print("usage: hint TEXT")
        elif self._model_ready(holding_is_fine=True):
            self._tell_model(" ".join(args), "hint")

    def _take(self, args: list[str]) -> None:
        if self._model_ready():
            self.taken_from = self.box.source
            self._print(
                "you have the kernel: show, edit, paste, compile, run, profile as you like; "
                "'give [NOTE]' hands it back to the model"
            )

    def _give(self, args: list[str]) -> None:
        if self.agent is None or self.taken_from is None:
            self._print("the model has the kernel already ('take' takes it over)")
            return
        note = " ".join(args)
        changed = self.box.source != self.taken_from
        self.taken_from = None
        if changed or note:
            self._tell_model(prompt("handback", source=self.box.source.rstrip(), note=note), "user")
        self._print("the model has the kernel again; 'step' or 'auto' lets it work")

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
            self._result(self.box.write(read_kernel(path)))
        except FileProblem as exc:
            self._print(str(exc))
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
        try:
            source = read_kernel(Path(args[0]).expanduser())
        except FileProblem as exc:
            self._print(str(exc))
            return
        self._result(self.box.write(source))
        self.saved = source

    def _save(self, args: list[str]) -> None:
        if not args:
            self._print("usage: save FILE")
            return
        try:
            write_kernel(Path(args[0]).expanduser(), self.box.source)
        except FileProblem as exc:
            self._print(str(exc))
            return
        self.saved = self.box.source
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
        if self.agent is not None:
            self._print(
                f"model {self.agent.model.name} is ready: 'step' lets it take a turn, "
                "'auto' lets it work to the end, 'help' lists every command"
            )
        while True:
            try:
                line = self.console.input("[bold]kw>[/] ")
            except EOFError:
                self._print("")
                break
            except KeyboardInterrupt:
                self._print("")
                if self.may_leave():
                    break
                continue
            try:
                if not self.handle(line):
                    break
            except KeyboardInterrupt:
                self._print("interrupted; the session goes on")

    def may_leave(self) -> bool:
        """After Ctrl-C at the prompt: leave at once, or ask first if the kernel has changes
        that are not saved (Ctrl-C or end of input at the question leaves too)."""
        if self.box.source == self.saved:
            return True
        try:
            answer = self.console.input(
                "the kernel has unsaved changes ('save FILE' keeps them); leave anyway? [y/N] ",
                markup=False,
            )
        except (EOFError, KeyboardInterrupt):
            return True
        return answer.strip().lower() in ("y", "yes")
