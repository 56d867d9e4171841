"""The tool-calling loop as a LangGraph graph: model -> tools -> model ... -> finish.

The model node asks the model for one turn; the tools node runs the calls it made through
the toolbox (so through the sandbox) and answers each with a tool message; the loop ends
when the model submits or a budget (turns, tokens, cost, wall time) runs out, and then the
last kernel that ran valid (if any) is submitted. Every message is handed to `on_event` as
it happens, which is how the runner persists the transcript step by step.

The same graph drives `kernelwright try`: compiled with a checkpointer and an interrupt
before each model turn, a person steps it, adds hints and takes the kernel over between
turns."""

from __future__ import annotations

import operator
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict, cast

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents.models import ChatModel, Message, ToolSchema
from agents.models.prices import Price
from agents.prompt import prompt
from agents.tools import Toolbox, ToolResult, tool_schemas

STEPS_BY_LEVEL = {1: 15, 2: 20, 3: 25}

# Why a loop stopped.
SUBMITTED = "submitted"
OUT_OF_STEPS = "steps"
OUT_OF_TOKENS = "tokens"
OUT_OF_COST = "cost"
OUT_OF_TIME = "time"


@dataclass(frozen=True)
class Budget:
    max_steps: int = 25  # model turns
    max_tokens: int = 2_000_000  # input + output, summed over turns
    max_cost_usd: float = 5.0
    max_wall_s: float = 3600.0

    @classmethod
    def for_level(cls, level: int, **overrides: Any) -> Budget:
        return cls(max_steps=STEPS_BY_LEVEL.get(level, max(STEPS_BY_LEVEL.values())), **overrides)


class LoopState(TypedDict):
    messages: Annotated[list[Message], operator.add]
    steps: int
    tokens_in: int
    tokens_out: int
    cost_usd: float
    first_valid_step: int | None
    done: str  # "" while working, else why it stopped


@dataclass
class Outcome:
    source: str
    stopped: str
    steps: int
    first_valid_step: int | None
    tokens_in: int
    tokens_out: int
    cost_usd: float


Emit = Callable[[str, dict[str, Any]], None]


