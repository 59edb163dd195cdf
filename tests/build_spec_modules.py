"""The build helpers in build_spec/ imported for tests (not a package: the spec puts its folder on sys.path)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

BUILD_SPEC = Path(__file__).resolve().parent.parent / "build_spec"


def build_spec_module(name: str) -> ModuleType:
    """`build_spec/<name>.py` as a module; its own imports of sibling helpers (toc_swap) resolve too."""
    sys.path.insert(0, str(BUILD_SPEC))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BUILD_SPEC))
