"""Baseline measures: the template compiler's kernel, measured once per (task, target,
executor, config) and cached in the store by the hash of its source."""

from __future__ import annotations

import hashlib

from agents.base import AgentError
from agents.template import template_source
from eval.realistic import realistic_configs
from eval.store import Store
from eval.validate import verify
from isa.base import Target
from tasks import Task

BASELINE_SEED = 0  # cycle counts do not depend on input values; a fixed seed keeps it cheap


def baseline_measures(task: Task, target: Target, executor: str, store: Store) -> dict[str, float]:
    """Config name -> baseline time; empty when the template has no valid kernel."""
    try:
        source = template_source(task.id, target.family)
    except AgentError:
        return {}
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    cached: dict[str, float] = {}
    configs = realistic_configs(task, target, executor) or task.configs_for(executor)
    for cfg in configs:
        value = store.get_baseline(task.id, target.name, executor, cfg.name, digest)
        if value is not None:
            cached[cfg.name] = value
    if len(cached) == len(configs):
        return cached
    verdict = verify(task, target, source, hidden=False, seed=BASELINE_SEED, executor=executor)
    if not verdict.valid:
        return {}
    measures = verdict.visible_measures()
    unit = verdict.configs[0].unit if verdict.configs else ""
    for name, value in measures.items():
        store.put_baseline(task.id, target.name, executor, name, value, unit, digest)
    return measures
