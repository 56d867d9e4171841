"""Kernel files a person names on the command line or in `try`: read and written with one
sentence for every way it can go wrong (missing, a folder, binary, no permission)."""

from __future__ import annotations

from pathlib import Path


class FileProblem(ValueError):
    """A kernel file that cannot be read or written; the message is one sentence."""


def read_kernel(path: Path) -> str:
    if path.is_dir():
        raise FileProblem(f"{path} is a folder, not a kernel file")
    if not path.exists():
        raise FileProblem(f"no such file: {path}")
    try:
        return path.read_text()
    except UnicodeDecodeError:
        raise FileProblem(f"{path} is not a text file") from None
    except OSError as exc:
        raise FileProblem(f"cannot read {path}: {exc.strerror or exc}") from None


def write_kernel(path: Path, text: str) -> None:
    if path.is_dir():
        raise FileProblem(f"cannot save to {path}: it is a folder")
    if not path.parent.is_dir():
        raise FileProblem(f"cannot save to {path}: the folder {path.parent} does not exist")
    try:
        path.write_text(text)
    except OSError as exc:
        raise FileProblem(f"cannot save to {path}: {exc.strerror or exc}") from None
