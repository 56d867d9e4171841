"""The template compiler agent: the speed-up baseline and the offline default agent."""

from __future__ import annotations

from collections.abc import Callable

from agents.base import AgentError, Submission, TrialContext
from agents.template.nvidia import naive_kernel
from agents.template.tile import compile_tile
from agents.template.vlx import compile_vlx

# One line per target family the template compiler knows.
COMPILERS: dict[str, Callable[[str], str | None]] = {
    "tile": compile_tile,
    "vlx": compile_vlx,
    "cuda": naive_kernel("cuda"),
    "triton": naive_kernel("triton"),
    "hip": naive_kernel("hip"),
}


def template_source(task_id: str, family: str) -> str:
    compiler = COMPILERS.get(family)
    source = compiler(task_id) if compiler else None
    if source is None:
        raise AgentError(f"the template compiler has no template for task {task_id} on {family}")
    return source


class TemplateAgent:
    name = "template"
    needs_model = False

    def solve(self, ctx: TrialContext) -> Submission:
        source = template_source(ctx.task.id, ctx.target.family)
        ctx.on_event("submit", {"source": source})
        return Submission(source=source, steps=1)
