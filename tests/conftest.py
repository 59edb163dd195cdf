"""Shared fixtures: one real engine for the whole run, as the app has."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def engine():
    from ocr_app.engine import Engine, EngineConfig

    return Engine(EngineConfig(threads=2))
