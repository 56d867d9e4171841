"""Running a kernel of a loaded module: argument packing, chunks of blocks, and the SIMT
scheduler (min-PC: each step runs the instruction at the lowest program counter among the
live threads, for every thread that is at it; diverged paths reconverge where they meet)."""

from __future__ import annotations

import struct
import time
from collections.abc import Sequence

import numpy as np

from isa.nvidia.arch import limits_for
from isa.nvidia.machines import H100_SXM, GpuSpec
from isa.nvidia.ptx.dependence import PathCosts, path_costs
from isa.nvidia.ptx.errors import PtxFault
from isa.nvidia.ptx.memory import DeviceMemory
from isa.nvidia.ptx.module import Kernel, Module
from isa.nvidia.ptx.program import Op
from isa.nvidia.ptx.results import CLASSES, BlockProfile, Counters, EmuLimits, LaunchResult
from isa.nvidia.ptx.state import ChunkState, Report


def _pack_param(ptype: str, size: int, value: object, name: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        if len(value) != size:
            raise ValueError(f"parameter '{name}' takes {size} bytes, got {len(value)}")
        return bytes(value)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if ptype in ("f32", "f64"):
        if not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(
                f"parameter '{name}' (.{ptype}) needs a number, got {type(value).__name__}"
            )
        return struct.pack("<f" if ptype == "f32" else "<d", float(value))
    if ptype in ("f16", "bf16"):
        if ptype == "f16":
            return np.array(float(value), dtype=np.float16).tobytes()  # type: ignore[arg-type]
        bits = np.array(float(value), dtype=np.float32).view(np.uint32) >> 16  # type: ignore[arg-type]
        return int(bits).to_bytes(2, "little")
    if isinstance(value, (np.floating, float)):
        raise ValueError(f"parameter '{name}' (.{ptype}) needs an integer, got {value!r}")
    if not isinstance(value, (int, np.integer, bool)):
        raise ValueError(
            f"parameter '{name}' (.{ptype}) needs an integer, got {type(value).__name__}"
        )
    return (int(value) & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


def _check_dims(name: str, dims: tuple[int, ...]) -> tuple[int, int, int]:
    d = tuple(int(x) for x in dims) + (1,) * (3 - len(dims))
    if len(d) != 3 or any(x < 1 for x in d):
        raise ValueError(f"{name} must be 1 to 3 positive sizes, got {dims}")
    return (d[0], d[1], d[2])


def _module_symbols(module: Module, memory: DeviceMemory) -> dict[str, int]:
    """Addresses of the module's .global / .const variables, allocated once per memory."""
    cache: dict[tuple[int, str], int] = memory.__dict__.setdefault("_module_symbols", {})
    out: dict[str, int] = {}
    for name, var in module.globals.items():
        if var.space not in ("global", "const"):
            continue
        key = (id(module), name)
        if key not in cache:
            addr = memory.alloc(max(var.size, 1), f"{var.space} {name}")
            data = var.init.ljust(var.size, b"\0") if var.size else b""
            if data:
                memory.write(addr, data)
            cache[key] = addr
        out[name] = cache[key]
    return out


def launch(
    module: Module,
    kernel_name: str,
    grid: tuple[int, ...],
    block: tuple[int, ...],
    args: Sequence[int | float | np.generic | bytes],
    memory: DeviceMemory,
    *,
    dynamic_shared_bytes: int = 0,
    limits: EmuLimits | None = None,
    blocks: Sequence[int] | None = None,
    machine: GpuSpec = H100_SXM,
) -> LaunchResult:
    """Run `kernel_name` over `grid` x `block` threads. `args` follow the kernel's .param
    list in order: pointers are device addresses from `memory`, scalars are Python or NumPy
    numbers (converted to the parameter's PTX type), a by-value struct is `bytes`.

    Returns the counters and the non-fatal findings; raises PtxFault on a hard fault and
    ValueError (one sentence) on a bad launch (unknown kernel, wrong argument count, block
    larger than 1024 threads, more shared or local memory than the module's `.target`
    architecture allows: see `isa.nvidia.arch`).

    `blocks` (linear block ids) runs only those blocks of the grid, for sampled timing;
    `machine` gives the latencies of the per-block dependent paths (`Counters.profile`)."""
    limits = limits or EmuLimits()
    if kernel_name not in module.kernels:
        known = ", ".join(sorted(module.kernels))
        raise ValueError(f"the module has no kernel '{kernel_name}' (it has: {known})")
    kernel = module.kernels[kernel_name]
    g = _check_dims("grid", tuple(grid))
    b = _check_dims("block", tuple(block))
    threads = b[0] * b[1] * b[2]
    arch = limits_for(module.target)
    if threads > arch.max_threads_per_block or b[2] > arch.max_block_dims[2]:
        raise ValueError(
            f"a block of {b} has {threads} threads; the limit is "
            f"{arch.max_threads_per_block} (z <= {arch.max_block_dims[2]})"
        )
    if kernel.reqntid is not None:
        req = int(np.prod(kernel.reqntid))
        if req != threads:
            raise ValueError(
                f"kernel '{kernel_name}' requires {req} threads per block (.reqntid), got {threads}"
            )
    if len(args) != len(kernel.params):
        names = ", ".join(p.name for p in kernel.params)
        raise ValueError(
            f"kernel '{kernel_name}' takes {len(kernel.params)} arguments ({names}), "
            f"got {len(args)}"
        )
    if dynamic_shared_bytes < 0:
        raise ValueError("dynamic shared memory cannot be negative")
    params = bytearray(kernel.param_bytes)
    for p, value in zip(kernel.params, args, strict=True):
        params[p.offset : p.offset + p.size] = _pack_param(p.ptype, p.size, value, p.name)
    symbols = {p.name: p.offset for p in kernel.params}
    symbols.update(_module_symbols(module, memory))
    static = kernel.static_shared_bytes
    shared_bytes = (
        (-(-static // 16) * 16 + dynamic_shared_bytes) if dynamic_shared_bytes else static
    )
    if shared_bytes > arch.max_shared_per_block:
        raise ValueError(
            f"the kernel needs {shared_bytes} bytes of shared memory per block; the limit "
            f"on an {arch.gpu} ({arch.arch}) is {arch.max_shared_per_block}"
        )

    counters = Counters()
    report = Report(counters=counters, limits=limits)
    report.touched = np.zeros(memory.data.size // 32 + 1, dtype=bool)
    grid_blocks = g[0] * g[1] * g[2]
    if blocks is None:
        block_ids = np.arange(grid_blocks, dtype=np.int64)
    else:
        block_ids = np.unique(np.asarray(list(blocks), dtype=np.int64))
        if block_ids.size == 0 or block_ids[0] < 0 or block_ids[-1] >= grid_blocks:
            raise ValueError(f"the sampled blocks must be ids in 0..{grid_blocks - 1}")
    nblocks = int(block_ids.size)
    tpb = -(-threads // 32) * 32
    if kernel.local_bytes > arch.max_local_per_thread:
        raise ValueError(
            f"the kernel needs {kernel.local_bytes} bytes of local memory per thread; "
            f"the limit is {arch.max_local_per_thread}"
        )
    # host memory of one block: registers and local memory per thread, shared memory and its
    # sanitizer shadows (11 bytes per byte) per block
    per_thread = max(len(kernel.registers), 1) * 8 + kernel.local_bytes
    per_block = tpb * per_thread + 11 * shared_bytes
    per_chunk = max(
        1, min(limits.max_threads_per_chunk // tpb, limits.max_chunk_bytes // per_block)
    )
    warp_counts = np.zeros(len(kernel.program), dtype=np.int64)
    thread_counts = np.zeros(len(kernel.program), dtype=np.int64)
    counters.blocks = nblocks
    counters.grid_blocks = grid_blocks
    counters.warps = nblocks * (tpb // 32)
    costs = _path_costs(kernel, machine)
    profile = BlockProfile.empty()
    t0 = time.perf_counter()
    with np.errstate(all="ignore"):
        for start in range(0, nblocks, per_chunk):
            ids = block_ids[start : start + per_chunk]
            per_warp = np.zeros((len(kernel.program), ids.size * (tpb // 32)), dtype=np.int32)
            st = ChunkState(
                kernel,
                memory,
                report,
                b,
                g,
                ids,
                shared_bytes,
                bytes(params),
                symbols,
                dynamic_shared_bytes,
            )
            try:
                st.first_touch = np.zeros(ids.size)
                st.block_sectors = np.zeros((2, ids.size))
                _run_chunk(st, kernel, warp_counts, thread_counts, limits, per_warp)
            finally:
                _fold_counts(kernel, counters, warp_counts, thread_counts)
                chunk = _block_profile(kernel, costs, ids, per_warp)
                if st.first_touch is not None and st.block_sectors is not None:
                    chunk.first_touch[:] = st.first_touch
                    chunk.sectors[:] = st.block_sectors.sum(axis=0)
                    chunk.store_sectors[:] = st.block_sectors[1]
                profile = profile.extend(chunk)
                warp_counts[:] = 0
                thread_counts[:] = 0
            if counters.total_warp_instructions > limits.max_warp_instructions:
                raise PtxFault(
                    f"the launch ran more than {limits.max_warp_instructions} warp instructions "
                    "(the emulator's cap): the kernel may loop forever, or the configuration is "
                    "too large to emulate",
                    findings=report.findings,
                    counters=counters,
                )
    counters.global_footprint_bytes = int(report.touched.sum()) * 32
    counters.profile = profile
    return LaunchResult(
        counters=counters,
        findings=list(report.findings),
        findings_dropped=report.dropped,
        wall_s=time.perf_counter() - t0,
        notes=list(report.notes),
        printed="".join(report.printed),
        printed_dropped=report.printed_dropped,
    )


def _fold_counts(
    kernel: Kernel, counters: Counters, warps: np.ndarray, threads: np.ndarray
) -> None:
    ops: list[Op] = kernel.program
    for i in np.flatnonzero(warps):
        counters.add_warp(ops[i].klass, int(warps[i]))
        where = ops[i].ins.source or f"ptx:{ops[i].ins.line}"
        counters.by_source[where] = counters.by_source.get(where, 0) + int(warps[i])
        counters.thread_instructions += int(threads[i])
        counters.flops += int(threads[i]) * ops[i].flops


class _Scheduler:
    """Where the threads of a chunk are, beyond the program counter of the running group.

    `pcs` per thread: an instruction index, DONE (exited, or padding of a partial warp),
    PARKED (at a bar.sync, waiting for the rest of its block; `parked_at` says which) or
    HELD (its warp is suspended for fairness; `saved` keeps its pc). The running group's
    entries are stale while it runs: the loop writes them back whenever it reschedules."""

    def __init__(self, st: ChunkState, end: int) -> None:
        self.st = st
        self.end = end
        self.parked = end + 1
        self.held = end + 2
        self.pcs = np.where(st.live, 0, end).astype(np.int64)
        self.parked_at = np.full(st.n, -1, dtype=np.int64)
        self.saved = np.zeros(st.n, dtype=np.int64)
        self.suspended = np.zeros(st.nwarps, dtype=bool)  # warps held for fairness
        self.n_parked = 0
        self.n_held = 0
        self.some_exited = False

    # ------------------------------------------------------------ barriers

    def set_pc(self, threads: np.ndarray, pc: int) -> None:
        """Move `threads` to `pc`; those of suspended warps stay held, to resume there."""
        if self.n_held:
            held = threads & np.repeat(self.suspended, 32)
            if held.any():
                self.saved[held] = pc
                self.pcs[held] = self.held
                self.n_held += int(held.sum())
                threads = threads & ~held
        self.pcs[threads] = pc

    def complete(self, op: Op, pc: int, threads: np.ndarray | None, blocks: np.ndarray) -> None:
        """The bar.sync at `pc` completes for `blocks` (`threads`: every thread there, None
        for the whole chunk): bar.red's reduction, the race shadows, the counters."""
        st = self.st
        if op.fn is not None:
            eff = threads
            if op.guard is not None:
                gv = st.regs[op.guard]
                gv = ~gv if op.negated else gv
                eff = gv if threads is None else threads & gv
            op.fn(st, eff)
        st.reset_shadow(None if blocks.all() else blocks)
        st.report.counters.barriers += int(blocks.sum())
        if self.some_exited:
            real = st.thread_linear < st.threads_per_block
            gone = (real & ~st.live).reshape(st.nblocks, st.tpb).any(axis=1) & blocks
            if gone.any():
                blk = int(np.argmax(gone))
                st.note(
                    "early-exit-barrier",
                    "threads of the block returned before this bar.sync, which the rest of "
                    "the block reached: sm_70 and later GPUs release the barrier without "
                    "them (earlier GPUs can hang)",
                    op.ins,
                    blk * st.tpb,
                )

    def arrive(self, ops: list[Op], pc: int, at_bar: np.ndarray, full: bool) -> bool:
        """Threads `at_bar` reach the bar.sync at `pc`. Returns True when they all go on
        (the barrier completed for each of their blocks) without parking anyone or waking
        a parked thread, so the running group simply continues at pc + 1."""
        st = self.st
        nb, tpb = st.nblocks, st.tpb
        op = ops[pc]
        arrived: np.ndarray = np.asarray(at_bar.reshape(nb, tpb).any(axis=1))
        if not self.n_parked and not self.n_held:
            # blocks with no thread here are elsewhere (e.g. fewer loop trips): not involved
            elsewhere = (st.live & ~at_bar).reshape(nb, tpb).any(axis=1) & arrived
            if not elsewhere.any():
                self.complete(op, pc, None if full else at_bar, arrived)
                return True
            waiting = np.zeros(st.n, dtype=bool)
        else:
            parked = self.pcs == self.parked
            waiting = parked & (self.parked_at == pc)
            other = (parked & ~waiting).reshape(nb, tpb).any(axis=1) & arrived
            if other.any():
                self.divergence(ops, pc, int(np.argmax(other)))
            elsewhere = (st.live & ~parked & ~at_bar).reshape(nb, tpb).any(axis=1) & arrived
        done = arrived & ~elsewhere
        stay = at_bar & np.repeat(elsewhere, tpb)
        if stay.any():  # the rest of their block is still running: wait for it
            self.pcs[stay] = self.parked
            self.parked_at[stay] = pc
            self.n_parked += int(stay.sum())
        if done.any():
            go = at_bar & np.repeat(done, tpb)
            woken = waiting & np.repeat(done, tpb)
            self.complete(op, pc, go | woken, done)
            self.pcs[go] = pc + 1
            if woken.any():
                self.wake(woken, pc + 1)
        return False

    def wake(self, threads: np.ndarray, pc: int) -> None:
        self.parked_at[threads] = -1
        self.n_parked -= int(threads.sum())
        self.set_pc(threads, pc)

    def release(self, ops: list[Op]) -> None:
        """Complete the barriers whose blocks have no live thread left outside them (the
        others exited)."""
        st = self.st
        nb, tpb = st.nblocks, st.tpb
        parked = self.pcs == self.parked
        free = ~(st.live & ~parked).reshape(nb, tpb).any(axis=1)
        ready = parked.reshape(nb, tpb).any(axis=1) & free
        if not ready.any():
            return
        at = np.where(parked, self.parked_at, -1).reshape(nb, tpb)
        lo = np.where(at >= 0, at, np.iinfo(np.int64).max).min(axis=1)
        mixed = ready & (at.max(axis=1) != lo)
        if mixed.any():
            blk = int(np.argmax(mixed))
            self.divergence(ops, int(lo[blk]), blk)
        for pc in np.unique(lo[ready]).tolist():
            blocks = ready & (lo == pc)
            threads = parked & np.repeat(blocks, tpb)
            self.complete(ops[pc], pc, threads, blocks)
            self.wake(threads, pc + 1)

    def divergence(self, ops: list[Op], pc: int, blk: int) -> None:
        """Block `blk` has live threads at two different barriers: a barrier they skip."""
        st = self.st
        parked = (self.pcs == self.parked).reshape(st.nblocks, st.tpb)[blk]
        where = self.parked_at.reshape(st.nblocks, st.tpb)[blk]
        other = np.flatnonzero(parked & (where != pc))
        thread = int(other[0]) if other.size else 0
        at = ops[int(where[thread])].ins if other.size else ops[pc].ins
        line = at.source or f"ptx line {at.line}"
        raise st.fault(
            "barrier-divergence",
            "bar.sync reached by only part of the block (other live threads wait at the "
            f"barrier at {line})",
            ops[pc].ins,
            int(blk * st.tpb + thread),
        )

    # ------------------------------------------------------------ fairness

    def suspend(self, group: np.ndarray) -> bool:
        """The running `group` has run a quantum while other threads waited: hold every
        warp it has a thread in, so that other warps (e.g. a lock holder) run. Whole warps
        are held, so the threads of a warp stay in lockstep. When no other warp can run,
        the warps held so far resume instead. Returns whether anything changed."""
        warps = group.reshape(-1, 32).any(axis=1)
        runnable = (self.pcs < self.end).reshape(-1, 32).any(axis=1)
        if not (runnable & ~warps & ~self.suspended).any():
            changed = self.n_held > 0
            self.resume()
            return changed
        hold = np.repeat(warps, 32) & (self.pcs < self.end)
        hold |= group  # the running group's pcs are stale; the caller wrote them back
        self.suspended |= warps
        self.saved[hold] = self.pcs[hold]
        self.pcs[hold] = self.held
        self.n_held += int(hold.sum())
        return True

    def resume(self) -> None:
        if self.n_held:
            held = self.pcs == self.held
            self.pcs[held] = self.saved[held]
            self.n_held = 0
        self.suspended[:] = False


QUANTUM = 512  # steps one group runs while others wait before its warps are held


def _path_costs(kernel: Kernel, machine: GpuSpec) -> PathCosts:
    cache: dict[str, PathCosts] = kernel.__dict__.setdefault("_path_costs", {})
    if machine.name not in cache:
        cache[machine.name] = path_costs(kernel.program, machine)
    return cache[machine.name]


def _block_profile(
    kernel: Kernel, costs: PathCosts, ids: np.ndarray, per_warp: np.ndarray
) -> BlockProfile:
    """Fold one chunk's instruction counts per (instruction, warp) into per-block figures."""
    nb = int(ids.size)
    wpb = per_warp.shape[1] // max(nb, 1)
    column = {k: i for i, k in enumerate(CLASSES)}
    onehot = np.zeros((len(CLASSES), per_warp.shape[0]), dtype=np.int64)
    for pc, op in enumerate(kernel.program):
        onehot[column.get(op.klass, column["other"]), pc] = 1
    counts = per_warp.astype(np.int64)
    by_class = (onehot @ counts).T.reshape(nb, wpb, len(CLASSES)).sum(axis=1)
    dram = (costs.dram @ counts).reshape(nb, wpb)
    hit = (costs.hit @ counts).reshape(nb, wpb)
    slowest = np.argmax(dram, axis=1)
    rows = np.arange(nb)
    z = [np.zeros(nb) for _ in range(3)]  # first touches and sectors, filled by the caller
    return BlockProfile(ids.copy(), by_class, dram[rows, slowest], hit[rows, slowest], *z)


def _run_chunk(
    st: ChunkState,
    kernel: Kernel,
    warp_counts: np.ndarray,
    thread_counts: np.ndarray,
    limits: EmuLimits,
    per_warp: np.ndarray,
) -> None:
    ops: list[Op] = kernel.program
    end = len(ops)
    n = st.n
    sched = _Scheduler(st, end)
    pcs = sched.pcs

    warps_at = np.ones(n // 32, dtype=np.int32)

    def schedule() -> tuple[int, np.ndarray | None, int, int, int]:
        nonlocal warps_at
        cur = int(pcs.min())
        if cur >= end:
            return end, None, end, 0, 0
        mask = pcs == cur
        others = int(np.where(mask, end, pcs).min())
        nt = int(mask.sum())
        warps_at = mask.reshape(-1, 32).any(axis=1).astype(np.int32)
        nw = int(warps_at.sum())
        return cur, (None if nt == n else mask), others, nw, nt

    cur, mask, wait, nw, nt = schedule()
    steps = 0
    max_steps = limits.max_steps_per_chunk
    fair_at = QUANTUM  # the step at which a group that keeps others waiting is suspended
    check_at = min(fair_at, max_steps)
    while True:
        if cur >= end:  # nothing can run: resume held warps, or release barriers
            if sched.n_held:
                sched.resume()
            elif sched.n_parked:
                sched.release(ops)
                if sched.n_parked and int(pcs.min()) >= end:
                    blk = int(np.argmax((pcs == sched.parked).reshape(st.nblocks, -1).any(1)))
                    first = int(sched.parked_at.reshape(st.nblocks, -1)[blk].max())
                    sched.divergence(ops, first, blk)
            else:
                break
            cur, mask, wait, nw, nt = schedule()
            fair_at = steps + QUANTUM
            check_at = min(fair_at, max_steps)
            continue
        if cur >= wait:  # reached threads that were waiting further on: merge
            if mask is None:
                pcs[:] = cur
            else:
                pcs[mask] = cur
            cur, mask, wait, nw, nt = schedule()
            continue
        op = ops[cur]
        steps += 1
        st.clock = steps
        if steps > check_at:
            if steps > max_steps:
                raise st.fault(
                    "step-limit",
                    f"more than {max_steps} instructions in one chunk of blocks; "
                    "the kernel may loop forever",
                    op.ins,
                    int(np.flatnonzero(st.live)[0]) if st.live.any() else 0,
                )
            fair_at = steps + QUANTUM
            check_at = min(fair_at, max_steps)
            if wait < end and mask is not None:  # others have waited a whole quantum
                pcs[mask] = cur
                if sched.suspend(mask):
                    steps -= 1
                    cur, mask, wait, nw, nt = schedule()
                    continue
        warp_counts[cur] += nw
        thread_counts[cur] += nt
        per_warp[cur] += warps_at
        eff = mask
        if op.guard is not None:
            gv = st.regs[op.guard]
            if op.negated:
                gv = ~gv
            eff = gv if mask is None else (mask & gv)
        kind = op.kind
        if kind == "op":
            if eff is None or eff is mask or eff.any():
                assert op.fn is not None
                op.fn(st, eff)
            cur += 1
            continue
        if kind == "bra":
            if op.guard is None:
                cur = op.target
                continue
            assert eff is not None
            taken_n = int(eff.sum())
            if taken_n == nt:
                cur = op.target
            elif taken_n == 0:
                cur += 1
            else:
                act = st.live if mask is None else mask
                pcs[act] = cur + 1
                pcs[eff] = op.target
                cur, mask, wait, nw, nt = schedule()
            continue
        if kind == "exit":
            act = st.live if mask is None else mask
            leaving = act if eff is None else eff
            pcs[act] = cur + 1
            pcs[leaving] = end
            st.live = st.live & ~leaving
            sched.some_exited = True
            if sched.n_parked:
                sched.release(ops)
            cur, mask, wait, nw, nt = schedule()
            continue
        if kind == "bar":
            at_bar = st.live if mask is None else mask
            if sched.arrive(ops, cur, at_bar, mask is None):
                cur += 1
            else:
                cur, mask, wait, nw, nt = schedule()
            continue
        if kind == "trap":
            act = st.live if eff is None else eff
            if eff is None or eff.any():
                raise st.fault(
                    "trap", "the kernel executed trap", op.ins, int(np.flatnonzero(act)[0])
                )
            cur += 1
            continue
        cur += 1
