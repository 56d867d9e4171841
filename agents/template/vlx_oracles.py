"""Every VLX oracle generator, by task: what scripts/make_vlx_kernels.py writes."""

from __future__ import annotations

from collections.abc import Callable

from agents.template.vlx_fast import ORACLES
from agents.template.vlx_fast_suite import SUITE_ORACLES

VLX_ORACLES: dict[str, Callable[[], str]] = ORACLES | SUITE_ORACLES
