"""Regenerate the TILE oracle kernels (and missing stubs) of every task from the template
compiler's pipelined form: `python scripts/make_tile_kernels.py [TASK ...]`.

The oracles under tasks/*/tile/oracle.tasm are committed; this script is how they were made.
A task whose oracle is written by hand is left alone when the compiler has no template for it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.template.tile import compile_tile
from tasks import Task, all_tasks


def stub_text(task: Task) -> str:
    lines = [f"; {task.id} on TILE: {task.title}"]
    for t in task.tensors:
        dims = ", ".join(re.sub(r"([A-Za-z_]\w*)", r"$\1", str(d)) for d in t.shape)
        role = "input " if t.role == "input" else "output"
        note = (
            "  (filled with NaN before the run: write every element)" if t.role == "output" else ""
        )
        lines.append(f"; {role} {t.name} at @{t.name}, shape [{dims}]{note}")
    lines.append("; Read the spec (`kernelwright spec tile`) and replace this stub.")
    lines.append("        halt")
    return "\n".join(lines) + "\n"


def main(ids: list[str]) -> None:
    tasks = all_tasks()
    for task_id in ids or sorted(tasks):
        task = tasks[task_id]
        oracle = compile_tile(task_id, double_buffer=True)
        folder = task.folder / "tile"
        folder.mkdir(exist_ok=True)
        if oracle is not None:
            (folder / "oracle.tasm").write_text(oracle)
        stub = folder / "stub.tasm"
        if not stub.exists():
            stub.write_text(stub_text(task))
        print(f"{task_id}: oracle {'written' if oracle else 'kept'}")


if __name__ == "__main__":
    main(sys.argv[1:])
