"""Number formats shared by the accelerators: integer ceiling division and bf16 rounding."""

from __future__ import annotations

import numpy as np


def cdiv(a: int, b: int) -> int:
    """Integer division rounded up (the specs' `cdiv`)."""
    return -(-a // b)


def bf16_round(x: np.ndarray) -> np.ndarray:
    """Round to the nearest bf16 (ties to even), returned as float32; NaN and inf survive.

    bf16 is the top 16 bits of a float32, so rounding adds half an ulp of bf16 (plus one when
    the kept part is odd, which breaks ties to even) and clears the low 16 bits."""
    f = np.asarray(x, dtype=np.float32)
    bits = f.view(np.uint32)
    with np.errstate(over="ignore"):  # only NaN bit patterns overflow, and they are replaced
        odd = (bits >> np.uint32(16)) & np.uint32(1)
        rounded = (bits + np.uint32(0x7FFF) + odd) & np.uint32(0xFFFF0000)
    # A NaN whose payload sits in the low bits would round to inf; keep it a (quiet) NaN.
    nan_bits = (bits | np.uint32(0x00400000)) & np.uint32(0xFFFF0000)
    out = np.where(np.isnan(f), nan_bits, rounded).astype(np.uint32)
    return out.view(np.float32)
