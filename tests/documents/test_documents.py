"""Documents: generated scanned/born-digital PDFs, multi-page TIFF/GIF, broken files."""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from ocr_app.documents import (
    SUPPORTED_EXTS,
    DocumentError,
    is_document,
    is_supported,
    open_pages,
    pdfdoc,
)
from ocr_app.engine import ErrorKind, Origin
from ocr_app.export import ExportDoc, export_docs
from ocr_app.jobs import Source, run_all
from tests.imagegen import cer, render_lines, to_bgr

PAGES = [
    ["Quarterly report for March", "Revenue grew by 12 percent"],
    ["The second page lists costs", "Rent 4200 and salaries 9100"],
    ["今天天气很好", "我们去公园散步"],
]


def scanned_pdf(path: Path, pages: list[list[str]] = PAGES) -> Path:
    """Image-only PDF (like a scanner makes) at 200 DPI, written by Pillow."""
    imgs = [render_lines(lines, size=40) for lines in pages]
    imgs[0].save(path, "PDF", save_all=True, append_images=imgs[1:], resolution=200.0)
    return path


def _set_text(obj, text: str) -> None:
    buf = ctypes.create_string_buffer(text.encode("utf-16-le") + b"\0\0")
    pdfium_c.FPDFText_SetText(obj, ctypes.cast(buf, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))


def born_digital_pdf(path: Path, pages: list[list[str]], rotate: int = 0) -> Path:
    """Real text objects (Helvetica) on Letter pages, as a word processor would write."""
    pdf = pdfium.PdfDocument.new()
    font = pdfium_c.FPDFText_LoadStandardFont(pdf.raw, b"Helvetica")
    for lines in pages:
        page = pdf.new_page(612, 792)
        for i, text in enumerate(lines):
            obj = pdfium_c.FPDFPageObj_CreateTextObj(pdf.raw, font, ctypes.c_float(18))
            _set_text(obj, text)
            pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 72, 700 - 40 * i)
            pdfium_c.FPDFPage_InsertObject(page.raw, obj)
        pdfium_c.FPDFPage_GenerateContent(page.raw)
        if rotate:
            page.set_rotation(rotate)
    pdf.save(str(path))
    pdf.close()
    return path


def test_supported_and_document_extensions(tmp_path):
    for name in ["a.PDF", "b.tif", "c.TIFF", "d.gif"]:
        assert is_supported(name) and is_document(name)
    for name in ["a.png", "b.JPG", "c.jpeg", "d.bmp"]:
        assert is_supported(name) and not is_document(name)
    assert not is_supported("notes.txt") and not is_supported("archive.zip")
    assert ".pdf" in SUPPORTED_EXTS and ".webp" in SUPPORTED_EXTS
    frames = [render_lines([t], width=300) for t in ("one", "two")]
    anim = tmp_path / "anim.webp"
    frames[0].save(anim, save_all=True, append_images=frames[1:], duration=100)
    still = tmp_path / "still.webp"
    frames[0].save(still)
    assert is_document(anim) and not is_document(still)


def test_scanned_pdf_pages_are_ocrd_in_order(engine, tmp_path):
    path = scanned_pdf(tmp_path / "scan.pdf")
    calls: list[tuple[int, int]] = []
    results = run_all(engine, Source.from_path(path), progress=lambda d, t: calls.append((d, t)))
    assert [r.page for r in results] == [1, 2, 3]
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    for lines, res in zip(PAGES, results, strict=True):
        assert res.ok and res.source == "scan.pdf"
        assert res.origin is not Origin.TEXT_LAYER and "render" in res.timings
        assert cer("\n".join(lines), res.text) < 0.1, res.text


def test_open_pages_renders_one_page_at_about_200_dpi(tmp_path):
    path = scanned_pdf(tmp_path / "scan.pdf")
    count, pages = open_pages(path)
    assert count == 3
    first = next(pages)
    src = render_lines(PAGES[0], size=40)
    assert first.number == 1 and first.text_lines is None
    assert first.image.dtype == np.uint8 and first.image.shape[2] == 3
    assert abs(first.image.shape[1] - src.width) <= 2  # 200 DPI page rendered at 200 DPI
    pages.close()