class AgentLoop:
    def __init__(
        self,
        toolbox: Toolbox,
        model: ChatModel,
        budget: Budget,
        on_event: Emit,
        price: Price | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.box = toolbox
        self.model = model
        self.budget = budget
        self.emit = on_event
        self.price = price
        self.clock = clock
        self.started = clock()
        self.final_source: str | None = None
        self.latest: LoopState | None = None  # the state after the last model turn
        self.tools = cast(list[ToolSchema], tool_schemas())

    # --- prompts ---------------------------------------------------------------------------
    def system_prompt(self) -> str:
        box = self.box
        return prompt(
            "system",
            target_name=box.target.name.upper(),
            language=box.backend.language,
            task_statement=box.task.statement(),
            stub=(box.task.stub(box.target.family, box.backend.source_suffix) or "").strip(),
            spec=box.backend.spec(box.target).strip(),
            max_steps=self.budget.max_steps,
        )

    def initial_state(self) -> LoopState:
        system = Message(role="system", text=self.system_prompt())
        start = Message(role="user", text=prompt("start"))
        self.emit("system", {"text": system["text"], "model": self.model.name})
        self.emit("user", {"text": start["text"]})
        return LoopState(
            messages=[system, start],
            steps=0,
            tokens_in=0,
            tokens_out=0,
            cost_usd=0.0,
            first_valid_step=None,
            done="",
        )

    # --- nodes -----------------------------------------------------------------------------
    def model_node(self, state: LoopState) -> dict[str, Any]:
        reply = self.model.complete(state["messages"], self.tools)
        step = state["steps"] + 1
        cost = self.price.cost(reply.tokens_in, reply.tokens_out) if self.price else 0.0
        message = reply.message
        self.emit(
            "assistant",
            {
                "step": step,
                "text": message["text"],
                "tool_calls": list(message.get("tool_calls", [])),
                "tokens_in": reply.tokens_in,
                "tokens_out": reply.tokens_out,
                "cost_usd": cost,
            },
        )
        update: dict[str, Any] = {
            "steps": step,
            "tokens_in": state["tokens_in"] + reply.tokens_in,
            "tokens_out": state["tokens_out"] + reply.tokens_out,
            "cost_usd": state["cost_usd"] + cost,
        }
        self.latest = cast(LoopState, {**state, **update})
        return {"messages": [message], **update}

    def tools_node(self, state: LoopState) -> dict[str, Any]:
        last = state["messages"][-1]
        calls = last.get("tool_calls", []) if last["role"] == "assistant" else []
        new: list[Message] = []
        first_valid = state["first_valid_step"]
        done = ""
        for call in calls:
            if done:
                result = ToolResult(False, "not run: the kernel was already submitted")
            elif call.get("error"):
                result = ToolResult(
                    False, f"your call to {call['name']} was not run: {call.get('error')}"
                )
            else:
                result = self.box.call(call["name"], call["arguments"])
            if call["name"] == "submit" and result.ok and not done:
                done = SUBMITTED
            if call["name"] == "run" and result.ok and first_valid is None:
                first_valid = state["steps"]
            new.append(
                Message(role="tool", text=result.text, tool_call_id=call["id"], name=call["name"])
            )
            self.emit(
                "tool",
                {
                    "step": state["steps"],
                    "tool_call_id": call["id"],
                    "name": call["name"],
                    "arguments": call["arguments"],
                    "ok": result.ok,
                    "text": result.text,
                },
            )
        if not calls:
            new.append(self._user(prompt("nudge")))
        if not done:
            done = self.exhausted(state)
        left = self.budget.max_steps - state["steps"]
        if not done and left <= 2:
            new.append(self._user(prompt("budget_low", left=left)))
        if self.latest is not None:
            self.latest["first_valid_step"] = first_valid
        return {"messages": new, "first_valid_step": first_valid, "done": done}

    def finish_node(self, state: LoopState) -> dict[str, Any]:
        self.final_source = self.final(state["done"])
        self.emit("submit", {"source": self.final_source, "reason": state["done"]})
        return {}

    # --- helpers ---------------------------------------------------------------------------
    def _user(self, text: str) -> Message:
        self.emit("user", {"text": text})
        return Message(role="user", text=text)

    def exhausted(self, state: LoopState) -> str:
        b = self.budget
        if state["steps"] >= b.max_steps:
            return OUT_OF_STEPS
        if state["tokens_in"] + state["tokens_out"] >= b.max_tokens:
            return OUT_OF_TOKENS
        if state["cost_usd"] >= b.max_cost_usd:
            return OUT_OF_COST
        if self.clock() - self.started >= b.max_wall_s:
            return OUT_OF_TIME
        return ""

    def final(self, stopped: str) -> str:
        """What is submitted: the submitted kernel, else the last valid one, else the current."""
        if stopped == SUBMITTED and self.box.submitted is not None:
            return self.box.submitted
        return self.box.last_valid if self.box.last_valid is not None else self.box.source

    @staticmethod
    def _after_tools(state: LoopState) -> str:
        return "finish" if state["done"] else "model"

    def graph(self, interactive: bool = False) -> CompiledStateGraph[Any, Any, Any, Any]:
        builder = StateGraph(LoopState)
        builder.add_node("model", self.model_node)
        builder.add_node("tools", self.tools_node)
        builder.add_node("finish", self.finish_node)
        builder.add_edge(START, "model")
        builder.add_edge("model", "tools")
        builder.add_conditional_edges("tools", self._after_tools, ["model", "finish"])
        builder.add_edge("finish", END)
        if interactive:
            return builder.compile(checkpointer=InMemorySaver(), interrupt_before=["model"])
        return builder.compile()

    def recursion_limit(self) -> int:
        return 3 * self.budget.max_steps + 10

    def run(self) -> Outcome:
        """Run to the end (batch mode)."""
        state = self.graph().invoke(
            self.initial_state(), {"recursion_limit": self.recursion_limit()}
        )
        return self.outcome(cast(LoopState, state))

    def outcome(self, state: LoopState) -> Outcome:
        source = self.final_source if self.final_source is not None else self.final(state["done"])
        return Outcome(
            source=source,
            stopped=state["done"],
            steps=state["steps"],
            first_valid_step=state["first_valid_step"],
            tokens_in=state["tokens_in"],
            tokens_out=state["tokens_out"],
            cost_usd=state["cost_usd"],
        )
