"""A disk-cache entry that is valid JSON but not a result (another version, a damaged or
edited file) is a cache miss: recomputed and overwritten, never a permanent failure
(issue 19, item 8)."""

from __future__ import annotations

import json

import pytest

from ocr_app.engine.cache import ResultCache
from ocr_app.engine.result import Line, OcrResult
from tests.imagegen import render_lines, to_bytes

BAD_ENTRIES = [
    {"lines": 5},
    [1, 2, 3],
    "text",
    {"lines": [{"box": [[0, 0], [1, 0], [1, 1]], "text": "x", "confidence": 1.0}]},
    {"lines": [{"text": "no box"}]},
    {"lines": [], "timings": 5},
    {"lines": [], "size": "ab"},
    {"lines": [], "error": "cached failure"},
]


def _good() -> OcrResult:
    box = [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]
    return OcrResult(source="a.png", lines=[Line(box=box, text="hello", confidence=0.9, char_confidences=[0.9] * 5)],
                     timings={"total": 12.0}, image_size=(10, 5))


@pytest.mark.parametrize("entry", BAD_ENTRIES, ids=range(len(BAD_ENTRIES)))
def test_wrong_schema_on_disk_is_a_miss_and_is_removed(tmp_path, entry):
    (tmp_path / "k.json").write_text(json.dumps(entry), encoding="utf-8")
    cache = ResultCache(disk_dir=tmp_path)
    assert cache.get("k") is None
    assert cache.misses == 1 and cache.hits == 0
    assert not (tmp_path / "k.json").exists()
    assert cache.stats()["items"] == 0


def test_good_entries_still_come_back_from_disk(tmp_path):
    ResultCache(disk_dir=tmp_path).put("k", _good())
    hit = ResultCache(disk_dir=tmp_path).get("k")
    assert hit is not None and hit.cached and hit.text == "hello" and hit.image_size == (10, 5)


def test_engine_recomputes_over_a_bad_disk_entry(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "cache", ResultCache(disk_dir=tmp_path))
    data = to_bytes(render_lines(["CACHE 314"]))
    first = engine.run(data)
    assert first.error is None and "CACHE 314" in first.text
    [entry] = list(tmp_path.glob("*.json"))
    entry.write_text('{"lines": 5}', encoding="utf-8")
    engine.cache.clear()
    again = engine.run(data)
    assert again.error is None and "CACHE 314" in again.text and not again.cached
    assert json.loads(entry.read_text(encoding="utf-8"))["lines"]  # rewritten with the real result
    assert engine.run(data).cached
