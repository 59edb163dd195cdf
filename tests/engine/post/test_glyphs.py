"""Free glyphs: colons and lone narrow characters the detector leaves out, confirmed by a
second reading through the recogniser's narrow `read` interface."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr_app.engine import Engine
from ocr_app.engine.geometry import line_text_height
from ocr_app.engine.post import glyphs
from tests.imagegen import font, render_lines, to_bgr


def _page(lines: list[str], **kw) -> np.ndarray:
    return to_bgr(render_lines(lines, **kw))


def _form_page() -> np.ndarray:
    """Field labels with their colons aligned in a column a few spaces away (one row with
    only the colon), above a double dashed rule."""
    img = Image.new("RGB", (520, 260), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    fnt = font(size=26)
    for i, (label, value) in enumerate([("Name", "CASH"), ("Address", None), (None, None), ("Date", "12/01/2018")]):
        y = 30 + i * 50
        if label:
            draw.text((30, y), label, font=fnt, fill=(20, 20, 20))
        draw.text((200, y), ":", font=fnt, fill=(20, 20, 20))
        if value:
            draw.text((240, y), value, font=fnt, fill=(20, 20, 20))
    for y in (232, 240):
        for x in range(30, 490, 14):
            draw.rectangle((x, y, x + 5, y + 3), fill=(20, 20, 20))
    return to_bgr(img)


def test_free_standing_colons_the_detector_misses_are_read(engine: Engine):
    img = _form_page()
    quads, _ = engine.detector(img)
    assert len(quads) == 5  # the words only
    result = engine.run(img, use_cache=False)
    assert result.text.split("\n") == ["Name : CASH", "Address :", ":", "Date : 12/01/2018"]
    colon = next(ln for ln in result.lines if ln.text == ":")
    xs = [p[0] for p in colon.box]
    assert min(xs) >= 195 and max(xs) <= 215


def _three_columns(size: tuple[int, int], font_size: int, rows: list[tuple[str, str, str]],
                   xs: tuple[int, int, int], top: int, fill: tuple[int, int, int],
                   middle_fill: tuple[int, int, int] | None = None) -> np.ndarray:
    """A receipt-like page: one row per entry, three columns at `xs`, rows 50 px apart."""
    img = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(img)
    fnt = font(size=font_size)
    for i, row in enumerate(rows):
        for col, (x, text) in enumerate(zip(xs, row, strict=True)):
            colour = middle_fill if col == 1 and middle_fill is not None else fill
            draw.text((x, top + i * 50), text, font=fnt, fill=colour)
    return to_bgr(img)


def _free_glyphs_outside(engine: Engine, page: np.ndarray, x_lo: float, x_hi: float):
    """The detector's lines minus any centred between x_lo and x_hi (as on receipt scans,
    where the detector misses that column), and what the free-glyph search finds."""
    quads, _ = engine.detector(page)
    words = [q for q in quads if not x_lo < q[:, 0].mean() < x_hi]
    found = glyphs.find_free_glyphs(page, words, [line_text_height(q) for q in words], engine.recognizer)
    return words, found


def test_lone_narrow_characters_outside_the_detected_lines_are_read(engine: Engine):
    """A quantity column of lone "1"s: when the detector leaves them out (it does on
    receipt scans), the free-glyph search reads each, and nothing inside the words."""
    rows = [("Pencil HB", "1", "2.50"), ("Eraser", "1", "1.20"), ("Ruler 30cm", "1", "3.90")]
    page = _three_columns((560, 220), 24, rows, (40, 300, 420), 40, (20, 20, 20))
    words, found = _free_glyphs_outside(engine, page, 290, 320)
    assert len(words) == 6
    assert [d.text for _, d in found] == ["1", "1", "1"]
    assert all(295 < box[:, 0].mean() < 315 for box, _ in found)


def test_faint_free_standing_colons_are_read(engine: Engine):
    """A thermal receipt's colons fade to two light-grey dots: the colon search still
    reads them once the glyph crop's contrast is stretched."""
    rows = [("Discount", ":", "0.00"), ("Total GST", ":", "3.08"), ("Rounding", ":", "-0.01")]
    page = _three_columns((460, 200), 16, rows, (30, 170, 260), 30, (60, 60, 60), middle_fill=(215, 215, 215))
    _, found = _free_glyphs_outside(engine, page, 160, 185)
    assert [d.text for _, d in found] == [":", ":", ":"]
    assert all(165 < box[:, 0].mean() < 180 for box, _ in found)


