"""The records the store keeps. Every persisted record carries `schema_version`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

TRIAL_SCHEMA_VERSION = 1

# Trial statuses
VALID = "valid"  # compiled and correct on every config, hidden ones included
INVALID = "invalid"  # the candidate failed (compile error, wrong output, runtime error)
ERROR = "error"  # the harness failed (worker crashed, timed out, agent error)


@dataclass(frozen=True)
class TrialKey:
    """What makes a trial unique inside a run."""

    run: str
    task: str
    target: str
    executor: str
    agent: str
    model: str
    seed: int


@dataclass
class TrialRecord:
    key: TrialKey
    status: str  # VALID | INVALID | ERROR
    reason: str = ""  # one sentence when not valid
    source: str = ""  # the submitted candidate
    verdict: dict[str, Any] = field(default_factory=dict)  # see eval.validate.Verdict.to_json
    speedup: float | None = None  # geomean over visible configs against the baseline
    roofline_pct: float | None = None  # mean over visible configs of bound / measured * 100
    measures: dict[str, float] = field(default_factory=dict)  # config -> cycles or us
    unit: str = ""
    steps: int = 0
    first_valid_step: int | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    wall_s: float = 0.0
    started_at: str = ""  # ISO 8601, UTC
    finished_at: str = ""
    id: int | None = None  # assigned by the store
    schema_version: int = TRIAL_SCHEMA_VERSION

    @property
    def valid(self) -> bool:
        return self.status == VALID

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return data
