"""Compiles the `@triton.jit` kernels of a Triton candidate to PTX, in a process of its own.

Usage: python -m isa.nvidia.triton_compile REQUEST.json   (started by the Triton backend
inside the sandboxed worker; never by the judge)

A Triton candidate is Python, so importing it runs candidate code. That happens only here,
in a child of the sandboxed worker that does nothing else: the worker that runs the emulator
and writes the results never imports candidate code, it only reads the PTX written here.

The request names the source file, the sm number and, per kernel to compile, the kinds of
its runtime arguments ("ptr" or "int"), its constexprs, num_warps and num_stages, and the
stem of the output files: `<stem>.ptx` and `<stem>.json` (metadata), or `<stem>.error.json`
with {"message", "line"}.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import re
import sys
import traceback
from pathlib import Path
from typing import Any

os.environ.setdefault("TRITON_DEFAULT_FP_FUSION", "1")  # today's default, without the warning


def _source_line(tb: Any, filename: str) -> int | None:
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if Path(frame.f_code.co_filename).name == filename:
            line = lineno
    return line


def _load(source: Path) -> Any:
    spec = importlib.util.spec_from_file_location("kw_candidate", source)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {source.name}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _error(message: str, line: int | None = None) -> dict[str, Any]:
    return {"message": " ".join(message.split()), "line": line}


_AT = re.compile(r"at (\d+):(\d+):")


def compile_one(module: Any, fn_line: dict[str, int], req: dict[str, Any]) -> dict[str, Any]:
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    name = req["kernel"]
    fn = getattr(module, name, None)
    if fn is None:
        return {"error": _error(f"the plan launches '{name}', but the file defines no such kernel")}
    if not isinstance(fn, triton.runtime.jit.JITFunction):
        return {
            "error": _error(
                f"'{name}' must be a plain @triton.jit function (no autotune or heuristics: "
                "put block sizes in the plan's constexprs)"
            )
        }
    params = list(fn.params)
    runtime = [p for p in params if not p.is_constexpr]
    kinds = req["args"]
    if len(kinds) != len(runtime):
        names = ", ".join(p.name for p in runtime)
        return {
            "error": _error(
                f"the plan passes {len(kinds)} arguments to '{name}', which takes "
                f"{len(runtime)} runtime arguments ({names})"
            )
        }
    signature: dict[str, str] = {}
    constexprs: dict[str, Any] = {}
    given = dict(req["constexprs"])
    for p in params:
        if p.is_constexpr:
            signature[p.name] = "constexpr"
            if p.name in given:
                constexprs[p.name] = given.pop(p.name)
            elif p._param.default is not inspect.Parameter.empty:
                constexprs[p.name] = p._param.default
            else:
                return {
                    "error": _error(f"constexpr '{p.name}' of '{name}' needs a value in the plan")
                }
    for p, kind in zip(runtime, kinds, strict=True):
        signature[p.name] = "*fp32" if kind == "ptr" else "i32"
    if given:
        return {"error": _error(f"'{name}' has no constexpr(s) {', '.join(sorted(given))}")}
    target = GPUTarget("cuda", int(req["arch"]), 32)
    options = {"num_warps": int(req["num_warps"]), "num_stages": int(req["num_stages"])}
    try:
        src = ASTSource(fn=fn, signature=signature, constexprs=constexprs)
        kernel = triton.compile(src, target=target, options=options)
    except Exception as exc:
        text = str(exc)
        line = None
        m = _AT.search(text)
        if m:  # Triton numbers lines from the function's `def`
            line = fn_line.get(name, 1) + int(m.group(1)) - 1
        message = text.strip().splitlines()[-1] if text.strip() else type(exc).__name__
        return {"error": _error(f"Triton: {message}", line)}
    meta = kernel.metadata
    # Data only: the worker validates it and finds ptxas itself (no path or command here).
    return {
        "ptx": kernel.asm["ptx"],
        "meta": {
            "name": meta.name,
            "shared": int(meta.shared),
            "num_warps": int(meta.num_warps),
            "global_scratch_size": int(getattr(meta, "global_scratch_size", 0) or 0),
        },
    }


def _def_lines(source: str) -> dict[str, int]:
    """Function name -> line of its `def` (Triton reports lines relative to it)."""
    import ast

    lines: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            lines[node.name] = node.lineno
    return lines


def main(argv: list[str]) -> int:
    request_path = Path(argv[1])
    workdir = request_path.parent
    request = json.loads(request_path.read_text())
    source = workdir / request["source"]
    results: dict[str, Any] = {}
    try:
        module = _load(source)
        fn_line = _def_lines(source.read_text())
    except SyntaxError as exc:
        msg = _error(f"Python syntax error: {exc.msg}", exc.lineno)
        results = {item["out"]: {"error": msg} for item in request["kernels"]}
    except BaseException as exc:  # candidate code failed at import
        line = _source_line(exc.__traceback__, source.name)
        msg = _error(f"importing the kernel file failed: {type(exc).__name__}: {exc}", line)
        results = {item["out"]: {"error": msg} for item in request["kernels"]}
    else:
        for item in request["kernels"]:
            results[item["out"]] = compile_one(module, fn_line, item)
    (workdir / request["result"]).write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
