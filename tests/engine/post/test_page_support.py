"""Page support for the highlight: a doubted character of a word the same page reads surely
elsewhere is marked less; the text never changes."""

from __future__ import annotations

import numpy as np
import pytest

from ocr_app.engine import DOUBTFUL
from ocr_app.engine.ctc import Decoded
from ocr_app.engine.post import DEFAULT_POST
from ocr_app.engine.post.page_support import MIN_TOKEN, ODDS, PageSupport, supported_doubt
from ocr_app.engine.reading import PageReading, Reading


def _page(*lines: tuple[str, list[float]] | tuple[str, list[float], float]) -> PageReading:
    blank = np.zeros((8, 8, 3), np.uint8)
    readings = []
    for line in lines:
        text, doubt = line[0], line[1]
        confidence = line[2] if len(line) > 2 else 0.9
        decoded = Decoded(text, confidence, [confidence] * len(text), list(range(len(text))), doubt)
        readings.append(Reading(np.zeros((4, 2), np.float32), decoded))
    return PageReading(image=blank, source=blank, readings=readings, reader=None, min_confidence=0.5)


def _doubts(page: PageReading) -> list[list[float]]:
    return [r.decoded.char_doubt for r in page.readings]


def test_a_doubted_character_of_a_word_read_surely_elsewhere_is_marked_less():
    page = _page(("TOTAL 12.50", [0.01, 0.3, 0.01, 0.02, 0.01, 0.0, 0.2, 0.01, 0.01, 0.01, 0.01]),
                 ("SUB TOTAL 10.00", [0.0] * 15))
    PageSupport()(page)
    first = page.readings[0].decoded
    assert first.text == "TOTAL 12.50"
    assert first.char_doubt[1] == pytest.approx(supported_doubt(0.3)) and first.char_doubt[1] < DOUBTFUL
    assert first.char_doubt[6] == 0.2  # "12.50" is read nowhere else
    assert first.char_doubt[0] == 0.01 and _doubts(page)[1] == [0.0] * 15


def test_the_odds_are_scaled_by_the_measured_ratio():
    assert supported_doubt(0.5) == pytest.approx(ODDS / (1 + ODDS))
    assert supported_doubt(1.0) == 1.0
    assert supported_doubt(0.9) > DOUBTFUL  # a glyph the recogniser barely saw stays marked


def test_no_support_from_short_tokens_doubted_twins_or_lines_that_will_be_dropped():
    short = "x" * (MIN_TOKEN - 1)
    page = _page((f"{short} AMOUNT", [0.3] * len(short) + [0.0] + [0.3] * 6),
                 (f"{short} AMOUNT", [0.0] * len(short) + [0.0] + [0.3, 0.0, 0.0, 0.0, 0.0, 0.0]),
                 ("AMOUNT", [0.0] * 6, 0.3))  # under the confidence floor: not kept, lends nothing
    before = _doubts(page)
    PageSupport()(page)
    after = _doubts(page)
    assert after[0][:len(short)] == before[0][:len(short)]  # too short to count as the page's word
    start = len(short) + 1
    assert after[0][start] == before[0][start]  # the other "AMOUNT" doubts its first letter too
    assert all(d < DOUBTFUL for d in after[0][start + 1:])  # the others it reads surely
    assert after[1] == before[1] and after[2] == before[2]


def test_two_occurrences_on_one_line_support_each_other():
    page = _page(("NET NET", [0.0, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0]))
    PageSupport()(page)
    assert _doubts(page)[0][1] == pytest.approx(supported_doubt(0.4))


def test_it_runs_last_by_default_on_the_final_words():
    assert DEFAULT_POST[-1] == "page"
