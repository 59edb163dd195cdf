"""Each engine stage on real generated images."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from ocr_app.engine import Engine, EngineConfig, preprocess
from ocr_app.engine.cache import ResultCache
from ocr_app.engine.crop import crop_quad, is_tall
from ocr_app.engine.ctc import greedy_decode, load_charset
from ocr_app.engine.geometry import text_quad
from ocr_app.engine.layout import group_rows, lay_out, render, row_order
from ocr_app.engine.load import load
from ocr_app.engine.result import Line, OcrResult
from tests.imagegen import cer, render_lines, to_bgr, to_bytes


def _page(lines: list[str], **kw) -> np.ndarray:
    return to_bgr(render_lines(lines, **kw))


def test_preprocess_stages_are_named_images_of_the_page_size():
    img = _page(["Stage images for display"])
    stages = preprocess.stage_images(img)
    assert set(stages) == set(preprocess.STAGES)
    for name in ("gray", "equalized", "binary"):
        assert stages[name].shape == img.shape[:2], name
    assert set(np.unique(stages["binary"])) <= {0, 255}


def test_skew_is_estimated_and_corrected():
    img = _page(["A long line of text to measure the skew", "and another one below it for good measure"])
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 6.0, 1.0)
    skewed = cv2.warpAffine(img, m, (w, h), borderValue=(255, 255, 255))
    angle = preprocess.estimate_skew(preprocess.grayscale(skewed))
    assert angle == pytest.approx(6.0, abs=1.5)
    assert abs(preprocess.estimate_skew(preprocess.grayscale(preprocess.rotate(skewed, -angle)))) < 1.5


def test_page_quad_found_and_flattened():
    page = _page(["Perspective page", "with several lines", "of body text", "on white paper"],
                 size=40, width=700, margin=60)
    canvas = np.full((700, 900, 3), 60, np.uint8)
    ph, pw = page.shape[:2]
    src = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    dst = np.float32([[120, 90], [120 + pw * 0.95, 70], [140 + pw, 90 + ph], [100, 110 + ph]])
    warped = cv2.warpPerspective(page, cv2.getPerspectiveTransform(src, dst), (900, 700), dst=canvas,
                                 borderMode=cv2.BORDER_TRANSPARENT)
    quad = preprocess.find_page_quad(warped)
    assert quad is not None
    assert np.abs(quad - dst).max() < 15
    flat = preprocess.flatten(warped)
    assert abs(flat.shape[1] / flat.shape[0] - pw / ph) < 0.15
    # a scan that fills the frame has no page edge
    assert preprocess.find_page_quad(page) is None


def test_flatten_pages_reads_a_photographed_page_and_maps_boxes_back():
    lines = ["Perspective page", "with several lines", "of body text", "on white paper"]
    page = _page(lines, size=40, width=700, margin=60)
    ph, pw = page.shape[:2]
    src = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    dst = np.float32([[120, 90], [120 + pw * 0.95, 70], [140 + pw, 90 + ph], [100, 110 + ph]])
    photo = cv2.warpPerspective(page, cv2.getPerspectiveTransform(src, dst), (900, 700),
                                dst=np.full((700, 900, 3), 60, np.uint8), borderMode=cv2.BORDER_TRANSPARENT)
    res = Engine(EngineConfig(threads=2, flatten_pages=True)).run(photo, use_cache=False)
    assert cer("\n".join(lines), res.text) < 0.05, res.text
    first = np.array(res.lines[0].box)
    # the first line's box lies inside the page's top-left area of the photo, not the flat page's
    assert 120 < first[:, 0].min() < 300 and 90 < first[:, 1].min() < 250


def test_resize_to_height_keeps_aspect_and_normalize_range():
    crop = np.full((20, 100, 3), 255, np.uint8)
    out = preprocess.resize_to_height(crop, 48)
    assert out.shape[:2] == (48, 240)
    norm = preprocess.normalize(out)
    assert norm.shape == (3, 48, 240)
    assert norm.max() == pytest.approx(1.0)


def test_detector_finds_each_line_in_reading_order(engine: Engine):
    lines = ["First line here", "Second line below", "Third line at the end"]
    img = _page(lines, size=30)
    quads, scores = engine.detector(img)
    assert len(quads) == 3
    assert all(s > 0.5 for s in scores)
    rows = group_rows([q.tolist() for q in quads])
    tops = [min(p[1] for p in quads[r[0]]) for r in rows]
    assert tops == sorted(tops)


def test_detector_on_empty_page_finds_nothing(engine: Engine):
    assert engine.detector(np.full((300, 400, 3), 255, np.uint8)) == ([], [])


def test_crop_is_axis_aligned_and_tall_detection():
    img = _page(["Crop me"])
    quad = np.float32([[10, 10], [110, 10], [110, 40], [10, 40]])
    crop = crop_quad(img, quad)
    assert crop.shape[:2] == (30, 100)
    assert is_tall(np.zeros((60, 20, 3), np.uint8))
    assert not is_tall(crop)


def test_classifier_turns_upside_down_lines(engine: Engine):
    img = _page(["Upside down receipt total 42.50"], margin=10)
    flipped = cv2.rotate(img, cv2.ROTATE_180)
    assert engine.classifier is not None
    (quad,), _ = engine.detector(img)
    line = crop_quad(img, quad)
    assert engine.classifier([cv2.rotate(line, cv2.ROTATE_180), line]) == [True, False]
    res = engine.run(flipped, name="flipped", use_cache=False)
    assert cer("Upside down receipt total 42.50", res.text) < 0.1, res.text


def test_ctc_greedy_decode_collapses_repeats_and_blanks():
    charset = load_charset("a\nb", None)  # blank, a, b, space
    steps = [1, 1, 0, 1, 2, 2, 3, 2, 0]
    probs = np.full((1, len(steps), 4), 0.01, np.float32)
    for t, k in enumerate(steps):
        probs[0, t, k] = 0.9 if t != 4 else 0.6
    (dec,) = greedy_decode(probs, charset)
    assert dec.text == "aab b"
    assert len(dec.char_confidences) == len(dec.text)
    assert dec.char_confidences[2] == pytest.approx(0.6)
    assert dec.frames == [0, 3, 4, 6, 7]


def test_recogniser_batches_mixed_widths_consistently(engine: Engine):
    texts = ["OK", "A much longer line of text to pad against", "中文识别", "12.50"]
    crops = [to_bgr(render_lines([t], margin=6)) for t in texts]
    together = engine.recognizer.read(crops)
    alone = [engine.recognizer.read([c])[0] for c in crops]
    for t, a, b in zip(texts, together, alone, strict=True):
        assert cer(t, a.text) < 0.1, a.text
        assert a.text == b.text


def test_layout_rows_and_page_text():
    lines = [Line([[200, 10], [300, 10], [300, 30], [200, 30]], "right", 1.0),
             Line([[10, 12], [100, 12], [100, 32], [10, 32]], "left", 1.0),
             Line([[10, 60], [100, 60], [100, 80], [10, 80]], "next", 1.0)]
    ordered = [lines[i] for i in row_order([ln.box for ln in lines])]
    assert [ln.text for ln in ordered] == ["left", "right", "next"]
    laid = lay_out(lines)
    assert render(laid, "raw") == render(laid, "lines") == "left right\nnext"


def test_result_round_trips_through_dict():
    res = OcrResult("a.png", [Line([[0, 0], [1, 0], [1, 1], [0, 1]], "x", 0.9, [0.9])], {"total": 1.0}, (10, 10))
    back = OcrResult.from_dict(res.to_dict())
    assert back.lines == res.lines and back.image_size == (10, 10) and back.source == "a.png"


def test_cache_hits_are_reported_and_bounded(engine: Engine):
    data = to_bytes(render_lines(["Cache me please"]))
    first = engine.run(data, name="one.png")
    second = engine.run(data, name="two.png")
    assert not first.cached and second.cached
    assert second.source == "two.png" and second.text == first.text
    cache = ResultCache(max_items=2)
    for i in range(3):
        cache.put(str(i), first)
    assert cache.get("0") is None and cache.get("2") is not None
    assert cache.stats()["items"] == 2


def test_disk_cache_survives_a_new_cache(tmp_path, engine: Engine):
    res = engine.run(to_bytes(render_lines(["Disk cache"])), use_cache=False)
    ResultCache(4, tmp_path).put("k", res)
    hit = ResultCache(4, tmp_path).get("k")
    assert hit is not None and hit.cached and hit.text == res.text


def test_previews_are_made_on_demand_without_models():
    shown = Engine.preview(_page(["Stages please"]))
    assert set(shown) == {"original", *preprocess.STAGES}
    assert shown["gray"].shape == shown["binary"].shape == shown["original"].shape[:2]


def test_timings_cover_every_stage(engine: Engine):
    res = engine.run(_page(["Timings"]), use_cache=False)
    stages = {"load", "preprocess", "detect", "classify", "recognize", "postprocess", "layout", "total"}
    assert stages <= set(res.timings)
    assert res.timings["total"] >= res.timings["detect"]


def test_boxes_are_in_original_pixels_after_downscale(engine: Engine):
    img = _page(["Big image text"], size=120, margin=400)
    big = cv2.resize(img, None, fx=3, fy=3)  # beyond the working pixel cap
    res = engine.run(big, use_cache=False)
    assert res.image_size == (big.shape[1], big.shape[0])
    xs = [p[0] for ln in res.lines for p in ln.box]
    assert max(xs) > big.shape[1] * 0.5
    assert cer("Big image text", res.text) < 0.1


def test_single_line_strip_is_padded_and_read(engine: Engine):
    strip = _page(["A single line screenshot strip with more words"], margin=4)
    assert strip.shape[1] / strip.shape[0] > 8  # elongated enough to need padding
    res = engine.run(strip, use_cache=False)
    assert cer("A single line screenshot strip with more words", res.text) < 0.1, res.text


def test_fp32_and_int8_agree_on_clean_text():
    img = _page(["Precision check 2024-11-26", "精度对比测试"])
    a = Engine(EngineConfig(precision="fp32", threads=2)).run(img, use_cache=False)
    b = Engine(EngineConfig(precision="int8", threads=2)).run(img, use_cache=False)
    assert cer(a.text, b.text) < 0.05


def test_load_reads_paths_with_unicode_names(tmp_path):
    path = tmp_path / "收据 scan 01.png"
    render_lines(["x"]).save(path)
    assert load(path).image.shape[2] == 3


def test_upside_down_page_with_many_lines_is_turned(engine: Engine):
    lines = [f"Line {i} of an upside down page" for i in range(20)]
    img = cv2.rotate(_page(lines, size=24), cv2.ROTATE_180)
    res = engine.run(img, use_cache=False)
    assert cer("\n".join(lines), res.text) < 0.1, res.text


def test_recogniser_batches_by_count_and_pixel_budget(engine: Engine):
    rec = engine.recognizer
    widths = [100] * 10 + [1500, 2000, 90]
    groups = rec.batches(widths)
    assert sorted(i for g in groups for i in g) == list(range(len(widths)))
    for g in groups:
        assert len(g) <= rec.batch
        assert len(g) == 1 or max(max(rec.min_width, widths[i]) for i in g) * len(g) <= rec.batch_pixels
    assert [10] in groups and [11] in groups  # long lines run alone


def test_detector_input_is_capped_in_area_and_multiple_of_32(engine: Engine):
    cfg = engine.detector.config
    for h, w in [(3508, 2481), (1000, 460), (40, 900), (1200, 900)]:
        rh, rw = engine.detector.input_size(h, w)
        assert rh % 32 == 0 and rw % 32 == 0
        assert rh * rw <= cfg.max_pixels * 1.1
    assert engine.detector.input_size(1000, 460)[1] >= 608  # small receipts are still upscaled
    rh, rw = engine.detector.input_size(95, 300)  # a snippet: at most 2x, not a full page's worth
    assert rh <= 2 * 95 + 32 and rw <= 2 * 300 + 32


def test_small_snippets_with_small_text_are_read(engine: Engine):
    for lines, size in [(["tiny 8px text here ok"], 10), (["Receipt No. 4521 total 12.50", "发票总计人民币38.90"], 22)]:
        res = engine.run(_page(lines, size=size, margin=8), use_cache=False)
        assert cer("\n".join(lines), res.text) < 0.05, res.text


def test_reported_boxes_hug_the_text_rows(engine: Engine):
    """Tightly set lines get boxes about one text height tall that do not overlap; the
    detector quads used for the crops are taller (they carry the recogniser's margin)."""
    size = 28
    img = _page(["Subtotal 12.50", "Rounding 0.02", "Total 12.52"], size=size, line_gap=1.25)
    result = engine.run(img, use_cache=False)
    assert [ln.text for ln in result.lines] == ["Subtotal 12.50", "Rounding 0.02", "Total 12.52"]
    spans = [(min(p[1] for p in ln.box), max(p[1] for p in ln.box)) for ln in result.lines]
    assert all(0.6 * size < bot - top < 1.3 * size for top, bot in spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    quads, _ = engine.detector(img)
    padded = sorted(float(max(q[:, 1]) - min(q[:, 1])) for q in quads)
    assert padded[0] > max(bot - top for top, bot in spans)


def test_text_quad_scales_height_about_the_centre_keeping_slant():
    quad = np.array([[0, 10], [100, 20], [100, 60], [0, 50]], np.float32)
    out = text_quad(quad, 0.5)
    np.testing.assert_allclose(out, [[0, 20], [100, 30], [100, 50], [0, 40]])


def test_ctc_decode_emits_a_half_seen_character_or_space_but_keeps_doubled_letters():
    from ocr_app.engine.ctc import greedy_decode
    charset = ["<blank>", "a", "b", "l", " "]

    def frames(*rows):
        return np.array([rows], np.float32)

    # blank wins frame 2, but 'b' holds 0.35 of it: a character the model half sees
    probs = frames([0, 1, 0, 0, 0], [1, 0, 0, 0, 0], [0.65, 0, 0.35, 0, 0], [1, 0, 0, 0, 0], [0, 1, 0, 0, 0])
    assert greedy_decode(probs, charset)[0].text == "aba"
    # a space needs less: 0.25
    probs = frames([0, 1, 0, 0, 0], [0.75, 0, 0, 0, 0.25], [0, 0, 1, 0, 0])
    assert greedy_decode(probs, charset)[0].text == "a b"
    # a weak runner-up stays blank
    probs = frames([0, 1, 0, 0, 0], [0.85, 0, 0.15, 0, 0], [0, 0, 0, 1, 0])
    assert greedy_decode(probs, charset)[0].text == "al"
    # "ll": the blank between the two l's must not turn into 'l' and merge them
    probs = frames([0, 0, 0, 1, 0], [0.6, 0, 0, 0.4, 0], [0, 0, 0, 1, 0])
    assert greedy_decode(probs, charset)[0].text == "ll"


def test_normalized_blob_is_contiguous_chw_in_minus_one_to_one():
    img = np.zeros((4, 5, 3), np.uint8)
    img[..., 0], img[..., 1], img[..., 2] = 0, 255, np.arange(5, dtype=np.uint8) * 50
    blob = preprocess.normalize(img)[None]  # as the detector feeds it
    assert blob.shape == (1, 3, 4, 5) and blob.dtype == np.float32 and blob.flags.c_contiguous
    assert np.all(blob[0, 0] == -1.0) and np.all(blob[0, 1] == 1.0)  # channel order kept (BGR)
    # the same values as the float page normalised as a whole, to the last bit
    whole = img.astype(np.float32).transpose(2, 0, 1)[None] * np.float32(2.0 / 255.0) - np.float32(1.0)
    assert np.array_equal(blob, whole)
