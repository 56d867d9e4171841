"""Static checks of HIP candidates, on the source text (nothing is run). Always: the launch
plan is the only host side, so host launches, streams, device memory management and threads
are refused. Per task (its `forbid` list): the precision downgrades of an fp32 task (`fp16`:
__half / _Float16 / f16 MFMA; `bf16`: __hip_bfloat16 / bf16 MFMA; `tf32`: the xf32 MFMA)."""

from __future__ import annotations

import re

HOST_SIDE = (
    "no host code runs on this target: the launch plan launches every kernel, in order, "
    "on one stream"
)
_HOST = re.compile(
    r"<<<|\bhip(?:Stream|Launch|Graph|Event|Malloc|Memcpy|DeviceSynchronize|ModuleLaunch)\w*"
    r"|\bhipLaunchKernelGGL\b|\bstd::(?:thread|jthread|async)\b|\bpthread_\w+"
)
_PRECISION = {
    "fp16": re.compile(
        r"\b__half2?\b|\bhalf\b|\b_Float16\b|\b__fp16\b|\b__float2half\w*|\b__half2float\b"
        r"|\bhip_fp16\.h|\bmfma_\w*f16\b|\bf16\w*|\w+_f16\b"
    ),
    "bf16": re.compile(r"\b__hip_bfloat16\b|\bbfloat16\w*|\b__\w*bfloat16\w*|\b__bf16\b|bf16"),
    "tf32": re.compile(r"xf32|tf32"),
}


def _without_comments(source: str) -> str:
    """Comments blanked out, line numbers kept, so `//@` plans and notes are not read."""

    def blank(match: re.Match[str]) -> str:
        text = match.group(0)
        if text.startswith(("//", "/*")):
            return re.sub(r"[^\n]", " ", text)
        return text

    return re.sub(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"', blank, source, flags=re.S)


def hip_findings(source: str, forbidden: tuple[str, ...]) -> list[str]:
    code = _without_comments(source)
    wanted = {name.lower() for name in forbidden}
    banned = [(name, pattern) for name, pattern in _PRECISION.items() if name in wanted]
    findings = []
    for number, line in enumerate(code.splitlines(), start=1):
        if m := _HOST.search(line):
            findings.append(f"line {number}: '{m.group(0)}' is not allowed; {HOST_SIDE}")
        for name, pattern in banned:
            if m := pattern.search(line):
                findings.append(
                    f"line {number}: '{m.group(0)}' downgrades precision to {name}, which this "
                    "fp32 task forbids"
                )
    return findings
