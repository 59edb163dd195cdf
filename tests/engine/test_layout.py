"""Page structure on generated pages of each kind: reading order, paragraphs, separators,
orientation; and the text of each output mode."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr_app.bench.page_kinds import KINDS, output_cer, page
from ocr_app.engine.layout import MODES, analyse, render
from tests.imagegen import render_lines, to_bgr
from tests.structured import three_paragraphs


@pytest.mark.parametrize("kind", KINDS)
def test_each_page_kind_reads_in_order(engine, kind):
    generated = page(kind, seed=7)
    res = engine.run(generated.image, use_cache=False)
    assert output_cer(generated.text, res.text) <= 0.03, res.text
    for mode in MODES:  # every mode keeps all of the text
        assert output_cer(generated.text, res.text_as(mode)) <= 0.03 or mode == "raw", mode


def test_two_columns_make_blocks_and_paragraphs(engine):
    generated = page("2 columns en", seed=3)
    res = engine.run(generated.image, use_cache=False)
    assert len({ln.block for ln in res.lines}) >= 2
    # two paragraphs per column, each one line in "paragraphs" mode
    assert len(res.text_as("paragraphs").split("\n")) == 4
    assert res.text.count("\n\n") == 3  # "lines": a blank line between paragraphs


def test_vertical_columns_read_right_to_left_each_its_own_line(engine):
    generated = page("vertical zh", seed=2)
    res = engine.run(generated.image, use_cache=False)
    assert all(ln.vertical for ln in res.lines)
    assert output_cer(generated.text, res.text) <= 0.03
    xs = [sum(p[0] for p in ln.box) / 4 for ln in res.lines]
    assert xs == sorted(xs, reverse=True)
    assert all(ln.end in ("", "\n") for ln in res.lines)  # Chinese columns join with nothing


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_a_turned_page_reads_like_the_upright_one(engine, angle):
    upright = page("turned 90", seed=5)  # the same text, generated upright and then turned
    base = cv2.rotate(upright.image, cv2.ROTATE_90_COUNTERCLOCKWISE)
    code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}[angle]
    straight = engine.run(base, use_cache=False)
    turned = engine.run(cv2.rotate(base, code), use_cache=False)
    assert straight.orientation == 0 and turned.orientation == angle
    assert turned.text == straight.text
    h, w = turned.image_size[1], turned.image_size[0]
    for ln in turned.lines:  # boxes are on the file's own pixels
        assert all(-2 <= x <= w + 2 and -2 <= y <= h + 2 for x, y in ln.box)


def test_receipt_rows_stay_rows(engine):
    rows = ["Latte x2        9.00", "Croissant       3.50", "Orange juice    4.20", "TOTAL          16.70"]
    img = to_bgr(render_lines(rows, size=26))
    res = engine.run(img, use_cache=False)
    got = [" ".join(line.split()) for line in res.text.split("\n") if line]
    assert got == [" ".join(r.split()) for r in rows]


def test_modes_render_the_same_structure_differently():
    lines = three_paragraphs()
    assert render(lines, "lines") == "A first para-\ngraph ends here.\n\nSecond 9.00\n\n中文第一行\n第二行"
    assert render(lines, "paragraphs") == "A first paragraph ends here.\nSecond 9.00\n中文第一行第二行"
    assert render(lines, "raw") == "A first para-\ngraph ends here.\nSecond 9.00\n中文第一行\n第二行"
    assert render(lines, "code").split("\n")[0] == "A first para-"


def test_separators_join_cjk_tight_latin_with_a_space_and_rejoin_hyphens():
    boxes = [[[0, 0], [400, 0], [400, 20], [0, 20]], [[0, 30], [400, 30], [400, 50], [0, 50]],
             [[0, 60], [380, 60], [380, 80], [0, 80]], [[0, 90], [200, 90], [200, 110], [0, 110]]]
    found = analyse(boxes, ["we went down to the river by the old", "mill and saw the water run past the",
                            "stones. The morning was cold and hyph-", "enated words rejoin."])
    assert found.end == [" ", " ", "", "\n"]
    cjk = analyse(boxes[:2], ["我们在春天的早晨来到河边的小村庄", "这本书讲述了一个普通家庭几十年的"])
    assert cjk.end[0] == ""


def _turned(box: list[list[float]], degrees: float) -> list[list[float]]:
    a = np.radians(degrees)
    return [[x * np.cos(a) - y * np.sin(a), x * np.sin(a) + y * np.cos(a)] for x, y in box]


def test_rows_of_a_tilted_page_stay_rows():
    """A receipt photographed 3° off level: each price sits a row higher than its item at
    the far right; in a level frame (the long lines' own slope) the rows are whole again."""
    boxes, texts = [], []
    for r in range(8):
        y = 40.0 * r
        if r % 4 == 0:  # long lines give the slope
            boxes.append([[0, y], [600, y], [600, y + 20], [0, y + 20]])
            texts.append(f"a long line of text across the receipt {r}")
        else:
            for x0, x1, word in ((0, 120, f"item{r}"), (300, 320, str(r)), (560, 600, f"{r}.00")):
                boxes.append([[x0, y], [x1, y], [x1, y + 20], [x0, y + 20]])
                texts.append(word)
    for degrees in (0.0, 3.0, -3.0):
        laid = analyse([_turned(b, degrees) for b in boxes], texts)
        assert [texts[i] for i in laid.order] == texts, degrees
        assert len(set(laid.row)) == 8
        # An upside-down page is laid out on its boxes negated: each box's corners then start
        # at its bottom right.
        laid = analyse([np.roll(_turned(b, degrees), 2, axis=0).tolist() for b in boxes], texts)
        assert [texts[i] for i in laid.order] == texts, degrees


def test_a_tilted_receipt_photo_reads_row_by_row(engine):
    from ocr_app.bench import curled_pages

    page_ = curled_pages.flat_page(3, cjk=False, receipt=True)
    jpeg, lines = curled_pages.photo(page_, 0.0, 3)
    res = engine.run(jpeg, use_cache=False)
    truth = "\n".join(text for _, text in lines)
    assert output_cer(truth, res.text) <= 0.05, res.text


def test_rows_of_a_page_seen_at_an_angle_stay_rows():
    """Seen at an angle, the slope changes down the page (here 4° at the top, level at the
    bottom): the level frame follows the long lines' slopes from top to bottom."""
    table = np.float32([[0, 0], [600, 0], [600, 440], [0, 440]])
    seen = np.float32([[0, 40], [600, 0], [600, 440], [0, 440]])
    warp = cv2.getPerspectiveTransform(table, seen)
    boxes, texts = [], []
    for r in range(12):
        y = 36.0 * r
        cells = [(0, 600, f"a long line of text across the receipt {r}")] if r % 3 == 0 else \
            [(0, 120, f"item{r}"), (300, 320, str(r)), (560, 600, f"{r}.00")]
        for x0, x1, word in cells:
            corners = np.float32([[x0, y], [x1, y], [x1, y + 20], [x0, y + 20]]).reshape(-1, 1, 2)
            boxes.append(cv2.perspectiveTransform(corners, warp).reshape(-1, 2).tolist())
            texts.append(word)
    laid = analyse(boxes, texts)
    assert [texts[i] for i in laid.order] == texts


def test_a_steep_watermark_does_not_tilt_the_page():
    """A long line at 40° (a stamp or watermark across the page) is not the page's slope,
    even where it is the page's only long line."""
    boxes, texts = [], []
    for r in range(6):
        for x0, x1, word in ((0, 80, f"item{r}"), (560, 600, f"{r}.00")):
            boxes.append([[x0, 40.0 * r], [x1, 40.0 * r], [x1, 40.0 * r + 20], [x0, 40.0 * r + 20]])
            texts.append(word)
    mark = _turned([[0, 0], [500, 0], [500, 30], [0, 30]], -40.0)
    laid = analyse([*boxes, [[x + 50, y + 400] for x, y in mark]], [*texts, "CONFIDENTIAL COPY"])
    assert [texts[i] for i in laid.order if i < len(texts)] == texts
