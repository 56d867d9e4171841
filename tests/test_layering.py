"""Dependencies point one way (ARCHITECTURE.md): sandbox <- isa <- tasks <- eval (validate,
score, store) <- agents <- eval.runner / cli. Checked on the import statements of every module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["sandbox", "isa", "tasks", "eval", "agents"]
# The eval modules that sit above agents: they run agents.
EVAL_TOP = {"runner", "ray_engine", "cli", "baseline", "selfcheck", "show"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _rank(package: str, module: str) -> int:
    if package == "eval" and module in EVAL_TOP:
        return len(LAYERS)  # above agents
    return LAYERS.index(package)


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            own = _rank(package, path.stem)
            for name in _imports(path):
                top, _, rest = name.partition(".")
                if top not in LAYERS or (top == package and package != "eval"):
                    continue
                target = _rank(top, rest.split(".")[0] if rest else "")
                if target > own:
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, "imports against the layering: " + "; ".join(wrong)
