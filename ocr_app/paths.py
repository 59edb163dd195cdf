"""The one place that knows where bundled files live, from source and when frozen.

PyInstaller unpacks data next to the executable (`sys._MEIPASS`); from source the
project root is two levels above this file. Every consumer asks here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def app_root() -> Path:
    """Folder holding `models/` and `resources/`."""
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def models_dir() -> Path:
    override = os.environ.get("OCR_DESK_MODELS")
    return Path(override) if override else app_root() / "models"


def resources_dir() -> Path:
    return app_root() / "resources"


def user_cache_dir() -> Path:
    """Per-user cache (optimised ORT graphs, on-disk result cache)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "ocr-desk"


def user_data_dir() -> Path:
    """Per-user data that must outlive a cache clean-up: the history store (ocr_app/store).
    OCR_DESK_DATA overrides it (tests, portable installs)."""
    override = os.environ.get("OCR_DESK_DATA")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "ocr-desk"
