"""Token prices: `prices.toml` beside this module, extended by a user file, so the cost of
every step is recorded from a table a person can read and change."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from agents.models.base import ModelConfigError

DEFAULT_TABLE = Path(__file__).with_name("prices.toml")
USER_TABLE = Path("~/.config/kernelwright/prices.toml")


@dataclass(frozen=True)
class Price:
    input: float  # USD per million input tokens
    output: float  # USD per million output tokens

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        return (tokens_in * self.input + tokens_out * self.output) / 1_000_000


def _read(path: Path) -> dict[str, Price]:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ModelConfigError(f"cannot read the price table {path}: {exc}") from None
    table: dict[str, Price] = {}
    for name, entry in data.get("models", {}).items():
        try:
            table[name] = Price(float(entry["input"]), float(entry["output"]))
        except (KeyError, TypeError, ValueError):
            raise ModelConfigError(
                f"{path}: models.\"{name}\" needs numeric 'input' and 'output' prices"
            ) from None
    return table


@cache
def price_table(extra: str | None = None) -> dict[str, Price]:
    """The shipped table with the user's table (`extra`, else $KERNELWRIGHT_PRICES, else
    ~/.config/kernelwright/prices.toml when it exists) laid over it."""
    table = _read(DEFAULT_TABLE)
    user = extra or os.environ.get("KERNELWRIGHT_PRICES")
    if user:
        table.update(_read(Path(user).expanduser()))
    elif USER_TABLE.expanduser().is_file():
        table.update(_read(USER_TABLE.expanduser()))
    return table


def price_for(model: str, table: dict[str, Price] | None = None) -> Price | None:
    """The price of `model`: its exact entry, else the longest matching `prefix*` entry."""
    table = price_table(os.environ.get("KERNELWRIGHT_PRICES")) if table is None else table
    if model in table:
        return table[model]
    matches = [k for k in table if k.endswith("*") and model.startswith(k[:-1])]
    return table[max(matches, key=len)] if matches else None
