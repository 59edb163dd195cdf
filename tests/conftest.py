"""Shared fixtures: one real engine for the whole run, as the app has."""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The history store (ocr_app/store) lives in the user data folder: tests use a throwaway one.
os.environ.setdefault("OCR_DESK_DATA", tempfile.mkdtemp(prefix="ocrdesk-data-"))


@pytest.fixture(autouse=True)
def _own_history(tmp_path_factory, monkeypatch):
    """Each test gets an empty history store (outside its tmp_path, which some tests list),
    so no window restores another test's batch."""
    monkeypatch.setenv("OCR_DESK_DATA", str(tmp_path_factory.mktemp("ocrdesk-data")))


@pytest.fixture(scope="session")
def engine():
    from ocr_app.engine import Engine, EngineConfig

    return Engine(EngineConfig(threads=2))
