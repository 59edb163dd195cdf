"""Amount repair: a token one glyph off a money amount takes the recogniser's own second
choice, only when that choice had real weight; other tokens are never touched."""

from __future__ import annotations

import numpy as np
import pytest

from ocr_app.engine.ctc import Decoded
from ocr_app.engine.post.amounts import AmountRepair
from ocr_app.engine.reading import PageReading, Reading


@pytest.fixture(scope="module")
def charset(engine):
    return engine.recognizer.charset


def _line(charset: list[str], text: str, second: dict[int, tuple[str, float]]) -> tuple[Decoded, np.ndarray]:
    """A decoded line with one frame per character; `second` gives a character position
    a runner-up class and its probability."""
    probs = np.full((len(text), len(charset)), 1e-6, np.float32)
    for t, ch in enumerate(text):
        probs[t, charset.index(ch)] = 0.9
        if t in second:
            alt, p = second[t]
            probs[t, charset.index(alt)] = p
    dec = Decoded(text, 0.9, [0.9] * len(text), list(range(len(text))))
    return dec, probs


@pytest.mark.parametrize(("text", "second", "expected"), [
    ("TOTAL 15.0C", {10: ("0", 0.05)}, "TOTAL 15.00"),  # half-printed last zero
    ("CASH S8.20", {5: ("$", 0.3)}, "CASH $8.20"),  # dollar read as S
    ("C.46", {0: ("0", 0.15)}, "0.46"),
    ("-5.5O", {4: ("0", 0.2)}, "-5.50"),
    ("TOTAL 15.0C", {10: ("0", 1e-4)}, "TOTAL 15.0C"),  # the model never saw a zero there
    ("1851-A", {5: ("4", 0.3)}, "1851-A"),  # not an amount even when changed
    ("21.5C", {4: ("0", 1e-5)}, "21.5C"),  # a temperature stays
    ("0xff1a", {5: ("4", 0.3)}, "0xff1a"),  # several letters: not a number
    ("S1.1C", {0: ("$", 0.3), 4: ("0", 0.3)}, "S1.1C"),  # two glyphs off: left alone
    ("12.50", {}, "12.50"),
    ("S0.50", {0: ("5", 0.05)}, "S0.50"),  # an S in front is a dollar or nothing
])
def test_amount_repair(charset, text, second, expected):
    dec, probs = _line(charset, text, second)
    step = AmountRepair()
    cols = [charset.index(ch) for ch in step.score_chars]
    page = PageReading(image=np.zeros((8, 8, 3), np.uint8), source=np.zeros((8, 8, 3), np.uint8),
                       readings=[Reading(box=np.zeros((4, 2), np.float32), decoded=dec, scores=probs[:, cols])],
                       reader=None, min_confidence=0.5, score_chars=step.score_chars)
    step(page)
    fixed = page.readings[0].decoded
    assert fixed.text == expected
    assert len(fixed.char_confidences) == len(fixed.text) == len(fixed.frames)
    if expected != text:
        changed = next(i for i, (a, b) in enumerate(zip(text, expected, strict=True)) if a != b)
        assert fixed.char_confidences[changed] == pytest.approx(second[changed][1], rel=1e-3)


def _run(charset: list[str], dec: Decoded, probs: np.ndarray, others: tuple[str, ...] = ()) -> Decoded:
    """`dec` repaired on a page that also holds the lines `others`."""
    step = AmountRepair()
    cols = [charset.index(ch) for ch in step.score_chars]
    readings = [Reading(box=np.zeros((4, 2), np.float32), decoded=dec, scores=probs[:, cols])]
    for text in others:
        line, line_probs = _line(charset, text, {})
        readings.append(Reading(box=np.zeros((4, 2), np.float32), decoded=line, scores=line_probs[:, cols]))
    page = PageReading(image=np.zeros((8, 8, 3), np.uint8), source=np.zeros((8, 8, 3), np.uint8),
                       readings=readings, reader=None, min_confidence=0.5, score_chars=step.score_chars)
    step(page)
    return page.readings[0].decoded


@pytest.mark.parametrize(("text", "second", "expected"), [
    ("80 91", {2: (".", 0.01)}, "80.91"),  # the point read as a space
    ("0 40", {}, "0.40"),  # a number and two digits alone on a line are an amount, even unseen
    ("RM 0 00", {4: (",", 0.02)}, "RM 0.00"),  # the page's mark (a point by default), not the frame's guess
    ("$1,250 00", {6: (".", 0.3)}, "$1,250.00"),
    (" 6 00 ", {}, " 6.00 "),  # ends are stripped later
    ("TOTAL 80 91", {8: (".", 0.3)}, "TOTAL 80 91"),  # not a line of its own: a label and two numbers
    ("1 55.90", {1: (".", 0.3)}, "1 55.90"),  # a quantity and an amount
    ("12 345", {2: (".", 0.3)}, "12 345"),
    ("2018 18:24", {}, "2018 18:24"),
    ("80 91 SR", {}, "80 91 SR"),
    ("GA1801 10", {}, "GA1801 10"),  # a product code and a count
])
def test_a_lost_decimal_point_comes_back_on_an_amount_of_its_own(charset, text, second, expected):
    dec, probs = _line(charset, text, second)
    fixed = _run(charset, dec, probs)
    assert fixed.text == expected
    assert fixed.char_confidences == dec.char_confidences and fixed.frames == dec.frames


def test_the_restored_point_is_as_doubtful_as_the_gap_was(charset):
    dec, probs = _line(charset, "9 34", {1: (".", 0.2)})
    dec.char_doubt = [0.0, 0.5, 0.01, 0.0]
    fixed = _run(charset, dec, probs)
    assert fixed.text == "9.34"
    assert fixed.char_doubt == pytest.approx([0.0, 0.3, 0.01, 0.0])


def test_the_lost_mark_is_the_one_the_pages_amounts_use(charset):
    dec, probs = _line(charset, "7 25", {1: (".", 0.3)})
    assert _run(charset, dec, probs, others=("Brot 12,50", "Milch 3,00 EUR")).text == "7,25"
    dec, probs = _line(charset, "7 25", {1: (",", 0.3)})
    assert _run(charset, dec, probs, others=("Bread 12.50", "Milk 3,00", "Tax 1.05")).text == "7.25"
