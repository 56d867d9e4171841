"""`[hidden.rules]`: every task declares how fresh hidden sizes are drawn; the draws obey the
rules (ranges, ragged, a prime, divisibility, the element bound), change with the seed, and
a manifest with bad rules is refused with one sentence."""

from __future__ import annotations

import tomllib

import pytest

from tasks import TaskError, all_tasks, load_task
from tasks.hidden import _ragged_sizes, admissible, draw_hidden, is_prime
from tasks.manifest import Manifest


@pytest.mark.parametrize("task_id", all_tasks())
def test_every_task_draws_admissible_sizes(task_id: str) -> None:
    task = load_task(task_id)
    rules = task.manifest.hidden_rules
    assert rules is not None and rules.draws >= 2
    ragged = _ragged_sizes(rules)
    seen = set()
    for seed in range(12):
        drawn = task.drawn_hidden_configs(seed)
        assert len(drawn) == rules.draws
        for cfg in drawn:
            assert cfg.hidden and admissible(rules, task.tensors, cfg.sizes)
            assert cfg.sizes not in [c.sizes for c in task.visible_configs + task.hidden_configs]
            assert all(cfg.sizes[n] % rules.ragged for n in ragged)
            assert not ragged or any(is_prime(cfg.sizes[n]) for n in ragged)
            seen.add(tuple(sorted(cfg.sizes.items())))
        names = [c.name for c in drawn]
        assert not set(names) & {c.name for c in task.visible_configs + task.hidden_configs}
    assert len(seen) > 3  # the sizes really vary with the seed


def test_final_verification_includes_the_drawn_configs() -> None:
    task = load_task("gemm")
    chosen = task.configs_for("emu", hidden=True, draw_seed=7)
    assert [c.name for c in chosen][:6] == ["C1", "C2", "C3", "C4", "C5", "H1"]
    assert chosen[6:] == task.drawn_hidden_configs(7) and len(chosen) == 8
    assert task.configs_for("emu", hidden=False, draw_seed=7) == task.visible_configs


def test_divisibility_rule_holds() -> None:
    task = load_task("gqa")
    for seed in range(20):
        for cfg in task.drawn_hidden_configs(seed):
            assert cfg.sizes["H"] % cfg.sizes["G"] == 0


BASE = """
id = "t"
level = 1
title = "t"
statement = "t"
[[tensor]]
name = "x"
role = "input"
shape = ["M"]
[[tensor]]
name = "y"
role = "output"
shape = ["M"]
[tolerance.fp32]
atol = 0
rtol = 0
norm = 0
[configs]
C1 = { M = 1 }
C2 = { M = 2 }
C3 = { M = 3 }
C4 = { M = 4 }
C5 = { M = 5 }
[hidden]
H1 = { M = 7 }
"""


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("[hidden.rules]\nmax_elements = 100\n[hidden.rules.sizes]\n", "does not give M"),
        (
            "[hidden.rules]\nmax_elements = 100\n[hidden.rules.sizes]\nM = { min = 9, max = 3 }",
            "is empty",
        ),
        (
            "[hidden.rules]\nmax_elements = 9\ndraws = 1\n[hidden.rules.sizes]\n"
            "M = { min = 1, max = 3 }",
            "greater than or equal to 2",
        ),
        (
            "[hidden.rules]\nmax_elements = 9\n[hidden.rules.sizes]\n"
            "M = { min = 1, max = 3 }\nQ = { min = 1, max = 3 }",
            "unknown size Q",
        ),
    ],
)
def test_bad_rules_are_refused(rules: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Manifest.model_validate(tomllib.loads(BASE + rules))


def test_rules_that_admit_nothing_are_one_sentence(tmp_path: object) -> None:
    text = BASE + (
        "[hidden.rules]\nmax_elements = 1\n[hidden.rules.sizes]\nM = { min = 5, max = 9 }"
    )
    manifest = Manifest.model_validate(tomllib.loads(text))
    assert manifest.hidden_rules is not None and "rules" not in manifest.hidden
    with pytest.raises(ValueError, match="admit no sizes"):
        draw_hidden(manifest.hidden_rules, manifest.tensor, seed=1)
    from tasks.task import TASKS_DIR, Task

    with pytest.raises(TaskError, match="task t: the hidden rules admit no sizes"):
        Task(TASKS_DIR, manifest).drawn_hidden_configs(1)


def test_gpu_sizes_may_have_rules_of_their_own() -> None:
    from tasks.task import Task

    task = load_task("gemm")
    data = tomllib.loads((task.folder / "task.toml").read_text())
    data["gpu"]["hidden"]["rules"] = {
        "max_elements": 1 << 24,
        "sizes": {n: {"min": 700, "max": 2100} for n in ("M", "K", "N")},
    }
    gpu_task = Task(task.folder, Manifest.model_validate(data))
    chosen = gpu_task.configs_for("gpu", hidden=True, draw_seed=3)
    drawn = [c for c in chosen if c.name.startswith("hidden-draw")]
    assert len(drawn) == 2 and all(700 <= v <= 2100 for c in drawn for v in c.sizes.values())
    assert all(v % 16 for c in drawn for v in c.sizes.values())
