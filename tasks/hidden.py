"""Hidden sizes drawn per verification: within a task's `[hidden.rules]`, from the judge's
secret seed, so that the sizes a kernel is finally judged on are in no file anyone can read."""

from __future__ import annotations

import numpy as np

from tasks.manifest import HiddenRules, TensorDecl, size_expr

DRAWN_PREFIX = "hidden-draw-"
MAX_TRIES = 2000


class NoDrawError(ValueError):
    """The rules admit no sizes (found by trying); the message is one sentence."""


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    return all(n % d for d in range(2, int(n**0.5) + 1))


def _ragged_sizes(rules: HiddenRules) -> list[str]:
    """The sizes wide enough to be kept off multiples of `rules.ragged`."""
    return [
        name for name, r in rules.sizes.items() if r.step == 1 and r.max - r.min + 1 >= rules.ragged
    ]


def admissible(rules: HiddenRules, tensors: list[TensorDecl], sizes: dict[str, int]) -> bool:
    """Whether `sizes` obey every rule (ranges, raggedness, a prime, divisibility, bounds)."""
    for name, r in rules.sizes.items():
        v = sizes[name]
        if not (r.min <= v <= r.max) or v % r.step:
            return False
    ragged = _ragged_sizes(rules)
    if any(sizes[n] % rules.ragged == 0 for n in ragged):
        return False
    if rules.prime and ragged and not any(is_prime(sizes[n]) for n in ragged):
        return False
    if any(sizes[b] % sizes[a] for a, b in rules.divides):
        return False
    total = 0
    for t in tensors:
        count = 1
        for d in t.shape:
            dim = size_expr(d, sizes) if isinstance(d, str) else int(d)
            if dim < 1:
                return False
            count *= dim
        total += count
    return total <= rules.max_elements


def draw_sizes(
    rules: HiddenRules, tensors: list[TensorDecl], rng: np.random.Generator
) -> dict[str, int]:
    """One admissible set of sizes, by rejection from uniform draws in each range."""
    for _ in range(MAX_TRIES):
        sizes = {
            name: int(rng.integers(r.min // r.step + (r.min % r.step > 0), r.max // r.step + 1))
            * r.step
            for name, r in rules.sizes.items()
        }
        if admissible(rules, tensors, sizes):
            return sizes
    raise NoDrawError(f"the hidden rules admit no sizes in {MAX_TRIES} tries")


def draw_hidden(
    rules: HiddenRules,
    tensors: list[TensorDecl],
    seed: int,
    avoid: list[dict[str, int]] | None = None,
) -> list[tuple[str, dict[str, int]]]:
    """`rules.draws` (name, sizes) pairs from `seed`, distinct from each other and from the
    `avoid` sizes (the configs in the repository) where the rules allow."""
    rng = np.random.default_rng([seed, 0x5123])
    drawn: list[tuple[str, dict[str, int]]] = []
    seen: list[dict[str, int]] = list(avoid or [])
    for i in range(rules.draws):
        sizes = draw_sizes(rules, tensors, rng)
        for _ in range(16):  # a draw equal to a config already checked proves nothing new
            if sizes not in seen:
                break
            sizes = draw_sizes(rules, tensors, rng)
        seen.append(sizes)
        drawn.append((f"{DRAWN_PREFIX}{i + 1}", sizes))
    return drawn
