"""The tools an agent (or a person in `kernelwright try`) uses on one task: read the spec,
write the kernel, compile, run on the visible configs, profile, submit. Every compile and run
goes through the sandboxed worker; results are cut to a size that fits a model's context.

A model calls them by name through `Toolbox.call`, which checks the arguments against each
tool's schema (`TOOL_ARGS`) and turns every problem into a tool error the model can read."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from eval.validate import Verdict, verify
from isa.base import Backend, Target
from isa.harness import Job, run_candidate
from isa.registry import backend_for
from sandbox import Sandbox
from tasks import Task

MAX_RESULT_CHARS = 4000
TOOLS_FILE = Path(__file__).resolve().parent / "prompts" / "tools.toml"


@dataclass
class ToolResult:
    ok: bool
    text: str
    data: dict[str, Any] = field(default_factory=dict)


def clip(text: str, limit: int = MAX_RESULT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters cut]"


def spec_sections(spec: str) -> list[tuple[str, str]]:
    """Split a markdown spec into (heading, body) pairs at `## ` headings."""
    parts = re.split(r"(?m)^(?=## )", spec)
    sections = []
    for part in parts:
        heading = part.splitlines()[0].lstrip("# ").strip() if part.strip() else ""
        sections.append((heading, part))
    return sections


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(_Args):
    pass


class SpecArgs(_Args):
    query: str = ""


class WriteArgs(_Args):
    source: str


class EditArgs(_Args):
    old: str
    new: str


class ProfileArgs(_Args):
    config: str = ""


# The tools a model may call, by name, with the schema of their arguments.
TOOL_ARGS: dict[str, type[_Args]] = {
    "spec": SpecArgs,
    "read_kernel": NoArgs,
    "write_kernel": WriteArgs,
    "edit_kernel": EditArgs,
    "compile": NoArgs,
    "run": NoArgs,
    "profile": ProfileArgs,
    "submit": NoArgs,
}


@cache
def tool_schemas() -> list[dict[str, Any]]:
    """Name, description and JSON schema of every tool, described from `prompts/tools.toml`."""
    texts = tomllib.loads(TOOLS_FILE.read_text())
    schemas = []
    for name, args in TOOL_ARGS.items():
        text = texts[name]
        params = args.model_json_schema()
        params.pop("title", None)
        params.setdefault("properties", {})
        params["additionalProperties"] = False
        for arg, prop in params["properties"].items():
            prop.pop("title", None)
            prop["description"] = text.get("args", {})[arg]
        schemas.append({"name": name, "description": text["description"], "parameters": params})
    return schemas


def _validation_sentence(name: str, exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        problems.append(f"{where}: {err['msg']}")
    return f"bad arguments for {name}: " + "; ".join(problems)


class Toolbox:
    def __init__(
        self, task: Task, target: Target, sandbox: Sandbox | None = None, source: str | None = None
    ) -> None:
        self.task = task
        self.target = target
        self.backend: Backend = backend_for(target)
        self.sandbox = sandbox
        stub = task.stub(target.family, self.backend.source_suffix)
        self.source: str = source if source is not None else (stub or "")
        self.submitted: str | None = None
        self.last_verdict: Verdict | None = None
        self.last_valid: str | None = None  # the newest kernel that ran valid on every config

    # --- calls by name (what a model does) ---------------------------------------------------
    def call(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        """Run tool `name` with `arguments`; a bad name or bad arguments is a tool error."""
        args_type = TOOL_ARGS.get(name)
        if args_type is None:
            return ToolResult(
                False, f"there is no tool named '{name}'; tools: {', '.join(TOOL_ARGS)}"
            )
        try:
            args = args_type.model_validate(arguments)
        except ValidationError as exc:
            return ToolResult(False, _validation_sentence(name, exc))
        values = args.model_dump()
        if name == "spec":
            return self.spec(values["query"])
        if name == "read_kernel":
            return self.read()
        if name == "write_kernel":
            return self.write(values["source"])
        if name == "edit_kernel":
            return self.edit(values["old"], values["new"])
        if name == "profile":
            return self.profile(values["config"])
        method = {"compile": self.compile, "run": self.run, "submit": self.submit}[name]
        return method()

    def read(self) -> ToolResult:
        lines = self.source.splitlines() or ["; (empty)"]
        numbered = "\n".join(f"{i:4d}  {line}" for i, line in enumerate(lines, 1))
        return ToolResult(True, clip(numbered, 12000))

    # --- reading ---------------------------------------------------------------------------
    def spec(self, query: str = "") -> ToolResult:
        """The whole spec, one section (by number or title words), or lines matching a word."""
        spec = self.backend.spec(self.target)
        if not query.strip():
            return ToolResult(True, clip(spec, 12000))
        q = query.strip().lower()
        for heading, body in spec_sections(spec):
            if heading.lower().startswith(q) or heading.lower().split(". ", 1)[-1].startswith(q):
                return ToolResult(True, clip(body))
        hits = [line for line in spec.splitlines() if q in line.lower()]
        if not hits:
            return ToolResult(False, f"nothing in the spec matches '{query}'")
        return ToolResult(True, clip("\n".join(hits)))

    # --- editing ---------------------------------------------------------------------------
    def write(self, source: str) -> ToolResult:
        self.source = source
        lines = len(source.splitlines())
        return ToolResult(True, f"kernel written ({lines} line{'' if lines == 1 else 's'})")

    def edit(self, old: str, new: str) -> ToolResult:
        count = self.source.count(old)
        if count != 1:
            where = "not found" if count == 0 else f"found {count} times"
            return ToolResult(False, f"the text to replace was {where}; it must occur exactly once")
        self.source = self.source.replace(old, new)
        return ToolResult(True, "edit applied")

    # --- feedback --------------------------------------------------------------------------
    def compile(self) -> ToolResult:
        jobs = [Job(c.name, self.task.interface(c)) for c in self.task.visible_configs]
        outcome = run_candidate(
            self.target, self.source, jobs, mode="compile", sandbox=self.sandbox
        )
        if outcome.harness_error:
            return ToolResult(False, outcome.harness_error)
        errors = [o for o in outcome.configs if o.error]
        if errors:
            e = errors[0]
            return ToolResult(False, f"compile error ({e.name}): {e.error_text}")
        diag = outcome.configs[0].diagnostics if outcome.configs else {}
        details = ", ".join(f"{k}={v}" for k, v in diag.items())
        return ToolResult(
            True, f"compiled for {len(jobs)} configs; {details}", {"diagnostics": diag}
        )

    def run(self) -> ToolResult:
        verdict = verify(self.task, self.target, self.source, hidden=False, sandbox=self.sandbox)
        self.last_verdict = verdict
        if verdict.valid:
            self.last_valid = self.source
        return ToolResult(verdict.valid, clip(verdict.describe()), {"verdict": verdict.to_json()})

    def profile(self, config: str = "") -> ToolResult:
        names = [c.name for c in self.task.visible_configs]
        if config and config not in names:
            return ToolResult(
                False, f"no visible config named '{config}'; visible: {', '.join(names)}"
            )
        cfg = self.task.config(config) if config else self.task.visible_configs[-1]
        verdict = verify(
            self.task,
            self.target,
            self.source,
            configs=[cfg],
            sandbox=self.sandbox,
            realistic=True,
        )
        c = verdict.configs[0] if verdict.configs else None
        if c is None or c.measure is None:
            return ToolResult(False, clip(verdict.describe()))
        # A wrong result has no share of roofline: its time means nothing.
        report = self.backend_profile(c.counters, c.measure, c.roofline if c.passed else None)
        head = f"{cfg.label()}: {c.summary}"
        if verdict.estimates:
            # what is scored: the realistic-size estimates; the largest one in full
            est = verdict.estimates[-1]
            lines = [
                "emulated (correctness) above; scored: the realistic-size estimates at the "
                "task's GPU sizes, from sampled blocks:"
            ]
            lines += [f"- {e.name}: {e.summary}" for e in verdict.estimates]
            lines.append(self.backend_profile(est.counters, est.measure or 0.0, est.roofline))
            report += "\n\n" + "\n".join(lines)
        elif verdict.estimate_error:
            report += f"\n\nno realistic-size estimate: {verdict.estimate_error}"
        return ToolResult(c.passed, clip(head + "\n" + report), {"counters": c.counters})

    def backend_profile(
        self, counters: dict[str, Any], measure: float, roofline: float | None
    ) -> str:
        describe = getattr(self.backend, "profile_report", None)
        if callable(describe):
            return str(describe(counters, measure, roofline))
        return "\n".join(f"{k}: {v}" for k, v in counters.items())

    def submit(self) -> ToolResult:
        self.submitted = self.source
        return ToolResult(
            True, "submitted; final verification runs on fresh inputs and hidden configs"
        )
