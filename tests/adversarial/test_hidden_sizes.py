"""Kernels special-cased for every size in the repository (the five visible configs and the
fixed hidden ones) are rejected: final verification also runs sizes drawn from the judge's
secret seed (`[hidden.rules]`), and what it says about a failed hidden config is only its
kind, never its sizes or indices."""

from __future__ import annotations

import re

from eval.validate import verify
from isa.base import Target
from tasks import load_task
from tests.adversarial import test_cuda_exploits as cuda
from tests.adversarial import test_tile_exploits as tile
from tests.adversarial import test_triton_exploits as triton
from tests.adversarial.exploits import Exploit

KIND = "hidden sizes known in advance"
HIDDEN = r"a hidden configuration failed \(mismatch\)"


def _known(key: str) -> list[int]:
    task = load_task("silu")
    return sorted({key_of(c.sizes, key) for c in task.visible_configs + task.hidden_configs})


def key_of(sizes: dict[str, int], key: str) -> int:
    return sizes["M"] * sizes["N"] if key == "MN" else sizes[key]


def cuda_by_count() -> str:
    known = " || ".join(f"n == {n}" for n in _known("MN"))
    return cuda.silu(guard=f"i < n && ({known})")


def cuda_by_table() -> str:
    """The same, spelled as a lookup in a constant table of the known element counts."""
    known = _known("MN")
    head = f"__constant__ int KNOWN[{len(known)}] = {{{', '.join(map(str, known))}}};"
    loop = f"bool ok = false; for (int k = 0; k < {len(known)}; ++k) ok |= KNOWN[k] == n;"
    return cuda.silu(head=head, load=f"{loop} if (!ok) return; float v = x[i];")


def triton_by_count() -> str:
    known = " | ".join(f"(n == {n})" for n in _known("MN"))
    return triton.silu(mask=f"(offs < n) & ({known})")


def tile_by_rows() -> str:
    checks = "\n".join(f"        beq   r9, {m}, go" for m in _known("M"))
    return tile.silu(head=f"li    r9, $M\n{checks}\n        halt\ngo:")


def tile_by_columns() -> str:
    checks = "\n".join(f"        beq   r9, {n}, go" for n in _known("N"))
    return tile.silu(head=f"li    r9, $N\n{checks}\n        halt\ngo:")


CASES = {
    "cuda:sm_90": [
        Exploit("CUDA: element counts of the repository's configs", "silu", cuda_by_count, HIDDEN),
        Exploit("CUDA: the same counts as a constant table", "silu", cuda_by_table, HIDDEN),
    ],
    "triton:sm_80": [
        Exploit(
            "Triton: element counts of the repository's configs", "silu", triton_by_count, HIDDEN
        ),
    ],
    "tile": [
        Exploit("TILE: row counts of the repository's configs", "silu", tile_by_rows, HIDDEN),
        Exploit("TILE: column counts of the repository's configs", "silu", tile_by_columns, HIDDEN),
    ],
}
EXPLOITS = [(target, e) for target, cases in CASES.items() for e in cases]


def _final(target: str, source: str, seed: int) -> tuple[bool, str, list[dict[str, int]]]:
    task = load_task("silu")
    v = verify(task, Target.parse(target), source, hidden=True, seed=seed, executor="emu")
    drawn = [c.sizes for c in v.configs if c.name.startswith("hidden-draw")]
    return v.valid, v.reason, drawn


def test_special_cased_kernels_pass_every_config_in_the_repository() -> None:
    """The control: each cheat really is correct on every size the repository holds."""
    task = load_task("silu")
    fixed = task.visible_configs + task.hidden_configs
    for target, exploit in EXPLOITS:
        verdict = verify(task, Target.parse(target), exploit.text(), configs=fixed, executor="emu")
        assert verdict.valid, f"{exploit.name}: {verdict.reason}"


def test_special_cased_kernels_fail_final_verification_without_learning_the_sizes() -> None:
    for target, exploit in EXPLOITS:
        valid, reason, drawn = _final(target, exploit.text(), seed=12345)
        assert not valid and len(drawn) >= 2, exploit.name
        assert re.search(exploit.reason, reason), (exploit.name, reason)
        told = reason.split(";", 1)[1]  # after "failed on F of N configs"
        for sizes in drawn:  # nothing of the drawn sizes is in what the agent reads
            for value in sizes.values():
                assert not re.search(rf"\b{value}\b", told), (exploit.name, reason)


def test_drawn_sizes_change_with_the_secret_and_are_kept_for_the_owner() -> None:
    task = load_task("silu")
    source = task.oracle("tile", ".tasm") or ""
    seen = []
    for seed in (1, 2):
        v = verify(task, Target.parse("tile"), source, hidden=True, seed=seed)
        assert v.valid, v.reason
        drawn = [c for c in v.configs if c.name.startswith("hidden-draw")]
        assert len(drawn) >= 2 and all(c.hidden and c.sizes for c in drawn)
        assert all(c.sizes == v.to_json()["configs"][i]["sizes"] for i, c in enumerate(v.configs))
        seen.append([c.sizes for c in drawn])
    assert seen[0] != seen[1]
