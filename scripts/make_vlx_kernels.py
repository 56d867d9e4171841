"""Regenerate the VLX oracle kernels (and missing stubs) of every task from the optimised
generators: `python scripts/make_vlx_kernels.py [TASK ...]`.

The oracles under tasks/*/vlx/oracle.vasm are committed; this script is how they were made
(`agents.template.vlx_fast` for the first six tasks, `agents.template.vlx_fast_suite` for the
rest). Tasks without a generator are left alone.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.template.vlx_oracles import VLX_ORACLES
from tasks import Task, all_tasks


def stub_text(task: Task) -> str:
    lines = [f"// {task.id} on VLX: {task.title}"]
    for t in task.tensors:
        dims = ", ".join(re.sub(r"([A-Za-z_]\w*)", r"$\1", str(d)) for d in t.shape)
        role = "input " if t.role == "input" else "output"
        note = (
            "  (filled with NaN before the run: write every element)" if t.role == "output" else ""
        )
        lines.append(f"// {role} {t.name} at @{t.name}, shape [{dims}]{note}")
    lines.append("// Read the spec (`kernelwright spec vlx`) and replace this stub.")
    lines.append("        halt")
    return "\n".join(lines) + "\n"


def main(ids: list[str]) -> None:
    tasks = all_tasks()
    for task_id in ids or sorted(VLX_ORACLES):
        task = tasks[task_id]
        folder = task.folder / "vlx"
        folder.mkdir(exist_ok=True)
        (folder / "oracle.vasm").write_text(VLX_ORACLES[task_id]())
        stub = folder / "stub.vasm"
        if not stub.exists():
            stub.write_text(stub_text(task))
        print(f"wrote {folder}")


if __name__ == "__main__":
    main(sys.argv[1:])
