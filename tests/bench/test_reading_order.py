"""Reading-order error (bench/reading_order.py): zero for lines in the truth's order, and it
counts lines out of order even when every character was read."""

from __future__ import annotations

import json

from ocr_app.bench.reading_order import main, order_error


def _folder(tmp_path):
    tmp_path.mkdir()
    (tmp_path / "p.png").write_bytes(b"")
    (tmp_path / "p.csv").write_text("0,0,9,0,9,9,0,9,Item 1.00\n0,20,9,20,9,29,0,29,Total 2.00\n", encoding="utf-8")
    return tmp_path


def _jsonl(path, texts):
    path.write_text(json.dumps({"image": "p.png", "lines": [{"text": t} for t in texts]}) + "\n", encoding="utf-8")
    return path


def test_lines_in_the_truths_order_have_no_error(tmp_path):
    folder = _folder(tmp_path / "gt")
    right = _jsonl(tmp_path / "right.jsonl", ["ITEM", "1.00", "total 2.00"])
    assert order_error(folder, right) == (0.0, {"p.png": 0.0})


def test_a_price_read_a_row_too_early_counts(tmp_path, capsys):
    folder = _folder(tmp_path / "gt")
    swapped = _jsonl(tmp_path / "swapped.jsonl", ["Item", "2.00", "Total", "1.00"])
    error, pages = order_error(folder, swapped)
    assert error == pages["p.png"] == 2 / 17  # "1" and "2" change places
    assert main([str(folder), str(swapped)]) == 0
    assert "swapped.jsonl | 1 |" in capsys.readouterr().out