def test_born_digital_pdf_uses_text_layer_exactly(engine, tmp_path):
    lines = ["Born digital invoice 2024", "Amount due: 1,250.00 EUR"]
    path = born_digital_pdf(tmp_path / "digital.pdf", [lines, ["Second page text"]])
    results = run_all(engine, Source.from_path(path))
    assert [r.text for r in results] == ["\n".join(lines), "Second page text"]
    assert all(r.origin is Origin.TEXT_LAYER for r in results)
    assert all(ln.confidence == 1.0 and ln.kind == "text" for r in results for ln in r.lines)
    ocrd = run_all(engine, Source.from_path(path), use_text_layer=False)  # the OCR route gets the same text
    assert ocrd[0].origin is Origin.OCR
    assert cer("\n".join(lines), ocrd[0].text) < 0.1


@pytest.mark.parametrize("rotate", [0, 90])
def test_text_layer_boxes_cover_the_rendered_text(tmp_path, rotate):
    path = born_digital_pdf(tmp_path / "r.pdf", [["Boxes must land on ink", "Second line here"]], rotate)
    _, pages = open_pages(path)
    page = next(pages)
    gray = page.image.min(axis=2)
    assert len(page.text_lines) == 2
    for line in page.text_lines:
        xs, ys = [p[0] for p in line.box], [p[1] for p in line.box]
        x0, y0, x1, y1 = int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys))
        if rotate == 90:
            assert y1 - y0 > x1 - x0  # text runs down the rotated page
        inside = gray[y0:y1 + 1, x0:x1 + 1]
        assert (inside < 128).mean() > 0.05  # ink where the box is
    pages.close()


def test_searchable_pdf_export_reads_back_through_text_layer(engine, tmp_path):
    """Round trip: scanned PDF → OCR → searchable PDF → documents reads its text layer."""
    scan = scanned_pdf(tmp_path / "scan.pdf")
    results = run_all(engine, Source.from_path(scan))
    doc = ExportDoc(name="scan.pdf", pages=results, images=[scan] * len(results))
    [out] = export_docs([doc], "pdf", tmp_path / "searchable.pdf")
    again = run_all(engine, Source.from_path(out))
    assert len(again) == 3 and all(r.origin is Origin.TEXT_LAYER for r in again)
    src, dst = pdfium.PdfDocument(str(scan)), pdfium.PdfDocument(str(out))
    for i in range(3):  # the searchable copy keeps the original page sizes
        assert dst[i].get_size() == pytest.approx(src[i].get_size(), abs=0.5)
    src.close()
    dst.close()
    for first, second, lines in zip(results, again, PAGES, strict=True):
        assert cer(first.text, second.text) < 0.02
        assert cer("\n".join(lines), second.text) < 0.1


def test_multipage_tiff_and_animated_gif_pages(engine, tmp_path):
    imgs = [render_lines(lines) for lines in PAGES]
    tiff = tmp_path / "fax.tif"
    imgs[0].save(tiff, save_all=True, append_images=imgs[1:], compression="tiff_deflate")
    gif = tmp_path / "slides.gif"
    imgs[0].save(gif, save_all=True, append_images=imgs[1:2], duration=500)
    count, pages = open_pages(tiff)
    assert count == 3
    assert [p.number for p in pages] == [1, 2, 3]
    for path, expected in ((tiff, PAGES), (gif, PAGES[:2])):
        results = run_all(engine, Source.from_path(path))
        assert [r.page for r in results] == list(range(1, len(expected) + 1))
        for lines, res in zip(expected, results, strict=True):
            assert cer("\n".join(lines), res.text) < 0.1, (path.name, res.text)


def test_cancel_stops_between_pages(engine, tmp_path):
    path = scanned_pdf(tmp_path / "scan.pdf")
    done: list[int] = []
    results = run_all(engine, Source.from_path(path), progress=lambda d, t: done.append(d),
                      cancelled=lambda: len(done) >= 2)
    assert [r.page for r in results] == [1]


def test_plain_image_is_one_page_without_number(engine, tmp_path):
    path = tmp_path / "single.png"
    render_lines(PAGES[0]).save(path)
    [res] = run_all(engine, Source.from_path(path))
    assert res.page is None and cer("\n".join(PAGES[0]), res.text) < 0.1


def _encrypted(pdf_bytes: bytes) -> bytes:
    """The same PDF declared encrypted (Standard handler, RC4) with a user password set."""
    enc = ("/Encrypt << /Filter /Standard /V 1 /R 2 /P -44 /O <" + "a5" * 32 + "> /U <" + "3c" * 32 + "> >> "
           "/ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] ")
    out, n = re.subn(rb"trailer\s*<<", b"trailer\n<< " + enc.encode(), pdf_bytes)
    assert n == 1
    return out


