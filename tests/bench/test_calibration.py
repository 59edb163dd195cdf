"""The highlight's calibration: characters aligned to the truth, marks counted per rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocr_app.bench.calibration import calibrate, table, wrong_chars


def test_alignment_marks_substitutions_and_insertions_and_counts_left_out():
    assert wrong_chars("total", "t0tal") == ([False, True, False, False, False], 0)
    assert wrong_chars("total", "tottal")[0].count(True) == 1
    assert wrong_chars("total", "ttal") == ([False, False, False, False], 1)
    assert wrong_chars("", "ab") == ([True, True], 0)


def _page(folder: Path, truth: list[tuple[list[int], str]], lines: list[dict]) -> Path:
    (folder / "p.png").write_bytes(b"")  # the scorer pairs the CSV with an image of the same stem
    (folder / "p.csv").write_text("\n".join(",".join(map(str, box)) + "," + text for box, text in truth),
                                  encoding="utf-8")
    pred = folder / "pred.jsonl"
    pred.write_text(json.dumps({"image": "p.png", "lines": lines}) + "\n", encoding="utf-8")
    return pred


def _box(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def test_doubt_and_confidence_rules_counted_apart(tmp_path: Path):
    truth = [([0, 0, 100, 0, 100, 20, 0, 20], "TOTAL 38.90"), ([0, 40, 100, 40, 100, 60, 0, 60], "Thank you")]
    lines = [
        # "TOTAL 38.8O": the last two characters are wrong. Confidence marks the "3" (right)
        # and the "O" (wrong); doubt marks the second "8" and the "O" (both wrong). The
        # space's values never count.
        {"box": _box(0, 0, 100, 20), "text": "TOTAL 38.8O",
         "char_confidences": [0.99, 0.99, 0.99, 0.99, 0.99, 0.5, 0.7, 0.99, 0.99, 0.9, 0.5],
         "char_doubt": [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.05, 0.0, 0.0, 0.3, 0.6]},
        # An older JSONL without char_doubt: 1 - confidence stands in.
        {"box": _box(0, 40, 100, 60), "text": "Thank yuo", "char_confidences": [0.99] * 7 + [0.4, 0.99]},
        # Over no truth line: left out of the counts.
        {"box": _box(0, 200, 100, 220), "text": "stray", "char_confidences": [0.1] * 5},
    ]
    pred = _page(tmp_path, truth, lines)
    cal = calibrate(tmp_path, pred, (0.2,))
    assert (cal.chars, cal.wrong, cal.missed) == (18, 4, 0)  # spaces aside; "yuo" costs two
    assert cal.marked["doubt"][0.2] == (3, 3)  # "8", "O", "u"
    assert cal.marked["confidence"][0.2] == (3, 2)  # "3", "O", "u"
    assert cal.precision(0.2) == 1.0 and cal.recall(0.2) == pytest.approx(0.75)
    assert cal.precision(0.2, "confidence") == pytest.approx(2 / 3) and cal.recall(0.2, "confidence") == 0.5
    assert "| 0.20 |" in table("set", cal)
