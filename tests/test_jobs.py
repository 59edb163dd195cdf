"""The job runner: every kind of source becomes pages and results the same way."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ocr_app.engine import STAGES, ErrorKind, Origin
from ocr_app.jobs import Source, document_suffix, page_count, page_image, preview, run_all
from tests.imagegen import cer, render_lines, save, to_bgr, to_bytes

PAGES = [["FIRST PAGE OF THREE"], ["SECOND PAGE HERE"], ["THIRD AND LAST"]]


def _multi(fmt: str) -> bytes:
    imgs = [render_lines(p, size=28) for p in PAGES]
    return to_bytes(imgs[0], fmt, save_all=True, append_images=imgs[1:])


def test_an_image_is_one_result_whatever_form_it_comes_in(engine, tmp_path):
    img = render_lines(["Same text three ways"])
    path = save(img, tmp_path / "one.png")
    results = [run_all(engine, src, use_cache=False) for src in
               (Source.from_path(path), Source.from_bytes(to_bytes(img), "pasted.png"),
                Source.from_image(to_bgr(img), "capture"))]
    for got in results:
        assert len(got) == 1 and got[0].page is None and got[0].ok
        assert cer("Same text three ways", got[0].text) < 0.1
    assert [r[0].source for r in results] == ["one.png", "pasted.png", "capture"]


@pytest.mark.parametrize("fmt", ["TIFF", "PDF"])
def test_documents_give_one_result_per_page_from_a_path_or_bytes(engine, tmp_path, fmt):
    data = _multi(fmt)
    path = tmp_path / f"doc.{fmt.lower()}"
    path.write_bytes(data)
    for source in (Source.from_path(path), Source.from_bytes(data)):
        calls: list[tuple[int, int]] = []
        got = run_all(engine, source, progress=lambda d, t, calls=calls: calls.append((d, t)))
        assert [r.page for r in got] == [1, 2, 3]
        assert all(cer(" ".join(p), r.text) < 0.1 for p, r in zip(PAGES, got, strict=True))
        assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
        assert page_count(source) == 3


def test_cancel_and_max_pages_stop_between_pages(engine):
    source = Source.from_bytes(_multi("TIFF"))
    assert [r.page for r in run_all(engine, source, max_pages=2)] == [1, 2]
    seen: list[int] = []
    got = run_all(engine, source, progress=lambda d, t: seen.append(d), cancelled=lambda: len(seen) > 1)
    assert [r.page for r in got] == [1]


def test_a_damaged_upload_is_an_error_result_that_names_no_temp_file(engine):
    [res] = run_all(engine, Source.from_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4, "upload.pdf"))
    assert res.error_kind is ErrorKind.DAMAGED
    assert "ocrdesk-" not in res.error and "/tmp" not in res.error and "upload.pdf" in res.error


def test_a_missing_file_is_an_error_with_its_kind(engine, tmp_path):
    [res] = run_all(engine, Source.from_path(tmp_path / "gone.png"))
    assert res.error_kind is ErrorKind.NOT_FOUND and res.page is None


def test_a_single_frame_tiff_upload_is_read_as_one_image(engine):
    data = to_bytes(render_lines(["Only one frame"]), "TIFF")
    assert document_suffix(Source.from_bytes(data)) == ".tif"
    [res] = run_all(engine, Source.from_bytes(data))
    assert res.page is None and cer("Only one frame", res.text) < 0.1


def test_cached_results_say_so(engine):
    source = Source.from_bytes(to_bytes(render_lines(["Cache me once"])))
    first = run_all(engine, source)[0]
    again = run_all(engine, source)[0]
    assert first.origin in (Origin.OCR, Origin.CACHE) and again.origin is Origin.CACHE
    assert again.text == first.text


def test_previews_need_no_engine_and_match_the_page(tmp_path):
    data = _multi("PDF")
    shown = preview(Source.from_bytes(data), page=2)
    assert set(shown) == {"original", *STAGES}
    assert shown["binary"].shape == shown["original"].shape[:2]
    assert page_image(Source.from_bytes(data), 2).shape == shown["original"].shape


def test_exif_rotation_is_applied_on_the_one_decode_path(tmp_path):
    img = Image.new("RGB", (300, 100), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    path = tmp_path / "turned.jpg"
    path.write_bytes(buf.getvalue())
    pixels = page_image(Source.from_path(path))
    assert pixels.shape[:2] == (300, 100)
    assert preview(Source.from_bytes(buf.getvalue()))["original"].shape[:2] == (300, 100)
    assert isinstance(pixels, np.ndarray)
