"""The `call`s the emulator runs: a device `assert()` (`__assertfail`: the launch fails with
the assertion, its function and source line) and `printf` (`vprintf`: formatted per thread,
in thread order, into a capped buffer the launch returns). Any other call is a load error
that names the function: the emulator has no call stack for device functions nvcc did not
inline.

A call's argument and result slots (`.param` declared in the body) are per-thread slots in
local memory (see `module._declare_call_param`); nvcc stores the arguments with `st.param`
before the call and reads a result with `ld.param` after it."""

from __future__ import annotations

import dataclasses
import re
import struct
from collections.abc import Callable

import numpy as np

from isa.nvidia.ptx.errors import PtxError
from isa.nvidia.ptx.memory import GLOBAL_BASE
from isa.nvidia.ptx.module import Instruction, Sym, Variable, Vec
from isa.nvidia.ptx.operands import Ctx
from isa.nvidia.ptx.state import LOCAL_WINDOW, SHARED_WINDOW, WINDOW_SIZE, ChunkState

Fn = Callable[[ChunkState, "np.ndarray | None"], None]

MAX_STRING = 1024  # longest C string a format, %s argument or assert message is read to
SUPPORTED = ("__assertfail", "vprintf")


def build_call(ins: Instruction, ctx: Ctx) -> Fn:
    ops = ins.operands
    if len(ops) < 3 or not isinstance(ops[0], Sym) or (len(ops) > 3 and "%" not in ops[0].name):
        raise PtxError(
            f"unsupported call '{ins.text}': the emulator runs only direct calls of "
            f"{' and '.join(SUPPORTED)} (assert and printf)",
            ins.line,
        )
    func = ops[0].name
    if func.startswith("%"):
        raise PtxError(
            f"the kernel calls through the register {func} (a function pointer or a virtual "
            "function), which the emulator cannot run",
            ins.line,
        )
    if func not in SUPPORTED:
        raise PtxError(
            f"the kernel calls the device function '{func}', which the emulator cannot run "
            f"(it runs only {' and '.join(SUPPORTED)}, for assert and printf): let nvcc "
            "inline it (__forceinline__, no __noinline__, no recursion)",
            ins.line,
        )
    args = _slots(ops[1], ctx, ins)
    rets = _slots(ops[2], ctx, ins)
    if func == "__assertfail":
        if len(args) != 5:
            raise PtxError("__assertfail takes 5 arguments", ins.line)
        return _assertfail(ins, args)
    if len(args) != 2:
        raise PtxError("vprintf takes 2 arguments", ins.line)
    return _vprintf(ins, args, rets[0] if rets else None)


def _slots(vec: object, ctx: Ctx, ins: Instruction) -> list[Variable]:
    assert isinstance(vec, Vec)
    out = []
    for item in vec.items:
        assert isinstance(item, Sym)
        var = ctx.kernel.local.get(item.name)
        if var is None or var.space != "param":
            raise PtxError(f"call argument '{item.name}' is not a declared .param", ins.line)
        out.append(var)
    return out


def _slot(st: ChunkState, var: Variable, threads: np.ndarray, fmt: str) -> np.ndarray:
    """The value of a call slot for each of `threads` (`fmt` a NumPy dtype string)."""
    size = np.dtype(fmt).itemsize
    base = threads.astype(np.int64) * max(st.local_size, 16) + var.offset
    raw = st.local[base[:, None] + np.arange(size)]
    return raw.reshape(-1).view(fmt)


def _write_slot(st: ChunkState, var: Variable, threads: np.ndarray, value: int) -> None:
    base = threads.astype(np.int64) * max(st.local_size, 16) + var.offset
    data = np.frombuffer(int(value).to_bytes(var.size, "little", signed=False), dtype=np.uint8)
    st.local[base[:, None] + np.arange(var.size)] = data


def read_bytes(st: ChunkState, thread: int, addr: int, count: int) -> bytes | None:
    """`count` bytes at generic address `addr` as thread `thread` sees it (fewer at the end
    of its allocation or window; None when `addr` is not in one)."""
    if addr >= GLOBAL_BASE:
        alloc = st.mem.find(addr)
        if alloc is None:
            return None
        n = min(count, alloc.end - addr)
        return st.mem.read(addr, n).tobytes()
    if LOCAL_WINDOW <= addr < LOCAL_WINDOW + WINDOW_SIZE:
        off = addr - LOCAL_WINDOW
        if off >= st.local_size:
            return None
        start = thread * max(st.local_size, 16) + off
        return st.local[start : start + min(count, st.local_size - off)].tobytes()
    if SHARED_WINDOW <= addr < SHARED_WINDOW + WINDOW_SIZE:
        off = addr - SHARED_WINDOW
        if off >= st.shared_size:
            return None
        start = int(st.blk[thread]) * max(st.shared_size, 1) + off
        return st.shared[start : start + min(count, st.shared_size - off)].tobytes()
    return None


def read_string(st: ChunkState, thread: int, addr: int) -> str | None:
    raw = read_bytes(st, thread, addr, MAX_STRING)
    if raw is None:
        return None
    return raw.split(b"\0", 1)[0].decode("utf-8", errors="replace")


