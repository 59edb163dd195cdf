"""Rewrite a PyInstaller TOC with some entries' files replaced by smaller builds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def swap_sources(binaries: list, replacement: Callable[[str, Path], Path | None]) -> tuple[list, int]:
    """`replacement(dest, src)` names the file to bundle instead of `src`, or None to keep
    it; returns (new TOC, bytes saved)."""
    result, saved = [], 0
    for dest, src, kind in binaries:
        new = replacement(dest, Path(src))
        if new is not None:
            saved += Path(src).stat().st_size - new.stat().st_size
            src = str(new)
        result.append((dest, src, kind))
    return result, saved
