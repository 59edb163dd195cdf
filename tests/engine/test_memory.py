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


_PEAK_OF_A_BIG_PAGE = """
import io, sys
from PIL import Image, ImageDraw
from tests.imagegen import font
from ocr_app.engine import Engine, EngineConfig, pipeline
from ocr_app.engine.memory import release_free_memory
if sys.argv[1] == "off":
    pipeline.release_free_memory = lambda: None
img = Image.new("RGB", (2480, 3508), (250, 250, 248))  # an A4 scan at 300 dpi, 24.9 MiB decoded
draw, fnt = ImageDraw.Draw(img), font(size=36)
for i in range(60):
    draw.text((150, 100 + i * 55), f"ITEM {i:03d} SOMETHING GOOD {i * 3}.{i % 100:02d}", font=fnt, fill=(20, 20, 20))
buf = io.BytesIO()
img.save(buf, "JPEG", quality=90)
engine = Engine(EngineConfig(disk_cache=False))
for _ in range(2):  # the arena and the caches at their working size
    engine.run(buf.getvalue(), use_cache=False)
release_free_memory()
def kib(field):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field))
before = kib("VmRSS")
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")
lines = len(engine.run(buf.getvalue(), use_cache=False).lines)
print(kib("VmHWM") - before, lines)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim, /proc peak reset")
def test_a_big_pages_stages_do_not_add_up_on_the_heap():
    """Freed buffers go back between the stages (decode, detection, recognition): a 300 dpi
    A4 page's peak rises by less than without, by at least half the decoded page."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    growth = {}
    for mode in ("on", "off"):
        done = subprocess.run([sys.executable, "-c", _PEAK_OF_A_BIG_PAGE, mode], cwd=root, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        kib, lines = map(int, done.stdout.split())
        assert lines >= 55
        growth[mode] = kib
    page_kib = 2480 * 3508 * 3 // 1024
    assert growth["off"] - growth["on"] >= page_kib // 2, growth