def test_password_protected_pdf_gives_clear_error(engine, tmp_path):
    plain = scanned_pdf(tmp_path / "plain.pdf", PAGES[:1])
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(_encrypted(plain.read_bytes()))
    with pytest.raises(DocumentError, match="password-protected"):
        open_pages(locked)
    [res] = run_all(engine, Source.from_path(locked))
    assert res.error_kind is ErrorKind.PASSWORD and "password-protected" in res.error


@pytest.mark.parametrize("content", [b"%PDF-1.7\n" + bytes(range(256)) * 8, b"", b"\x89PNG\r\n\x1a\n not really"])
def test_damaged_pdf_gives_clear_error(tmp_path, content):
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match="damaged or not a PDF"):
        open_pages(path)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_damaged_tiff_and_missing_file(tmp_path):
    bad = tmp_path / "bad.tiff"
    bad.write_bytes(b"II*\x00" + b"\xff" * 64)
    with pytest.raises(DocumentError, match=r"bad\.tiff: not an image, or a damaged file"):
        open_pages(bad)
    with pytest.raises(DocumentError, match="not found"):
        open_pages(tmp_path / "nope.pdf")


def test_huge_page_is_rendered_within_pixel_cap(tmp_path):
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(14400, 14400)  # 200 × 200 inches, the largest page PDF allows
    path = tmp_path / "poster.pdf"
    pdf.save(str(path))
    pdf.close()
    _, pages = open_pages(path)
    page = next(pages)
    h, w = page.image.shape[:2]
    assert h * w <= pdfdoc.MAX_PIXELS and max(h, w) <= pdfdoc.MAX_SIDE
    assert page.error is None and page.text_lines is None
    pages.close()


def test_tiff_page_count_matches_pillow(tmp_path):
    imgs = [Image.fromarray(to_bgr(render_lines([f"page {i}"]))[:, :, ::-1]) for i in range(5)]
    path = tmp_path / "five.tiff"
    imgs[0].save(path, save_all=True, append_images=imgs[1:])
    count, pages = open_pages(path)
    assert count == 5 == len(list(pages))


def test_concurrent_documents_from_threads(tmp_path):
    """PDFium is not thread-safe: parallel readers (GUI pool, server) must still get exact pages."""
    from concurrent.futures import ThreadPoolExecutor

    paths = [born_digital_pdf(tmp_path / f"文档 {i}.pdf", [[f"Document {i} page {p}"] for p in (1, 2, 3)])
             for i in range(3)]

    def read(path: Path) -> list[str]:
        _, pages = open_pages(path)
        return ["\n".join(ln.text for ln in page.text_lines) for page in pages]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(read, paths * 4))
    for path, texts in zip(paths * 4, results, strict=True):
        i = path.stem.split()[-1]
        assert texts == [f"Document {i} page {p}" for p in (1, 2, 3)]


def test_huge_tiff_page_is_downscaled(tmp_path):
    from ocr_app.documents import frames

    path = tmp_path / "fax.tiff"
    Image.new("1", (8000, 6000), 1).save(path, compression="group4")
    count, pages = open_pages(path)
    page = next(pages)
    h, w = page.image.shape[:2]
    assert count == 1 and page.error is None
    assert h * w <= frames.WORK_PIXELS and abs(w / h - 8000 / 6000) < 0.01


def test_closing_the_page_iterator_early_releases_the_file(tmp_path):
    path = scanned_pdf(tmp_path / "scan.pdf", PAGES[:2])
    _, pages = open_pages(path)
    pages.close()  # never iterated: still closes the document
    pages.close()
    assert next(pages, None) is None
    path.unlink()  # nothing holds the file (matters on Windows)
    _, pages = open_pages(scanned_pdf(tmp_path / "again.pdf", PAGES[:2]))
    assert next(pages).number == 1
    pages.close()
    assert next(pages, None) is None


def test_garbage_text_layer_is_ignored_and_page_ocrd(engine, tmp_path):
    """A text layer whose font maps glyphs to nothing readable (private-use codes) is OCR'd."""
    from ocr_app.engine import Line, OcrResult

    img = to_bgr(render_lines(PAGES[0], size=40))
    h, w = img.shape[:2]
    junk = "".join(chr(0xE000 + i) for i in range(30))
    fake = OcrResult(source="x", lines=[Line(box=[[40, 40], [w - 40, 40], [w - 40, 90], [40, 90]], text=junk,
                                             confidence=1.0)], image_size=(w, h))
    [path] = export_docs([ExportDoc(name="junk.pdf", pages=[fake], images=[img])], "pdf", tmp_path / "junk.pdf")
    [res] = run_all(engine, Source.from_path(path))
    assert res.origin is not Origin.TEXT_LAYER
    assert cer("\n".join(PAGES[0]), res.text) < 0.1
