"""Freed heap memory goes back to the OS between pages (RSS must not creep in long batches)."""

from __future__ import annotations

import sys

import numpy as np
import psutil
import pytest

from ocr_app.engine.memory import release_free_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim")
def test_release_free_memory_returns_fragmented_heap():
    proc = psutil.Process()
    # Below glibc's mmap threshold, so these live in the heap; a small survivor after each
    # block pins the heap top, the way a page's leftovers do between pages.
    blocks, survivors = [], []
    for _ in range(3000):
        blocks.append(np.ones(16_000, np.uint8))
        survivors.append(np.ones(64, np.uint8))
    blocks.clear()
    before = proc.memory_info().rss
    release_free_memory()
    after = proc.memory_info().rss
    assert before - after > 20 * 2**20, (before >> 20, after >> 20)
    assert len(survivors) == 3000