def test_stretch_contrast_spans_the_full_range():
    crop = np.full((12, 8, 3), 240, np.uint8)
    crop[4:6, 3:5] = 200
    out = glyphs.stretch_contrast(crop)
    assert out.min() == 0 and out.max() == 255 and out[5, 4, 0] == 0
    flat = np.full((5, 5, 3), 128, np.uint8)
    assert glyphs.stretch_contrast(flat) is flat


def _blobs_with_32_bit_labels(gray: np.ndarray, line_h: float, lines: np.ndarray) -> np.ndarray:
    """The blob search as it was before 16-bit labels: the reference for the same rows."""
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    binary = cv2.adaptiveThreshold(smooth, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                   int(2 * line_h) | 1, 10)
    binary[lines > 0] = 0
    binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    _, _, stats, cents = cv2.connectedComponentsWithStats(binary, connectivity=8)
    return np.column_stack([cents[1:], stats[1:, 2:5]]).astype(np.float32)


@pytest.mark.parametrize("side", [300, 1500])
def test_blob_search_finds_the_same_blobs_below_and_above_65535(side):
    """16-bit labels (half the memory) while they fit; past 65,535 blobs OpenCV refuses
    them and 32-bit labels take over, with the same rows either way."""
    gray = np.full((side, side), 255, np.uint8)
    for y in range(2, side - 4, 5):
        for x in range(2, side - 4, 5):
            gray[y:y + 3, x:x + 3] = 0
    lines = np.zeros_like(gray)
    found = glyphs._blobs(glyphs._ink(gray.copy(), 20.0), [])
    assert (len(found) > 65_535) == (side == 1500) and len(found) > 3000
    assert np.array_equal(found, _blobs_with_32_bit_labels(gray, 20.0, lines))


def _small_print_page(h: int, w: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Rows of small print with a colon and a lone digit apart from each row's words, and
    the words' quads (what the detector would give)."""
    img = np.full((h, w, 3), 255, np.uint8)
    quads = []
    for y in range(40, h - 40, 30):
        cv2.putText(img, "Total 12.50", (40, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
        cv2.putText(img, ":", (260, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
        cv2.putText(img, "1", (420, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
        quads.append(np.array([[38, y - 13], [150, y - 13], [150, y + 5], [38, y + 5]], np.float32))
    return img, quads


def test_blob_search_in_place_finds_what_the_copying_search_found():
    """The search overwrites its own buffers instead of copying them (memory below); the
    blobs, and the line mask the lone-glyph test uses, are those of the old search."""
    img, quads = _small_print_page(600, 700)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    polygons = glyphs._polygons(quads)
    mask = glyphs._line_mask(polygons, gray.shape)
    reference = _blobs_with_32_bit_labels(gray, 14.0, mask)
    assert len(reference) > 40
    assert np.array_equal(glyphs._blobs(glyphs._ink(gray.copy(), 14.0), polygons), reference)


def test_blob_search_holds_three_page_sized_buffers_at_most():
    """Small print is searched at full size: on a 16 MP page every gray-sized buffer is
    16 MB. The search used to hold five at once (gray, blurred, ink, line mask and its
    boolean index, or the 16-bit labels); now gray or ink, and the labels."""
    import tracemalloc

    h, w = 2000, 3000
    img, quads = _small_print_page(h, w)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        found = glyphs.candidates(img, quads, [14.0] * len(quads))
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert found.kinds  # the search did run and find its glyphs
    assert peak < 3.5 * h * w, peak / (h * w)
