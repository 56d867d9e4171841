"""The baseline for the NVIDIA targets: each task's naive kernel (one thread or one small
program per output, no tiling), kept beside its oracle as `naive.cu` / `naive.py`."""

from __future__ import annotations

from collections.abc import Callable

from tasks import TaskError, load_task

SUFFIXES = {"cuda": ".cu", "triton": ".py", "hip": ".hip"}


def naive_kernel(family: str) -> Callable[[str], str | None]:
    """The template compiler of `family`: task id -> its naive kernel, or None."""

    def compile_naive(task_id: str) -> str | None:
        try:
            task = load_task(task_id)
        except TaskError:
            return None
        path = task.folder / family / f"naive{SUFFIXES[family]}"
        return path.read_text() if path.is_file() else None

    return compile_naive
