"""Searchable PDF of turned and vertical pages: the page shows upright and its text layer
sits on the upright lines (read back with pdfium, compared with an upright reading)."""

from __future__ import annotations

import io

import cv2
import pypdfium2 as pdfium
import pytest

from ocr_app.bench.page_kinds import output_cer, page
from ocr_app.export import ExportDoc
from ocr_app.export.pdf import write_pdf

ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
SLACK = 4.0  # points a glyph box may stick out of the upright line box


def _pdf_page(res, image):
    buf = io.BytesIO()
    write_pdf([ExportDoc(name="page.png", pages=[res], images=[image])], buf)
    return pdfium.PdfDocument(buf.getvalue())[0]


def _rect(box, scale: float, height_pt: float) -> tuple[float, float, float, float]:
    """A box in upright image pixels → (left, bottom, right, top) in PDF points."""
    xs = [p[0] * scale for p in box]
    ys = [height_pt - p[1] * scale for p in box]
    return min(xs), min(ys), max(xs), max(ys)


def _chars(textpage) -> list[tuple[str, tuple[float, float, float, float]]]:
    out = []
    for i in range(textpage.count_chars()):
        ch = textpage.get_text_range(i, 1)
        if ch.strip():
            out.append((ch, textpage.get_charbox(i)))
    return out


@pytest.fixture(scope="module")
def upright(engine):
    """An upright single-column page, and how the engine reads it."""
    generated = page("turned 90", seed=5)
    image = cv2.rotate(generated.image, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return generated.text, image, engine.run(image, use_cache=False)


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_turned_page_is_upright_with_its_text_on_the_lines(engine, upright, angle):
    truth, image, straight = upright
    turned = cv2.rotate(image, ROTATE[angle])
    res = engine.run(turned, use_cache=False)
    assert res.orientation == angle
    pdf_page = _pdf_page(res, turned)
    width_pt, height_pt = pdf_page.get_size()
    h, w = image.shape[:2]
    assert abs(width_pt / height_pt - w / h) < 0.01  # shown upright, not as the file lies
    textpage = pdf_page.get_textpage()
    assert output_cer(truth, textpage.get_text_range()) <= 0.01
    scale = width_pt / w
    rects = [_rect(ln.box, scale, height_pt) for ln in straight.lines]
    for ln, (left, bottom, right, top) in zip(straight.lines, rects, strict=True):
        inside = textpage.get_text_bounded(left - 1, bottom - 1, right + 1, top + 1)
        assert output_cer(ln.text, inside) <= 0.05, (ln.text, inside)
    for ch, (x0, y0, x1, y1) in _chars(textpage):  # every glyph inside an upright line box
        assert any(x0 >= r[0] - SLACK and x1 <= r[2] + SLACK and y0 >= r[1] - SLACK and y1 <= r[3] + SLACK
                   for r in rects), (ch, (x0, y0, x1, y1))
    # the page image itself is turned upright: its first text row is at the top
    bitmap = pdf_page.render(scale=1).to_numpy()
    rows = (bitmap[:, :, :3].min(axis=2) < 128).any(axis=1).nonzero()[0]
    assert abs(rows[0] - (height_pt - rects[0][3])) < 6


def test_vertical_lines_run_top_to_bottom_inside_their_columns(engine):
    generated = page("vertical zh", seed=5)
    res = engine.run(generated.image, use_cache=False)
    assert all(ln.vertical for ln in res.lines)
    pdf_page = _pdf_page(res, generated.image)
    width_pt, height_pt = pdf_page.get_size()
    scale = width_pt / generated.image.shape[1]
    chars = _chars(pdf_page.get_textpage())
    placed = 0
    for ln in res.lines:
        left, bottom, right, top = _rect(ln.box, scale, height_pt)
        column = [(ch, box) for ch, box in chars
                  if left - SLACK <= (box[0] + box[2]) / 2 <= right + SLACK and bottom <= (box[1] + box[3]) / 2 <= top]
        assert "".join(ch for ch, _ in column) == ln.text.replace(" ", "")
        tops = [box[3] for _, box in column]
        assert tops == sorted(tops, reverse=True)  # first character at the top
        assert all(box[0] >= left - SLACK and box[2] <= right + SLACK for _, box in column)
        placed += len(column)
    assert placed == len(chars)


def test_upright_page_unchanged(engine, upright):
    _, image, straight = upright
    pdf_page = _pdf_page(straight, image)
    width_pt, height_pt = pdf_page.get_size()
    scale = width_pt / image.shape[1]
    first = straight.lines[0]
    left, bottom, right, top = _rect(first.box, scale, height_pt)
    assert output_cer(first.text, pdf_page.get_textpage().get_text_bounded(left - 1, bottom - 1, right + 1,
                                                                           top + 1)) <= 0.05
