"""Which files we open, and which of them may hold several pages (by extension)."""

from __future__ import annotations

from pathlib import Path

from ..input_files import IMAGE_EXTS, SUPPORTED_EXTS, is_supported
from ..safe_open import open_regular

__all__ = ["DOCUMENT_EXTS", "IMAGE_EXTS", "SUPPORTED_EXTS", "is_document", "is_pdf", "is_supported"]

DOCUMENT_EXTS = (".pdf", ".tif", ".tiff", ".gif")


def _ext(path: str | Path) -> str:
    return Path(path).suffix.lower()


def is_pdf(path: str | Path) -> bool:
    return _ext(path) == ".pdf"


def is_document(path: str | Path) -> bool:
    """PDF, TIFF and GIF by extension; WebP only when the file is animated (checked cheaply)."""
    ext = _ext(path)
    if ext in DOCUMENT_EXTS:
        return True
    if ext == ".webp":
        try:
            from PIL import Image

            with open_regular(path) as fh, Image.open(fh) as im:
                return getattr(im, "n_frames", 1) > 1
        except Exception:  # a special file or a bad WebP: the image path reports why
            return False
    return False
