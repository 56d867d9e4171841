"""Does VLX's cycle model reward what it should? Pairs of kernels in VLX assembly that compute
the same thing, one plain and one optimised.

Run: python benchmarks/vlx_cycle_model.py   (exits non-zero when a claim fails)

Claims (each pair is checked against NumPy; (a) to (d) repeat their compute 8 times on
data already in local memory, so that the compute is what is measured):
(a) vectorisation: relu over 16,384 words with 16-lane vectors beats one lane at a time
    (vld1/vst1) by at least 8x;
(b) software pipelining with several accumulators: a 16,384-word dot product whose loop
    loads the next vectors while multiplying the last ones into four accumulators beats one
    accumulator, whose every vmac waits 4 cycles for the last, by at least 2.5x;
(c) slot packing: the same silu operations list-scheduled into bundles beat one operation
    per bundle by at least 1.5x;
(d) bank-aware layout: y = x + z with z placed one bank line away from x beats z in the same
    bank as x (every pair of loads in a bundle conflicts) by at least 1.2x;
(e) DMA double buffering: silu over 65,536 words in blocks of 4,096, loading block i+1 and
    storing block i-1 while block i is computed, beats one buffer by at least 1.5x.
It also prints how fast the simulator runs (bundles per second) on the silu kernels.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import numpy as np

from agents.template.vlx_fast import silu as silu_double_buffered
from agents.template.vlx_fast import silu_body
from agents.template.vlx_schedule import render
from isa.accel.common.memory import DramRegion
from isa.accel.vlx.assembler import assemble
from isa.accel.vlx.simulator import run


# (a) one lane or sixteen per operation; both unrolled by 4 and scheduled
def _relu(width: int) -> str:
    load, store = ("vld", "vst") if width == 16 else ("vld1", "vst1")
    lane = "" if width == 16 else "[0]"
    ops = [f"{load} v{j}, L[r1 + IN + {width * j}]" for j in range(4)]
    ops += [f"vrelu v{8 + j}, v{j}" for j in range(4)]
    ops += [f"{store} L[r1 + OUT + {width * j}], v{8 + j}{lane}" for j in range(4)]
    ops.append(f"add r1, r1, {4 * width}")
    return (
        ".equ IN, 0\n.equ OUT, 32768\n"
        "        dld   t0, L[IN], D[@x], 1, $N\n"
        "        dwait t0\n"
        "        loop  r9, REPS\n"
        "        li    r1, 0\n"
        f"        loop  r2, $N / {4 * width}\n" + render(ops) + "        endloop\n"
        "        endloop\n"
        "        dst   t1, D[@y], L[OUT], 1, $N\n"
        "        dwait t1\n"
    )


# (b) a dot product with one accumulator, or four in an unrolled and scheduled loop
ONE_ACCUMULATOR = """
        dld   t0, L[0], D[@x], 1, $N
        dld   t1, L[32784], D[@z], 1, $N
        dwait t0
        dwait t1
        vclr  a0
        loop  r9, REPS
        li    r1, 0
        loop  r2, $N / 16
        { vld v1, L[r1] ; vld v2, L[r1 + 32784] ; add r1, r1, 16 }
        vmac  a0, v1, v2
        endloop
        endloop
        vrd   v3, a0
"""


def _four_accumulators() -> str:
    """Software-pipelined: each half of the body multiplies the vectors the other half loaded
    (registers v0..v7 and v8..v15 take turns), into four accumulators."""
    ops: list[str] = []
    for half, (mine, theirs) in enumerate(((0, 8), (8, 0))):
        ops += [f"vmac a{j}, v{mine + j}, v{mine + 4 + j}" for j in range(4)]
        step = 64 * (half + 1)
        ops += [f"vld v{theirs + j}, L[r1 + X + {step + 16 * j}]" for j in range(4)]
        ops += [f"vld v{theirs + 4 + j}, L[r1 + Z + {step + 16 * j}]" for j in range(4)]
    ops.append("add r1, r1, 128")
    first = [f"vld v{j}, L[X + {16 * j}]" for j in range(4)]
    first += [f"vld v{4 + j}, L[Z + {16 * j}]" for j in range(4)]
    total = ["vrd v10, a0", "vrd v11, a1", "vrd v12, a2", "vrd v13, a3"]
    total += ["vadd v10, v10, v11", "vadd v12, v12, v13", "vadd v3, v10, v12"]
    return (
        ".equ X, 0\n.equ Z, 32784                // z one bank line away from x\n"
        "        dld   t0, L[X], D[@x], 1, $N\n"
        "        dld   t1, L[Z], D[@z], 1, $N\n"
        "        dwait t0\n"
        "        dwait t1\n"
        + render(["vclr a0", "vclr a1", "vclr a2", "vclr a3"])
        + "        loop  r9, REPS\n"
        + render([*first, "li r1, 0"])
        + "        loop  r2, $N / 128\n"
        + render(ops)
        + "        endloop\n"
        + "        endloop\n"
        + render(total)
    )


_DOT_TAIL = """
        vredsum v4, v3
        vst   L[0], v4
        dst   t2, D[@y], L[0], 1, 1
        dwait t2
