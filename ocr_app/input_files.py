"""Turn what the user gave (files, folders) into a de-duplicated list of files to OCR."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

IMAGE_EXTS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".jp2", ".pbm",
                        ".pgm", ".ppm", ".pnm"})
DOCUMENT_EXTS = frozenset({".pdf"})
SUPPORTED_EXTS = IMAGE_EXTS | DOCUMENT_EXTS


def is_supported(path: str | Path) -> bool:
    return Path(path).suffix.lower() in SUPPORTED_EXTS


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given (even unsupported ones: the user asked for them, they get an error)
    plus supported files found recursively in folders; symlink loops are not followed and
    each real file appears once, in the order first seen."""
    seen: set[str] = set()
    out: list[Path] = []

    def add(p: Path) -> None:
        try:
            key = os.path.realpath(p)
        except OSError:
            key = str(p)
        if key not in seen:
            seen.add(key)
            out.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs.sort()
                for name in sorted(files):
                    if is_supported(name):
                        add(Path(root) / name)
        else:
            add(p)
    return out
