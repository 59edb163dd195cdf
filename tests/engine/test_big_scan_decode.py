"""Big JPEG scans are decoded reduced in libjpeg when their text stays large enough
(load._jpeg_reduction), and the reduced page still reads the same text."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw

import ocr_app.engine.load  # noqa: F401  (the module itself; the package exports a load() function)
from ocr_app.engine.load import GLYPH_FLOOR, MAX_WORK_PIXELS, load
from tests.imagegen import cer, font

load_module = sys.modules["ocr_app.engine.load"]

LINES = ["INVOICE NO 20418", "TOTAL RM 128.50", "CASH 200.00", "CHANGE 71.50", "THANK YOU"]
SIZE = (5000, 3500)  # 17.5 MP: over the 16 MP work size


def _scan(font_px: int, lines: int = 40) -> bytes:
    """A page of text rows (left half) at `font_px`, as a JPEG over the work size."""
    img = Image.new("RGB", SIZE, (250, 250, 248))
    draw = ImageDraw.Draw(img)
    fnt = font(size=font_px)
    y, i = 120, 0
    while y + font_px * 2 < SIZE[1] and i < lines:
        draw.text((160, y), LINES[i % len(LINES)], font=fnt, fill=(20, 20, 20))
        y += int(font_px * 1.9)
        i += 1
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


@pytest.fixture(scope="module")
def large_type() -> bytes:
    return _scan(150)


def test_large_type_decodes_at_half_size(large_type):
    pixels = SIZE[0] * SIZE[1]
    assert pixels > MAX_WORK_PIXELS
    assert load_module._jpeg_reduction(np.frombuffer(large_type, np.uint8), pixels) == 2
    loaded = load(large_type)
    assert loaded.original_size == SIZE
    assert loaded.image.shape[:2] == (SIZE[1] // 2, SIZE[0] // 2)
    assert loaded.scale == pytest.approx(0.5, abs=1e-3)


def test_small_type_keeps_the_full_size_decode():
    data = _scan(26, lines=80)  # glyphs ~19 px: under 10 px at half size, under the floor
    assert GLYPH_FLOOR > 19 / 2
    assert load_module._jpeg_reduction(np.frombuffer(data, np.uint8), SIZE[0] * SIZE[1]) == 1


def test_a_page_without_text_keeps_the_size_rule():
    rng = np.random.default_rng(1)
    noise = Image.fromarray(rng.integers(0, 255, (SIZE[1] // 10, SIZE[0] // 10, 3), np.uint8)).resize(SIZE)
    buf = io.BytesIO()
    noise.save(buf, "JPEG", quality=80)
    pixels = SIZE[0] * SIZE[1]
    assert load_module._jpeg_reduction(np.frombuffer(buf.getvalue(), np.uint8), pixels) == \
        load_module._reduction(pixels, jpeg=True)


def test_the_reduced_page_reads_the_text(large_type):
    from ocr_app.engine import Engine, EngineConfig

    result = Engine(EngineConfig()).run(large_type, use_cache=False)
    assert result.error is None
    top = [line.text for line in sorted(result.lines, key=lambda ln: ln.box[0][1])][:5]
    assert cer("\n".join(LINES), "\n".join(top)) < 0.05
    # boxes are in original pixels
    assert max(p[0] for line in result.lines for p in line.box) > SIZE[0] * 0.3
