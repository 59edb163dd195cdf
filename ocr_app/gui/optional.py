"""Sibling packages written in parallel (documents, export, server): import them lazily so
the window works, with the feature disabled, until they exist."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType


def module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def documents() -> ModuleType | None:
    return module("ocr_app.documents")


def export() -> ModuleType | None:
    return module("ocr_app.export")


def server() -> ModuleType | None:
    return module("ocr_app.server")


def is_document(path: Path) -> bool:
    """True for files that may hold several pages (PDF, TIFF, GIF) once documents support exists."""
    docs = documents()
    if docs is None or not hasattr(docs, "is_document"):
        return False
    try:
        return bool(docs.is_document(path))
    except Exception:
        return False
