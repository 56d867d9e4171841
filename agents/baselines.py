"""Agents that need no model: `oracle` submits the task's oracle kernel, `nop` its stub."""

from __future__ import annotations

from agents.base import AgentError, Submission, TrialContext


class OracleAgent:
    name = "oracle"
    needs_model = False

    def solve(self, ctx: TrialContext) -> Submission:
        source = ctx.task.oracle(ctx.target.family, ctx.backend.source_suffix)
        if source is None:
            raise AgentError(f"task {ctx.task.id} has no oracle kernel for {ctx.target.family}")
        ctx.on_event("submit", {"source": source})
        return Submission(source=source, steps=1)


class NopAgent:
    name = "nop"
    needs_model = False

    def solve(self, ctx: TrialContext) -> Submission:
        source = ctx.task.stub(ctx.target.family, ctx.backend.source_suffix)
        if source is None:
            raise AgentError(f"task {ctx.task.id} has no stub for {ctx.target.family}")
        ctx.on_event("submit", {"source": source})
        return Submission(source=source, steps=1)