def _assertfail(ins: Instruction, args: list[Variable]) -> Fn:
    msg_v, file_v, line_v, func_v, _ = args

    def assertfail(st: ChunkState, m: np.ndarray | None) -> None:
        threads = st.active(m if m is not None else st.live)
        if threads.size == 0:
            return
        t = threads[:1]
        thread = int(t[0])
        message = read_string(st, thread, int(_slot(st, msg_v, t, "<u8")[0])) or "?"
        path = read_string(st, thread, int(_slot(st, file_v, t, "<u8")[0])) or ""
        line = int(_slot(st, line_v, t, "<u4")[0])
        func = read_string(st, thread, int(_slot(st, func_v, t, "<u8")[0])) or "?"
        file = path.rsplit("/", 1)[-1]
        where = ins
        if ins.source is None and file:
            where = dataclasses.replace(ins, source=f"{file}:{line}", source_line=line)
        more = f" ({threads.size} threads failed it)" if threads.size > 1 else ""
        raise st.fault("assert", f"assertion `{message}` failed in {func}{more}", where, thread)

    return assertfail


# ---------------------------------------------------------------- printf

_SPEC = re.compile(
    r"%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|j|z|t|L)?([diouxXeEfFgGaAcspn%])"
)


def _vprintf(ins: Instruction, args: list[Variable], ret: Variable | None) -> Fn:
    fmt_v, buf_v = args

    def vprintf(st: ChunkState, m: np.ndarray | None) -> None:
        threads = st.active(m if m is not None else st.live)
        if threads.size == 0:
            return
        fmts = _slot(st, fmt_v, threads, "<u8")
        bufs = _slot(st, buf_v, threads, "<u8")
        rep = st.report
        cap = rep.limits.max_printf_bytes
        counts = np.zeros(threads.size, dtype=np.int64)
        for k, thread in enumerate(threads.tolist()):
            if rep.printed_bytes >= cap:
                rep.printed_dropped += threads.size - k
                break
            fmt = read_string(st, thread, int(fmts[k]))
            if fmt is None:
                raise st.fault(
                    "bad-printf", "printf's format string is not in device memory", ins, thread
                )
            text, counts[k] = format_printf(st, thread, fmt, int(bufs[k]))
            text = text[: cap - rep.printed_bytes]
            rep.printed.append(text)
            rep.printed_bytes += len(text)
        if ret is not None:
            for value in np.unique(counts).tolist():
                _write_slot(st, ret, threads[counts == value], value)

    return vprintf


def format_printf(st: ChunkState, thread: int, fmt: str, buf: int) -> tuple[str, int]:
    """`fmt` formatted with the arguments packed at `buf` (each aligned to its size, floats
    as doubles, as nvcc packs them). Returns the text and the number of arguments used."""
    out: list[str] = []
    pos = 0
    offset = 0
    used = 0

    def take(size: int) -> bytes:
        nonlocal offset, used
        offset = -(-offset // size) * size
        raw = read_bytes(st, thread, buf + offset, size) if buf else None
        offset += size
        used += 1
        return raw if raw is not None and len(raw) == size else b"\0" * size

    for spec in _SPEC.finditer(fmt):
        out.append(fmt[pos : spec.start()])
        pos = spec.end()
        flags, width, prec, length, conv = spec.groups()
        if conv == "%":
            out.append("%")
            continue
        if width == "*":
            width = str(struct.unpack("<i", take(4))[0])
        if prec == "*":
            prec = str(struct.unpack("<i", take(4))[0])
        head = "%" + flags + (width or "") + ("." + prec if prec is not None else "")
        if conv in "di":
            size = 8 if length in ("l", "ll", "j", "z", "t") else 4
            value = int.from_bytes(take(size), "little", signed=True)
            if length == "h":
                value = (value + (1 << 15)) % (1 << 16) - (1 << 15)
            elif length == "hh":
                value = (value + (1 << 7)) % (1 << 8) - (1 << 7)
            out.append((head + "d") % value)
        elif conv in "ouxX":
            size = 8 if length in ("l", "ll", "j", "z", "t") else 4
            value = int.from_bytes(take(size), "little")
            if length == "h":
                value &= 0xFFFF
            elif length == "hh":
                value &= 0xFF
            out.append((head + ("d" if conv == "u" else conv)) % value)
        elif conv in "eEfFgG":
            out.append((head + conv) % struct.unpack("<d", take(8))[0])
        elif conv in "aA":
            text = float.hex(struct.unpack("<d", take(8))[0])
            out.append(text.upper() if conv == "A" else text)
        elif conv == "c":
            out.append((head + "c") % chr(int.from_bytes(take(4), "little") & 0xFF))
        elif conv == "s":
            addr = int.from_bytes(take(8), "little")
            arg = read_string(st, thread, addr) if addr else "(null)"
            out.append((head + "s") % (arg if arg is not None else "(bad pointer)"))
        elif conv == "p":
            out.append(f"0x{int.from_bytes(take(8), 'little'):x}")
        else:  # %n writes nothing here
            take(8)
    out.append(fmt[pos:])
    return "".join(out), used
