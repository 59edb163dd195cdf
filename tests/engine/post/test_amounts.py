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
