"""Gap spacing: word spaces from the crop's blank columns, where the CTC head dropped them."""

from __future__ import annotations

import numpy as np

from ocr_app.engine import Engine
from ocr_app.engine.ctc import Decoded
from ocr_app.engine.post.spacing import add_gap_spaces
from ocr_app.engine.recognize import strip
from tests.imagegen import render_lines, to_bgr


def _page(lines: list[str], **kw) -> np.ndarray:
    return to_bgr(render_lines(lines, **kw))


def _read(engine: Engine, crop: np.ndarray) -> Decoded:
    """The line as the engine reads it with gap spacing on."""
    [rec] = engine.recognizer.recognise([crop])
    return strip(add_gap_spaces(rec.decoded, crop, rec.input_width))


def _read_strip(engine: Engine, text: str, size: int = 30):
    """A tight single-line crop of `text` and its recognition with the spaces taken out."""
    crop = _page([text], size=size, margin=6, line_gap=1.0)
    dec = _read(engine, crop)
    keep = [i for i, ch in enumerate(dec.text) if ch != " "]
    dropped = Decoded("".join(dec.text[i] for i in keep), dec.confidence,
                      [dec.char_confidences[i] for i in keep], [dec.frames[i] for i in keep])
    return crop, dec, dropped


def test_gap_spaces_restore_word_spaces_the_recogniser_dropped(engine: Engine):
    crop, _, dropped = _read_strip(engine, "TOTAL   :   12.50")
    assert dropped.text == "TOTAL:12.50"
    fixed = add_gap_spaces(dropped, crop, engine.recognizer._width(crop))
    assert fixed.text == "TOTAL : 12.50"
    assert len(fixed.char_confidences) == len(fixed.frames) == len(fixed.text)


def test_gap_spaces_leave_numbers_tight_text_and_chinese_alone(engine: Engine):
    crop, dec, _ = _read_strip(engine, "Subtotal 12.50")
    assert dec.text == "Subtotal 12.50"
    assert add_gap_spaces(dec, crop, engine.recognizer._width(crop)).text == dec.text
    crop = _page(["合计   金额"], size=30, margin=6, line_gap=1.0)
    dec = _read(engine, crop)
    assert add_gap_spaces(dec, crop, engine.recognizer._width(crop)) is dec


def test_a_colon_set_apart_by_one_thin_space_gets_its_spaces(engine: Engine):
    """'TEL : 03-3271' in a proportional font: each gap beside the colon is narrower than
    a word space, yet wider than a colon set tight against its label ('TEL:03-3271')."""
    crop, _, dropped = _read_strip(engine, "TEL : 03-3271", size=28)
    assert dropped.text == "TEL:03-3271"
    fixed = add_gap_spaces(dropped, crop, engine.recognizer._width(crop))
    assert fixed.text == "TEL : 03-3271"
    assert len(fixed.char_confidences) == len(fixed.frames) == len(fixed.text)
    crop, _, dropped = _read_strip(engine, "Date : 18/01/2018", size=28)
    assert add_gap_spaces(dropped, crop, engine.recognizer._width(crop)).text == "Date : 18/01/2018"
    crop, _, dropped = _read_strip(engine, "TEL:03-3271", size=28)
    assert dropped.text == "TEL:03-3271"
    assert add_gap_spaces(dropped, crop, engine.recognizer._width(crop)).text == "TEL:03-3271"
