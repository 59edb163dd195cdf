"""Generated photos of curled paper (bench/curled_pages.py): known text, truth boxes that the
scorer can order, the same page under each curl, and text the engine can read on the flat one."""

from __future__ import annotations

import cv2
import numpy as np

from ocr_app.bench import curled_pages
from ocr_app.bench.metrics import load_truth, norm


def _photo(curl: float, seed: int = 1) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    jpeg, lines = curled_pages.photo(curled_pages.flat_page(seed, cjk=False, receipt=False), curl, seed)
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), lines


def test_a_seed_gives_the_same_photo_and_the_curl_bends_the_lines():
    flat, flat_lines = _photo(0.0)
    again, _ = _photo(0.0)
    curled, curled_lines = _photo(curled_pages.CURLS["strong"])
    assert np.array_equal(flat, again)
    assert [t for _, t in flat_lines] == [t for _, t in curled_lines]
    assert flat.shape == curled.shape
    assert np.abs(flat.astype(np.int16) - curled.astype(np.int16)).mean() > 10
    # Each truth box lies inside the photo, rows from top to bottom.
    h, w = flat.shape[:2]
    for box, _ in curled_lines:
        assert box[:, 0].min() >= 0 and box[:, 0].max() <= w and box[:, 1].min() >= 0 and box[:, 1].max() <= h
    tops = [box[:, 1].min() for box, _ in curled_lines]
    assert tops == sorted(tops)


def test_sets_are_written_in_the_scorers_layout(tmp_path):
    folders = curled_pages.write_sets(tmp_path, pages=2)
    assert sorted(folders) == ["flat", "mild", "strong"]
    for folder in folders.values():
        images = sorted(folder.glob("*.jpg"))
        assert [p.stem for p in images] == ["en_text_01", "zh_text_00"]
        for image in images:
            truth = load_truth(image.with_suffix(".csv"))
            assert len(truth) >= 15 and all(line.text.strip() for line in truth)


def test_the_engine_reads_the_uncurled_photo(engine):
    image, lines = _photo(0.0)
    read = set(norm(engine.run(image).text).split())
    words = [w for _, text in lines for w in norm(text).split()]
    assert sum(w in read for w in words) / len(words) > 0.9
