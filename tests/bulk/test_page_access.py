"""`jobs.run_page` / `documents.read_page`: one page on its own gives what `run_source`
gives for it (bulk's page-level tasks depend on it)."""

from __future__ import annotations

from pathlib import Path

from ocr_app.engine import ErrorKind
from ocr_app.jobs import Source, page_count, run_all, run_page
from tests.documents.test_documents import born_digital_pdf, scanned_pdf
from tests.imagegen import render_lines


def _same(a, b) -> None:
    assert (a.page, a.text, a.origin, a.error_kind, a.image_size) == (b.page, b.text, b.origin, b.error_kind,
                                                                       b.image_size)


def _check(engine, path: Path) -> None:
    source = Source.from_path(path)
    whole = run_all(engine, source, use_cache=False)
    assert page_count(source) == len(whole)
    for number in range(len(whole), 0, -1):  # backwards: nothing depends on the pages before
        _same(run_page(engine, source, number, use_cache=False), whole[number - 1])


def test_pdf_pages_one_by_one(engine, tmp_path):
    _check(engine, scanned_pdf(tmp_path / "scan.pdf", [["First page text"], ["Second page here"]]))
    _check(engine, born_digital_pdf(tmp_path / "born.pdf", [["Typed text one"], ["Typed text two"]]))


def test_tiff_frames_one_by_one(engine, tmp_path):
    frames = [render_lines([t], width=420) for t in ("Frame number one", "Frame number two")]
    path = tmp_path / "pages.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    _check(engine, path)


def test_image_and_bad_pages(engine, tmp_path):
    image = tmp_path / "one.png"
    render_lines(["Just an image"]).save(image)
    _same(run_page(engine, Source.from_path(image), None, use_cache=False),
          run_all(engine, Source.from_path(image), use_cache=False)[0])
    pdf = scanned_pdf(tmp_path / "two.pdf", [["a page"]])
    missing = run_page(engine, Source.from_path(pdf), 5)
    assert missing.error and missing.page == 5
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    res = run_page(engine, Source.from_path(broken), 1)
    assert res.error_kind is ErrorKind.DAMAGED and "broken.pdf" in res.error
    from_bytes = run_page(engine, Source.from_bytes(pdf.read_bytes(), "up.pdf"), 1)
    assert from_bytes.text == run_all(engine, Source.from_path(pdf))[0].text
