"""Loads and stores of the active threads to global, shared, local and generic addresses,
with bounds and alignment checks (faults), the shared-memory sanitizer (races between
barriers, uninitialised reads, unwaited cp.async) and the memory counters."""

from __future__ import annotations

import numpy as np

from isa.nvidia.ptx.memory import GLOBAL_BASE
from isa.nvidia.ptx.module import Instruction
from isa.nvidia.ptx.state import LOCAL_WINDOW, SHARED_WINDOW, WINDOW_SIZE, ChunkState

UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def _gather(buf: np.ndarray, flat: np.ndarray, esize: int, nvec: int) -> list[np.ndarray]:
    view = buf.view(UINT[esize])
    words = flat // esize
    return [view[words + k] for k in range(nvec)]


def _scatter(buf: np.ndarray, flat: np.ndarray, esize: int, values: list[np.ndarray]) -> None:
    view = buf.view(UINT[esize])
    words = flat // esize
    for k, v in enumerate(values):
        view[words + k] = (
            np.asarray(v).view(UINT[esize])
            if np.asarray(v).dtype.itemsize == esize
            else np.asarray(v).astype(UINT[esize])
        )


def _check_align(
    st: ChunkState, addr: np.ndarray, total: int, idx: np.ndarray, ins: Instruction
) -> None:
    align = total if total in (1, 2, 4, 8, 16) else 4
    bad = (addr & np.uint64(align - 1)) != 0
    if bad.any():
        k = int(np.argmax(bad))
        raise st.fault(
            "misaligned",
            f"misaligned {total}-byte access at address {int(addr[k]):#x}",
            ins,
            int(idx[k]),
        )


# ---------------------------------------------------------------- counters


def _distinct(values: np.ndarray) -> int:
    """How many distinct values (np.unique's size, without building the array)."""
    if values.size == 0:
        return 0
    v = np.sort(values)
    return 1 + int(np.count_nonzero(v[1:] != v[:-1]))


