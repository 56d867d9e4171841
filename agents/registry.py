"""Agents by name. Adding an agent is one line here plus its module."""

from __future__ import annotations

import importlib

from agents.base import Agent

AGENTS: dict[str, str] = {
    "template": "agents.template:TemplateAgent",
    "oracle": "agents.baselines:OracleAgent",
    "nop": "agents.baselines:NopAgent",
    "llm": "agents.llm:LlmAgent",
}


class UnknownAgent(ValueError):
    pass


def agent_names() -> list[str]:
    return sorted(AGENTS)


def make_agent(name: str) -> Agent:
    if name not in AGENTS:
        raise UnknownAgent(f"unknown agent '{name}'; known agents: {', '.join(agent_names())}")
    module_name, _, attr = AGENTS[name].partition(":")
    agent: Agent = getattr(importlib.import_module(module_name), attr)()
    return agent
