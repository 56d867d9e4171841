"""Triton's compile step runs the candidate's import-time code, so what it returns is forged
at will: the judge takes only data from it (PTX text and metadata, bounded and validated),
never a path or a command, assembles that PTX where no candidate code runs, scans the very
PTX it runs, and keeps from that sandbox only the compile's data files, bounded in size."""

from __future__ import annotations

from eval.validate import Verdict
from isa import compile_cache
from isa.harness import compile_cache_dir
from tests.adversarial import test_triton_exploits as triton
from tests.adversarial.exploits import Exploit, assert_rejected, judge

KIND = "forged Triton compile products"
TRITON = "triton:sm_80"

# Import-time code that rewrites the compile child's result file after Triton is done.
REWRITE = """
import atexit, json, os, stat

def _mutate(entry):
{body}

def _rewrite():
    try:
        with open("result.json") as f:
            data = json.load(f)
        for entry in data.values():
            if isinstance(entry, dict) and "meta" in entry:
                _mutate(entry)
        with open("result.json", "w") as f:
            json.dump(data, f)
    except Exception:
        pass

atexit.register(_rewrite)
"""

FAKE_PTXAS = """    from triton.backends.nvidia.compiler import get_ptxas
    real = str(get_ptxas(80).path)
    script = os.path.join(os.environ.get("HOME", "."), "fake-ptxas")
    with open(script, "w") as f:
        f.write('#!/bin/sh\\nout=$("%s" "$@" 2>&1); rc=$?\\n' % real)
        f.write('echo "$out" | sed "s/Used [0-9]* registers/Used 7777 registers/"\\nexit $rc\\n')
    os.chmod(script, 0o755)
    entry["meta"]["ptxas"] = script"""

F16_PTX = """    entry["ptx"] = entry["ptx"].replace(
        "ret;", "{ .reg .b16 %kwh; cvt.rn.f16.f32 %kwh, 0f3F800000; }\\n\\tret;", 1)"""

# Files written into the worker's own cache from import time: junk, and a forged assembled
# entry (cubin, resource report) under a key the toolchain would look up.
FLOOD = """
import os
root = os.path.join(os.environ.get("HOME", "."), "cache", "nvidia")
for i in range(24):
    folder = os.path.join(root, "zz", "junk%02d" % i)
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "kernel.cubin"), "wb") as f:
            f.write(b"\\0" * (1 << 20))
        with open(os.path.join(folder, "junk.bin"), "wb") as f:
            f.write(b"\\0" * 1024)
    except OSError:
        pass
"""


def rewrite(body: str) -> str:
    return triton.silu(head=REWRITE.format(body=body))


def registers(verdict: Verdict) -> list[int]:
    kernels = verdict.diagnostics.get("kernels", {})
    return [int(k.get("registers", 0)) for k in kernels.values()]


EXPLOITS = [
    Exploit(
        "replaced PTX with an fp16 conversion",
        "silu",
        rewrite(F16_PTX),
        "the compiled kernel is refused: .*f16",
        ("C1",),
    ),
    Exploit(
        "negative shared memory in the metadata",
        "silu",
        rewrite('    entry["meta"]["shared"] = -4096'),
        "malformed data .*shared",
        ("C1",),
    ),
    Exploit(
        "kernel name that is a path",
        "silu",
        rewrite('    entry["meta"]["name"] = "../../../etc/passwd"'),
        "malformed data .*name",
        ("C1",),
    ),
    Exploit(
        "PTX larger than the bound",
        "silu",
        rewrite('    entry["ptx"] = entry["ptx"] + "//" + "x" * (17 << 20)'),
        "malformed data .*PTX",
        ("C1",),
    ),
]


def test_forged_compile_products_are_refused() -> None:
    for exploit in EXPLOITS:
        verdict = judge(exploit.task, TRITON, exploit.text(), configs=exploit.configs)
        assert_rejected(verdict, exploit.reason)


def test_a_ptxas_path_from_the_compile_step_is_never_executed() -> None:
    verdict = judge("silu", TRITON, rewrite(FAKE_PTXAS), configs=("C1",), executor="emu")
    assert verdict.valid, verdict.reason
    assert registers(verdict) and 7777 not in registers(verdict)


def test_a_forged_assembled_entry_is_not_trusted() -> None:
    """The candidate writes a resource report under the key the run would look up: it is
    not harvested from the compile sandbox, so the run assembles the PTX itself."""
    forged = """
import json, os
from isa.nvidia.triton_backend import _assembled_key, _launch_key
from isa.nvidia.plan import parse_plan
source = open(__file__).read()
root = os.path.join(os.environ.get("HOME", "."), "cache", "nvidia")
for m in (8,):
    plan = parse_plan(source, "#@", {"M": m, "N": 16}, triton=True)
    for launch in plan.launches:
        key = _assembled_key(_launch_key(source, "sm_80", launch))
        folder = os.path.join(root, key[:2], key)
        os.makedirs(folder, exist_ok=True)
        meta = {"resources": {"silu": {"registers": 7777}}, "compile_s": 0, "extra": {}}
        for name, data in (("meta.json", json.dumps(meta)), ("kernel.ptx", "x"),
                           ("kernel.cubin", ""), ("sass.txt", "")):
            with open(os.path.join(folder, name), "w") as f:
                f.write(data)
"""
    verdict = judge("silu", TRITON, triton.silu(head=forged), configs=("C1",), executor="emu")
    assert verdict.valid, verdict.reason
    assert 7777 not in registers(verdict)


def test_the_cache_keeps_only_the_compile_data_from_the_candidate_sandbox() -> None:
    source = triton.silu(head=FLOOD)
    verdict = judge("silu", TRITON, source, configs=("C1",), executor="emu")
    assert verdict.valid, verdict.reason
    kept = compile_cache.source_folder(compile_cache_dir(), TRITON, source)
    files = [p for p in kept.rglob("*") if p.is_file()]
    assert files, "the honest products are kept"
    assert all(p.name in compile_cache.ARTEFACTS for p in files), files
    assert not any("junk" in str(p) for p in files)
    assert sum(p.stat().st_size for p in files) < 4 << 20
