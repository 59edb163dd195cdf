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
img.save(buf, "TIFF", compression="tiff_lzw")  # decoded by OpenCV (JPEGs no longer are)
def kib(field):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field))
seen = {}
read = pipeline.Engine._ocr
def ocr(self, *args, **kwargs):  # the page decoded, nothing else of it done yet
    seen["decoded"] = kib("VmRSS")
    return read(self, *args, **kwargs)
pipeline.Engine._ocr = ocr
engine = Engine(EngineConfig(disk_cache=False))
for _ in range(2):  # the arena, the caches and glibc's mmap threshold at their working size
    engine.run(buf.getvalue(), use_cache=False)
release_free_memory()
before = kib("VmRSS")
lines = len(engine.run(buf.getvalue(), use_cache=False).lines)
print(seen["decoded"] - before, lines)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim")
def test_the_decoders_copy_of_a_big_page_is_returned_before_detection():
    """OpenCV's decoder (TIFF, WebP, BMP, small PNGs; not JPEGs, see load._simplejpeg)
    holds its own copy of the page besides the array it returns; once freed it stays on
    glibc's heap (big buffers live there after the first) unless handed back. Between
    decoding and detection, a 300 dpi A4 page costs about itself, not twice."""
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
    assert growth["on"] < 1.5 * page_kib, growth
    assert growth["off"] - growth["on"] >= page_kib // 2, growth