"""


# (c) silu on one block of $N words: one operation per bundle, or list-scheduled
def _silu_block(packed: bool) -> str:
    body = silu_body().replace("{IN}", "IN").replace("{OUT}", "OUT")
    if not packed:
        lines = []
        for line in body.splitlines():
            text = line.strip()
            if text.startswith("{"):
                lines += [f"        {op.strip()}" for op in text.strip("{}").split(";")]
            else:
                lines.append(line)
        body = "\n".join(lines) + "\n"
    return (
        ".equ IN, 0\n.equ OUT, 16384\n"
        "        li    r2, $N\n"
        "        dld   t0, L[IN], D[@x], 1, r2\n"
        "        dwait t0\n"
        "        loop  r9, REPS\n" + body + "        endloop\n"
        "        dst   t1, D[@y], L[OUT], 1, r2\n"
        "        dwait t1\n"
    )


# (d) y = x + z with z in the same bank as x, or one line (bank) further
def _add(z_at: int) -> str:
    ops: list[str] = []
    for j in range(4):
        ops += [f"vld v{j}, L[r1 + X + {16 * j}]", f"vld v{4 + j}, L[r1 + Z + {16 * j}]"]
    ops += [f"vadd v{8 + j}, v{j}, v{4 + j}" for j in range(4)]
    ops += [f"vst L[r1 + Y + {16 * j}], v{8 + j}" for j in range(4)]
    ops.append("add r1, r1, 64")
    return (
        f".equ X, 0\n.equ Z, {z_at}\n.equ Y, 40992\n"
        "        dld   t0, L[X], D[@x], 1, $N\n"
        "        dld   t1, L[Z], D[@z], 1, $N\n"
        "        dwait t0\n"
        "        dwait t1\n"
        "        loop  r9, REPS\n"
        "        li    r1, 0\n"
        "        loop  r2, $N / 64\n" + render(ops) + "        endloop\n"
        "        endloop\n"
        "        dst   t2, D[@y], L[Y], 1, $N\n"
        "        dwait t2\n"
    )


# (e) silu over $M * $N words in blocks of 4,096 with one buffer; the double-buffered
# version is the silu oracle (agents.template.vlx_fast.silu)
def _silu_single_buffered() -> str:
    body = silu_body().replace("{IN}", "IN0").replace("{OUT}", "OUT0")
    return (
        ".equ T, $M * $N\n.equ B, 4096\n.equ IN0, 0\n.equ OUT0, 16384\n"
        "        li    r1, 0\n"
        "block:  sub   r2, T, r1\n"
        "        min   r2, r2, B\n"
        "        dld   t0, L[IN0], D[r1 + @x], 1, r2\n"
        "        dwait t0\n" + body + "        dst   t2, D[r1 + @y], L[OUT0], 1, r2\n"
        "        dwait t2\n"
        "        add   r1, r1, B\n"
        "        blt   r1, T, block\n"
    )


REPS = 8  # (a) to (d) repeat their compute on data already on chip, so that it dominates


@dataclass
class Result:
    name: str
    cycles: int
    bundles: int
    seconds: float
    stalls: dict[str, int]


def measure(
    name: str, source: str, inputs: dict[str, np.ndarray], out_words: int, sizes: dict[str, int]
) -> tuple[Result, np.ndarray]:
    """Run `source` with `inputs` then an output y of `out_words`; returns y."""
    parts, regions, symbols, cursor = [], [], {f"${k}": v for k, v in sizes.items()}, 0
    for tensor, array in inputs.items():
        regions.append(DramRegion(tensor, cursor, array.size, writable=False))
        symbols[f"@{tensor}"] = cursor
        parts.append(array.ravel())
        cursor += array.size
    regions.append(DramRegion("y", cursor, out_words))
    symbols["@y"] = cursor
    dram = np.concatenate([*parts, np.full(out_words, np.nan, np.float32)])
    program = assemble(f".equ REPS, {REPS}\n" + source, symbols)
    start = time.perf_counter()
    stats = run(program, dram, regions=regions)
    seconds = time.perf_counter() - start
    return Result(name, stats.cycles, stats.bundles, seconds, stats.stalls), dram[cursor:]


def check(name: str, got: np.ndarray, expected: np.ndarray, rtol: float = 1e-6) -> None:
    if not np.allclose(got, expected, rtol=rtol, atol=1e-6):
        raise SystemExit(f"{name}: wrong result (max error {np.nanmax(np.abs(got - expected))})")


def main() -> int:
    rng = np.random.default_rng(0)
    n = 16_384
    x = rng.standard_normal(n).astype(np.float32)
    z = rng.standard_normal(n).astype(np.float32)
    pairs: list[tuple[str, float, Result, Result]] = []

    scalar, y1 = measure("relu, one lane", _relu(1), {"x": x}, n, {"N": n})
    vector, y2 = measure("relu, 16 lanes", _relu(16), {"x": x}, n, {"N": n})
    for got in (y1, y2):
        check("relu", got, np.maximum(x, 0))
    pairs.append(("(a) vectorisation", 8.0, scalar, vector))

    dot = REPS * float(x.astype(np.float64) @ z)
    one, y1 = measure(
        "dot, 1 accumulator", ONE_ACCUMULATOR + _DOT_TAIL, {"x": x, "z": z}, 1, {"N": n}
    )
    four, y2 = measure(
        "dot, 4 accumulators", _four_accumulators() + _DOT_TAIL, {"x": x, "z": z}, 1, {"N": n}
    )
    for got in (y1, y2):
        check("dot", got, np.array([dot]), rtol=1e-5)
    pairs.append(("(b) several accumulators", 2.5, one, four))

    block = 4096
    silu_ref = x[:block] / (1 + np.exp(-x[:block].astype(np.float64)))
    serial, y1 = measure(
        "silu, 1 op per bundle", _silu_block(False), {"x": x[:block]}, block, {"N": block}
    )
    packed, y2 = measure(
        "silu, scheduled", _silu_block(True), {"x": x[:block]}, block, {"N": block}
    )
    for got in (y1, y2):
        check("silu block", got, silu_ref, rtol=1e-5)
    pairs.append(("(c) slot packing", 1.5, serial, packed))

    same, y1 = measure("add, z in x's bank", _add(16384), {"x": x, "z": z}, n, {"N": n})
    skew, y2 = measure("add, z a bank away", _add(16400), {"x": x, "z": z}, n, {"N": n})
    for got in (y1, y2):
        check("add", got, x + z)
    pairs.append(("(d) bank-aware layout", 1.2, same, skew))

    big = rng.standard_normal((128, 512)).astype(np.float32)
    sizes = {"M": 128, "N": 512}
    single, y1 = measure("silu, one buffer", _silu_single_buffered(), {"x": big}, big.size, sizes)
    double, y2 = measure(
        "silu, double-buffered", silu_double_buffered(), {"x": big}, big.size, sizes
    )
    for got in (y1, y2):
        check("silu", got, (big / (1 + np.exp(-big.astype(np.float64)))).ravel(), rtol=1e-5)
    pairs.append(("(e) DMA double buffering", 1.5, single, double))

    print(f"{'kernel':24} {'cycles':>9} {'bundles':>8} {'sim s':>6}  top stalls")
    failed = False
    for _, _, plain, fast in pairs:
        for r in (plain, fast):
            top = ", ".join(
                f"{k} {v}" for k, v in sorted(r.stalls.items(), key=lambda kv: -kv[1])[:3]
            )
            print(f"{r.name:24} {r.cycles:9,d} {r.bundles:8,d} {r.seconds:6.3f}  {top}")
    print()
    for text, factor, plain, fast in pairs:
        gain = plain.cycles / fast.cycles
        ok = gain >= factor
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  {text} gains >= {factor}x: {gain:.2f}x")
    rate = (single.bundles + double.bundles) / (single.seconds + double.seconds)
    print(f"\nsimulator speed on the silu kernels: {rate:,.0f} bundles/s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
