"""Compare outputs with the reference and summarise mismatches so a person or an agent can
act on them: how many elements are wrong, which ones, expected against got."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from tasks.manifest import Tolerance

WORST_SHOWN = 5


@dataclass
class TensorMismatch:
    name: str
    total: int
    wrong: int
    unwritten: int  # NaN left by the poison, or NaN/inf the kernel produced
    max_abs_err: float
    rel_norm_err: float
    worst: list[dict[str, Any]] = field(default_factory=list)  # index, expected, got, err

    @property
    def passed(self) -> bool:
        return self.wrong == 0

    def describe(self) -> str:
        if self.passed:
            return f"{self.name}: all {self.total} elements match"
        pct = 100.0 * self.wrong / self.total
        parts = [f"{self.name}: {self.wrong} of {self.total} elements wrong ({pct:.1f}%)"]
        if self.unwritten:
            parts.append(f"{self.unwritten} are NaN/inf (never written, or overflowed)")
        if np.isfinite(self.rel_norm_err):
            parts.append(f"relative L2 error {self.rel_norm_err:.3g}")
        shown = ", ".join(
            f"[{','.join(map(str, w['index']))}] expected {w['expected']:.6g} got {w['got']:.6g}"
            for w in self.worst
        )
        return "; ".join(parts) + (f"; worst: {shown}" if shown else "")


def compare(
    name: str, got: np.ndarray | None, expected: np.ndarray, tol: Tolerance
) -> TensorMismatch:
    total = int(expected.size)
    if got is None or got.shape != expected.shape:
        shape = "missing" if got is None else f"shape {tuple(got.shape)}"
        return TensorMismatch(
            name,
            total,
            total,
            0,
            float("inf"),
            float("inf"),
            [
                {
                    "index": [],
                    "expected": 0.0,
                    "got": float("nan"),
                    "err": float("inf"),
                    "note": f"output {shape}, expected {tuple(expected.shape)}",
                }
            ],
        )
    got64 = got.astype(np.float64)
    exp64 = expected.astype(np.float64)
    finite = np.isfinite(got64)
    err = np.where(finite, np.abs(got64 - exp64), np.inf)
    rms = float(np.sqrt(np.mean(exp64 * exp64))) if total else 0.0
    bound = tol.atol * max(rms, float(np.finfo(np.float32).tiny)) + tol.rtol * np.abs(exp64)
    wrong_mask = ~(err <= bound)
    norm_exp = float(np.linalg.norm(exp64))
    rel_norm = float(np.linalg.norm(np.where(finite, got64 - exp64, np.inf))) / max(
        norm_exp, np.finfo(np.float64).tiny
    )
    wrong = int(wrong_mask.sum())
    if wrong == 0 and rel_norm > tol.norm:
        # Each element is within bounds but the whole is biased: flag the largest errors.
        wrong_mask = err >= np.max(err)
        wrong = int(wrong_mask.sum())
    worst: list[dict[str, Any]] = []
    if wrong:
        excess = np.where(wrong_mask, err - bound, -np.inf).ravel()
        order = np.argsort(-excess, kind="stable")[:WORST_SHOWN]
        for flat in order:
            if not np.isfinite(excess[flat]) and excess[flat] < 0:
                break
            idx = np.unravel_index(int(flat), expected.shape)
            worst.append(
                {
                    "index": [int(i) for i in idx],
                    "expected": float(exp64[idx]),
                    "got": float(got64[idx]),
                    "err": float(err[idx]),
                }
            )
    return TensorMismatch(
        name=name,
        total=total,
        wrong=wrong,
        unwritten=int((~finite).sum()),
        max_abs_err=float(err.max()) if total else 0.0,
        rel_norm_err=rel_norm,
        worst=worst,
    )


def mismatch_json(m: TensorMismatch) -> dict[str, Any]:
    return asdict(m)
