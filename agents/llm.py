"""The LLM agent: a model from `agents.models` in the tool-calling loop of `agents.graph`."""

from __future__ import annotations

from agents.base import AgentError, Submission, TrialContext
from agents.graph import AgentLoop, Budget, Outcome
from agents.models import ModelConfigError, ModelEnv, ModelError, make_model
from agents.models.prices import price_for
from agents.tools import Toolbox


class LlmAgent:
    name = "llm"
    needs_model = True

    def __init__(self, budget: Budget | None = None, env: ModelEnv | None = None) -> None:
        self.budget = budget
        self.env = env or ModelEnv()

    def solve(self, ctx: TrialContext) -> Submission:
        if not ctx.model:
            raise AgentError("the llm agent needs a model (--model)")
        box = Toolbox(ctx.task, ctx.target)
        env = ModelEnv(
            settings=self.env.settings,
            task=ctx.task,
            family=ctx.target.family,
            suffix=ctx.backend.source_suffix,
        )
        try:
            model = make_model(ctx.model, env)
        except ModelConfigError as exc:
            raise AgentError(str(exc)) from None
        notes = []
        price = price_for(model.name)
        if price is None:
            notes.append(f"no price is known for {model.name}; its cost is recorded as $0")
            ctx.on_event("note", {"text": notes[-1]})
        budget = self.budget or Budget.for_level(ctx.task.level)
        loop = AgentLoop(box, model, budget, ctx.on_event, price)
        try:
            outcome = loop.run()
        except ModelError as exc:
            ctx.on_event("error", {"text": str(exc)})
            if box.last_valid is None:
                raise AgentError(str(exc)) from None
            notes.append(f"the model failed ({exc}); the last valid kernel was submitted")
            ctx.on_event("note", {"text": notes[-1]})
            ctx.on_event("submit", {"source": box.last_valid, "reason": "model error"})
            outcome = (
                loop.outcome(loop.latest)
                if loop.latest
                else Outcome(box.last_valid, "error", 0, None, 0, 0, 0.0)
            )
            outcome.source = box.last_valid
        return Submission(
            source=outcome.source,
            steps=outcome.steps,
            first_valid_step=outcome.first_valid_step,
            tokens_in=outcome.tokens_in,
            tokens_out=outcome.tokens_out,
            cost_usd=outcome.cost_usd,
            notes=notes,
        )