def count_global(
    st: ChunkState, idx: np.ndarray, addr: np.ndarray, total: int, store: bool
) -> None:
    c = st.report.counters
    first = (addr >> np.uint64(5)).astype(np.int64)
    touched = st.report.touched
    if touched is not None:
        sec = first - (GLOBAL_BASE >> 5)
        inside = (sec >= 0) & (sec < touched.size)
        first_touch = st.first_touch
        if first_touch is not None:  # sectors this access is the first to touch, per block
            fresh = inside.copy()
            fresh[inside] = ~touched[sec[inside]]
            if fresh.any():
                blk = st.blk[idx[fresh]]
                pairs = np.unique(blk * (touched.size + 1) + sec[fresh])
                np.add.at(first_touch, pairs // (touched.size + 1), 1)
        touched[sec[inside]] = True
    if idx.size == st.n and total <= 32:
        rows = first.reshape(-1, 32)
        if total > 1:
            last = ((addr + np.uint64(total - 1)) >> np.uint64(5)).astype(np.int64)
            rows = np.concatenate([rows, last.reshape(-1, 32)], axis=1)
        rows = np.sort(rows, axis=1)
        per_row = 1 + (rows[:, 1:] != rows[:, :-1]).sum(axis=1)
        nsec = int(per_row.sum())
        if st.block_sectors is not None:
            st.block_sectors[int(store)] += per_row.reshape(st.nblocks, -1).sum(axis=1)
        if store:
            c.global_store_requests += st.nwarps
            c.global_store_sectors += nsec
            c.global_store_bytes += st.n * total
        else:
            c.global_load_requests += st.nwarps
            c.global_load_sectors += nsec
            c.global_load_bytes += st.n * total
        return
    warps = st.gwarp[idx]
    last = ((addr + np.uint64(total - 1)) >> np.uint64(5)).astype(np.int64)
    base = int(first.min()) if first.size else 0
    keys = warps * (1 << 34) + (first - base)
    span = last != first
    if span.any():
        keys = np.concatenate([keys, warps[span] * (1 << 34) + (last[span] - base)])
    if st.block_sectors is not None:
        distinct = np.unique(keys)
        nsec = int(distinct.size)
        np.add.at(st.block_sectors[int(store)], (distinct >> 34) // (st.tpb // 32), 1)
    else:
        nsec = _distinct(keys)
    nreq = _distinct(warps) if idx.size != st.n else st.nwarps
    if store:
        c.global_store_requests += nreq
        c.global_store_sectors += nsec
        c.global_store_bytes += int(idx.size) * total
    else:
        c.global_load_requests += nreq
        c.global_load_sectors += nsec
        c.global_load_bytes += int(idx.size) * total


def count_shared(st: ChunkState, idx: np.ndarray, off: np.ndarray, total: int, store: bool) -> None:
    """Wavefronts per warp: a 16-byte access is served a quarter-warp at a time, an 8-byte
    access a half-warp at a time; within a phase, distinct 4-byte words in one bank
    serialise and equal words broadcast."""
    c = st.report.counters
    nwords = max(total // 4, 1)
    if idx.size == st.n:
        nreq = st.nwarps
        # the same pattern recurs (unrolled loops re-read the same tile): remember it
        pattern = (total, hash(off.tobytes()))
        cached = st.report.bank_cache.get(pattern)
        if cached is None:
            words_full = (off >> np.uint64(2)).astype(np.int64)
            if nwords > 1:
                words_full = (words_full[:, None] + np.arange(nwords)[None, :]).reshape(-1)
            rows = np.sort(words_full.reshape(-1, 32), axis=1)
            distinct = np.ones(rows.shape, dtype=bool)
            distinct[:, 1:] = rows[:, 1:] != rows[:, :-1]
            keys = (np.arange(rows.shape[0])[:, None] * 32 + rows % 32)[distinct]
            per_bank = np.bincount(keys, minlength=rows.shape[0] * 32).reshape(-1, 32)
            cached = (int(per_bank.max(axis=1).sum()), rows.shape[0])
            if len(st.report.bank_cache) < 4096:
                st.report.bank_cache[pattern] = cached
        wave, phases = cached
        c.shared_wavefronts += wave
        c.shared_bank_conflicts += wave - phases
        if store:
            c.shared_store_requests += nreq
        else:
            c.shared_load_requests += nreq
        return
    warps = st.gwarp[idx]
    lanes = st.lane[idx].astype(np.int64)
    per_phase = 32 // nwords if nwords > 1 else 32
    phase = lanes // per_phase
    group = warps * 4 + phase
    word0 = (off >> np.uint64(2)).astype(np.int64)
    if nwords > 1:
        words = (word0[:, None] + np.arange(nwords)[None, :]).reshape(-1)
        group = np.repeat(group, nwords)
    else:
        words = word0
    # distinct (group, word) pairs, then the largest count of words in one bank per group
    key = np.unique(group * (1 << 24) + (words & 0xFFFFFF))
    g = key >> 24
    bank = (key & 0xFFFFFF) % 32
    gb = np.unique(g * 32 + bank, return_counts=True)
    grp = gb[0] // 32
    # max count per group
    order = np.lexsort((-gb[1], grp))
    grp_sorted = grp[order]
    first = np.ones(grp_sorted.size, dtype=bool)
    first[1:] = grp_sorted[1:] != grp_sorted[:-1]
    wave = int(gb[1][order][first].sum())
    ngroups = int(first.sum())
    c.shared_wavefronts += wave
    c.shared_bank_conflicts += wave - ngroups
    nreq = int(np.unique(warps).size) if idx.size != st.n else st.nwarps
    if store:
        c.shared_store_requests += nreq
    else:
        c.shared_load_requests += nreq


# ---------------------------------------------------------------- shared sanitizer


def _shared_bytes(flat: np.ndarray, total: int) -> np.ndarray:
    return (flat[:, None] + np.arange(total)[None, :]).reshape(-1)


def _check_shared_read(
    st: ChunkState, idx: np.ndarray, flat: np.ndarray, total: int, ins: Instruction
) -> None:
    # reads of whole words are checked on the first byte of each word (writes mark every byte)
    step = 4 if total >= 4 else 1
    b = (flat[:, None] + np.arange(0, total, step)[None, :]).reshape(-1) if total > step else flat
    thread = np.repeat(idx, total // step) if total > step else idx
    warp = st.gwarp[thread].astype(np.int32)
    init = st.sh_init[b]
    if not init.all():
        k = int(np.argmin(init))
        st.finding(
            "uninit-shared",
            f"read of uninitialised shared memory at offset {int(b[k]) % max(st.shared_size, 1)}",
            ins,
            int(thread[k]),
        )
    pend = st.sh_pending[b] if st.cp_async_used else None
    if pend is not None and pend.any():
        k = int(np.argmax(pend))
        st.finding(
            "pending-cp-async",
            "read of shared memory written by a cp.async that was not yet waited for",
            ins,
            int(thread[k]),
        )
    w = st.sh_writer[b]
    raw = (w >= 0) & (w != warp)
    if raw.any():
        k = int(np.argmax(raw))
        st.finding(
            "race-raw",
            f"shared-memory race: read of offset {int(b[k]) % max(st.shared_size, 1)} written by "
            f"warp {int(w[k]) % (st.tpb // 32)} of the same block with no barrier in between",
            ins,
            int(thread[k]),
        )
    r = st.sh_reader[b]
    new = np.where((r == -1) | (r == warp), warp, -2).astype(np.int32)
    st.sh_reader[b] = new
    back = st.sh_reader[b]
    clash = back != new
    if clash.any():
        st.sh_reader[b[clash]] = -2
    st.shadow_dirty = True


def _check_shared_write(
    st: ChunkState,
    idx: np.ndarray,
    flat: np.ndarray,
    total: int,
    ins: Instruction,
    values: np.ndarray | None,
) -> None:
    b = _shared_bytes(flat, total)
    thread = np.repeat(idx, total)
    warp = st.gwarp[thread].astype(np.int32)
    w = st.sh_writer[b]
    waw = (w >= 0) & (w != warp)
    if waw.any():
        k = int(np.argmax(waw))
        st.finding(
            "race-waw",
            f"shared-memory race: write of offset {int(b[k]) % max(st.shared_size, 1)} "
            f"also written by warp {int(w[k]) % (st.tpb // 32)} of the same block "
            "with no barrier in between",
            ins,
            int(thread[k]),
        )
    r = st.sh_reader[b]
    war = (r == -2) | ((r >= 0) & (r != warp))
    if war.any():
        k = int(np.argmax(war))
        st.finding(
            "race-war",
            f"shared-memory race: write of offset {int(b[k]) % max(st.shared_size, 1)} read by "
            "another warp of the same block with no barrier in between",
            ins,
            int(thread[k]),
        )
    st.sh_writer[b] = warp
    if values is not None:
        back = st.sh_writer[b]
        clash = back != warp
        if clash.any():
            # several warps wrote the same bytes in one instruction: a race if values differ
            vb = values.reshape(-1)
            got = st.shared[b[clash]]
            differ = got != vb[clash]
            if differ.any():
                k = int(np.flatnonzero(clash)[int(np.argmax(differ))])
                st.finding(
                    "race-waw",
                    f"shared-memory race: warps of one block write different values to offset "
                    f"{int(b[k]) % max(st.shared_size, 1)} in the same instruction",
                    ins,
                    int(thread[k]),
                )
    st.sh_init[b] = True
    st.shadow_dirty = True


# ---------------------------------------------------------------- address spaces


def _shared_flat(
    st: ChunkState, idx: np.ndarray, off: np.ndarray, total: int, ins: Instruction
) -> np.ndarray:
    bad = (off + np.uint64(total)) > np.uint64(st.shared_size)
    if bad.any():
        k = int(np.argmax(bad))
        raise st.fault(
            "oob-shared",
            f"out-of-bounds shared-memory access at offset {int(off[k])} ({total} bytes; the "
            f"block has {st.shared_size} bytes of shared memory)",
            ins,
            int(idx[k]),
        )
    return st.blk[idx] * max(st.shared_size, 1) + off.astype(np.int64)


def _local_flat(
    st: ChunkState, idx: np.ndarray, off: np.ndarray, total: int, ins: Instruction
) -> np.ndarray:
    bad = (off + np.uint64(total)) > np.uint64(st.local_size)
    if bad.any():
        k = int(np.argmax(bad))
        raise st.fault(
            "oob-local",
            f"out-of-bounds local-memory access at offset {int(off[k])} ({total} bytes; each "
            f"thread has {st.local_size} bytes of local memory)",
            ins,
            int(idx[k]),
        )
    return idx.astype(np.int64) * max(st.local_size, 16) + off.astype(np.int64)


def _global_off(
    st: ChunkState, idx: np.ndarray, addr: np.ndarray, total: int, ins: Instruction, what: str
) -> np.ndarray:
    ok, frozen = st.mem.check(addr, total)
    if not ok.all():
        k = int(np.argmin(ok))
        a = int(addr[k])
        near = st.mem.nearest(a)
        if near is not None and a >= near.end:
            where = f"{a - near.end} bytes past the end of '{near.name}' ({near.nbytes} bytes)"
        elif near is not None and a < near.end:
            where = f"straddling the end of '{near.name}' ({near.nbytes} bytes)"
        else:
            where = "outside every allocation"
        raise st.fault(
            "oob-global",
            f"out-of-bounds global {what} of {total} bytes at address {a:#x}, {where}",
            ins,
            int(idx[k]),
        )
    # Inputs are read-only: a kernel may not use them as scratch, even if it restores them.
    if what != "load" and frozen is not None and frozen.any():
        k = int(np.argmax(frozen))
        near = st.mem.find(int(addr[k]))
        name = near.name if near is not None else "an input"
        raise st.fault(
            "input-write",
            f"global {what} to the input '{name}', which is read-only",
            ins,
            int(idx[k]),
        )
    return (addr - np.uint64(GLOBAL_BASE)).astype(np.int64)


def split_generic(addr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the generic addresses that fall in the shared and local windows."""
    sh = (addr >= np.uint64(SHARED_WINDOW)) & (addr < np.uint64(SHARED_WINDOW + WINDOW_SIZE))
    lo = (addr >= np.uint64(LOCAL_WINDOW)) & (addr < np.uint64(LOCAL_WINDOW + WINDOW_SIZE))
    return sh, lo


def load(
    st: ChunkState,
    space: str,
    idx: np.ndarray,
    addr: np.ndarray,
    esize: int,
    nvec: int,
    ins: Instruction,
) -> list[np.ndarray]:
    total = esize * nvec
    addr = addr.astype(np.uint64, copy=False)
    if space == "generic":
        sh, lo = split_generic(addr)
        if not sh.any() and not lo.any():
            space = "global"
        else:
            out = [np.zeros(idx.size, dtype=UINT[esize]) for _ in range(nvec)]
            for sel, sp, base in (
                (sh, "shared", SHARED_WINDOW),
                (lo, "local", LOCAL_WINDOW),
                (~(sh | lo), "global", 0),
            ):
                if sel.any():
                    vals = load(st, sp, idx[sel], addr[sel] - np.uint64(base), esize, nvec, ins)
                    for k in range(nvec):
                        out[k][sel] = vals[k]
            return out
    _check_align(st, addr, total, idx, ins)
    if space in ("global", "const"):
        off = _global_off(st, idx, addr, total, ins, "load")
        count_global(st, idx, addr, total, store=False)
        return _gather(st.mem.data, off, esize, nvec)
    if space == "shared":
        flat = _shared_flat(st, idx, addr, total, ins)
        count_shared(st, idx, addr, total, store=False)
        _check_shared_read(st, idx, flat, total, ins)
        return _gather(st.shared, flat, esize, nvec)
    if space == "local":
        flat = _local_flat(st, idx, addr, total, ins)
        return _gather(st.local, flat, esize, nvec)
    raise st.fault("bad-space", f"cannot load from the .{space} state space", ins, int(idx[0]))


def store(
    st: ChunkState,
    space: str,
    idx: np.ndarray,
    addr: np.ndarray,
    esize: int,
    values: list[np.ndarray],
    ins: Instruction,
) -> None:
    nvec = len(values)
    total = esize * nvec
    addr = addr.astype(np.uint64, copy=False)
    if space == "generic":
        sh, lo = split_generic(addr)
        if not sh.any() and not lo.any():
            space = "global"
        else:
            for sel, sp, base in (
                (sh, "shared", SHARED_WINDOW),
                (lo, "local", LOCAL_WINDOW),
                (~(sh | lo), "global", 0),
            ):
                if sel.any():
                    store(
                        st,
                        sp,
                        idx[sel],
                        addr[sel] - np.uint64(base),
                        esize,
                        [v[sel] for v in values],
                        ins,
                    )
            return
    _check_align(st, addr, total, idx, ins)
    vals = [
        np.asarray(v).astype(UINT[esize])
        if np.asarray(v).dtype.itemsize != esize
        else np.asarray(v).view(UINT[esize])
        for v in values
    ]
    if space == "global":
        off = _global_off(st, idx, addr, total, ins, "store")
        count_global(st, idx, addr, total, store=True)
        _scatter(st.mem.data, off, esize, vals)
        return
    if space == "shared":
        flat = _shared_flat(st, idx, addr, total, ins)
        count_shared(st, idx, addr, total, store=True)
        raw = np.stack([v.view(np.uint8).reshape(-1, esize) for v in vals], axis=1).reshape(
            idx.size, total
        )
        _scatter(st.shared, flat, esize, vals)
        _check_shared_write(st, idx, flat, total, ins, raw)
        return
    if space == "local":
        flat = _local_flat(st, idx, addr, total, ins)
        _scatter(st.local, flat, esize, vals)
        return
    raise st.fault("bad-space", f"cannot store to the .{space} state space", ins, int(idx[0]))


def shared_target(
    st: ChunkState, idx: np.ndarray, addr: np.ndarray, total: int, ins: Instruction
) -> np.ndarray:
    """Flat shared indices for a cp.async / ldmatrix destination or source (bounds-checked)."""
    addr = addr.astype(np.uint64, copy=False)
    sh, _ = split_generic(addr)
    addr = np.where(sh, addr - np.uint64(SHARED_WINDOW), addr)
    _check_align(st, addr, total, idx, ins)
    return _shared_flat(st, idx, addr, total, ins)


def global_offsets(
    st: ChunkState, idx: np.ndarray, addr: np.ndarray, total: int, ins: Instruction
) -> np.ndarray:
    addr = addr.astype(np.uint64, copy=False)
    return _global_off(st, idx, addr, total, ins, "load")


def shared_read_check(
    st: ChunkState, idx: np.ndarray, flat: np.ndarray, total: int, ins: Instruction
) -> None:
    _check_shared_read(st, idx, flat, total, ins)


def shared_write_mark(
    st: ChunkState, idx: np.ndarray, flat: np.ndarray, total: int, ins: Instruction
) -> None:
    _check_shared_write(st, idx, flat, total, ins, None)
