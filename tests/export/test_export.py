"""Export formats on real OCR results of generated pages: text, page numbers, atomicity."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from ocr_app.export import FORMATS, ExportDoc, ExportError, atomic_write_text, export_docs
from tests.imagegen import cer, render_lines, save, to_bgr

EN1 = ["Invoice number 2024 0117", "Total amount due 350 dollars"]
EN2 = ["Second page of the scan", "Signed by the manager"]
ZH = ["今天天气很好", "我们去公园散步"]


@pytest.fixture(scope="module")
def pages(engine):
    """(expected lines, BGR image, OcrResult) for three generated pages."""
    out = []
    for lines in (EN1, EN2, ZH):
        img = to_bgr(render_lines(lines))
        res = engine.run(img, name="page.png")
        assert res.ok and res.lines
        out.append((lines, img, res))
    return out


def _two_page_doc(pages, edited=None) -> ExportDoc:
    """`edited`: per page None or the user's text; its k-th line replaces recognised line k."""
    from ocr_app.export.edits import EditLine

    results = []
    for n, (_lines, _img, res) in enumerate(pages[:2], 1):
        res = type(res).from_dict(res.to_dict())
        res.page = n
        results.append(res)
    edits = None
    if edited is not None:
        edits = [None if text is None else [EditLine(t, k if k < len(res.lines) else None)
                                            for k, t in enumerate(text.splitlines())]
                 for text, res in zip(edited, results, strict=True)]
    return ExportDoc(name="scan 01.pdf", pages=results, images=[p[1] for p in pages[:2]], edits=edits)


def _single_doc(pages) -> ExportDoc:
    _lines, img, res = pages[2]
    return ExportDoc(name="中文.png", pages=[res], images=[img])


def test_txt_has_doc_and_page_headers_and_text(pages, tmp_path):
    docs = [_two_page_doc(pages), _single_doc(pages)]
    [out] = export_docs(docs, "txt", tmp_path / "all.txt")
    text = out.read_text(encoding="utf-8")
    assert "==== scan 01.pdf ====" in text and "==== 中文.png ====" in text
    assert "--- Page 1 ---" in text and "--- Page 2 ---" in text
    page1 = text.split("--- Page 1 ---")[1].split("--- Page 2 ---")[0]
    assert cer("\n".join(EN1), page1) < 0.1
    assert cer("".join(ZH), text.split("==== 中文.png ====")[1]) < 0.1


def test_markdown_pages_and_escaping(pages, tmp_path):
    doc = _two_page_doc(pages, edited=["# not a heading\n- not a list", None])
    [out] = export_docs([doc], "md", tmp_path / "doc.md")
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# scan 01.pdf")
    assert "## Page 1" in md and "## Page 2" in md
    assert "\\# not a heading" in md and "\\- not a list" in md
    assert cer("\n".join(EN2), md.split("## Page 2")[1]) < 0.1


def test_json_keeps_boxes_confidences_pages_and_edits(pages, tmp_path):
    doc = _two_page_doc(pages, edited=[None, "corrected text"])
    [out] = export_docs([doc, _single_doc(pages)], "json", tmp_path / "r.json")
    data = json.loads(out.read_text(encoding="utf-8"))
    first, single = data["documents"]
    assert [p["page"] for p in first["pages"]] == [1, 2]
    assert single["pages"][0]["page"] is None
    p1 = first["pages"][0]
    assert cer("\n".join(EN1), p1["text"]) < 0.1 and p1["edited"] is False
    line = p1["lines"][0]
    assert len(line["box"]) == 4 and 0 < line["confidence"] <= 1
    assert len(line["char_confidences"]) == len(line["text"]) and line["kind"] == "text"
    assert "total" in p1["timings"]
    p2 = first["pages"][1]
    assert p2["text"] == "corrected text" and p2["edited"] is True
    assert cer("\n".join(EN2), p2["recognized_text"]) < 0.1


def test_csv_one_row_per_line_with_boxes(pages, tmp_path):
    doc = _two_page_doc(pages)
    [out] = export_docs([doc, _single_doc(pages)], "csv", tmp_path / "r.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Chinese correctly
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    n_lines = sum(len(r.lines) for r in doc.pages) + len(pages[2][2].lines)
    assert len(rows) == n_lines
    page2 = [r for r in rows if r["file"] == "scan 01.pdf" and r["page"] == "2"]
    assert [int(r["line"]) for r in page2] == list(range(1, len(page2) + 1))
    assert cer("\n".join(EN2), "\n".join(r["text"] for r in page2)) < 0.1
    first = rows[0]
    assert float(first["confidence"]) > 0.5
    assert float(first["x3"]) > float(first["x1"]) and float(first["y3"]) > float(first["y1"])
    assert cer("".join(ZH), "".join(r["text"] for r in rows if r["file"] == "中文.png")) < 0.1


def _pdf_texts(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def test_searchable_pdf_text_round_trips_english_and_chinese(pages, tmp_path):
    docs = [_two_page_doc(pages), _single_doc(pages)]
    [out] = export_docs(docs, "pdf", tmp_path / "searchable.pdf")
    texts = _pdf_texts(out)
    assert len(texts) == 3
    pdf = pdfium.PdfDocument(str(out))
    assert [(b.get_title(), b.get_dest().get_index()) for b in pdf.get_toc()] == [("scan 01.pdf", 0), ("中文.png", 2)]
    pdf.close()
    for (expected, _img, res), extracted in zip(pages, texts, strict=True):
        assert cer(res.text, extracted) < 0.02, (res.text, extracted)
        assert cer("\n".join(expected), extracted) < 0.1


def test_searchable_pdf_text_sits_on_the_recognised_boxes(pages, tmp_path):
    _lines, img, res = pages[2]
    [out] = export_docs([_single_doc(pages)], "pdf", tmp_path / "zh.pdf")
    pdf = pdfium.PdfDocument(str(out))
    page = pdf[0]
    pw, ph = page.get_size()
    scale = pw / img.shape[1]
    rendered = page.render(scale=1 / scale).to_numpy()
    assert abs(rendered.shape[1] - img.shape[1]) <= 1  # the page shows the original image
    assert np.abs(rendered[:, :, :3].astype(int).mean() - img.mean()) < 3  # and no visible text added
    tp = page.get_textpage()
    first = res.lines[0]
    left, bottom, right, top = tp.get_charbox(0)
    cx, cy = (left + right) / 2 / scale, (ph - (bottom + top) / 2) / scale
    xs, ys = [p[0] for p in first.box], [p[1] for p in first.box]
    assert min(xs) <= cx <= max(xs) and min(ys) <= cy <= max(ys)
    assert tp.get_text_range(0, 1) == first.text[0]
    pdf.close()


def test_pdf_from_image_files_and_multipage_tiff(pages, engine, tmp_path):
    from PIL import Image

    from ocr_app.jobs import Source, run_all

    imgs = [render_lines(lines) for lines, _i, _r in pages]
    tiff = tmp_path / "scan.tiff"
    imgs[0].save(tiff, save_all=True, append_images=imgs[1:])
    png = save(imgs[2], tmp_path / "one.png")
    results = run_all(engine, Source.from_path(tiff))
    tiff_doc = ExportDoc(name=tiff.name, pages=results, images=[tiff] * len(results))
    png_doc = ExportDoc(name=png.name, pages=[engine.run(png)], images=[png])
    [out] = export_docs([tiff_doc, png_doc], "pdf", tmp_path / "out.pdf")
    texts = _pdf_texts(out)
    assert len(texts) == 4
    for (expected, *_), extracted in zip(pages + pages[2:], texts, strict=True):
        assert cer("\n".join(expected), extracted) < 0.1
    assert Image.open(tiff).n_frames == 3


def test_separate_files_get_unique_names(pages, tmp_path):
    a = ExportDoc(name="a.png", pages=[pages[0][2]])
    b = ExportDoc(name="a.jpg", pages=[pages[1][2]])
    c = ExportDoc(name='we:ird/na*me?.png', pages=[pages[2][2]])
    written = export_docs([a, b, c], "txt", tmp_path / "out", combined=False)
    assert [p.name for p in written] == ["a.txt", "a (2).txt", "na_me_.txt"]
    assert cer("\n".join(EN1), written[0].read_text(encoding="utf-8")) < 0.1
    assert cer("\n".join(EN2), written[1].read_text(encoding="utf-8")) < 0.1


def test_failed_write_leaves_previous_file_intact(pages, tmp_path):
    target = tmp_path / "report.pdf"
    atomic_write_text(target, "previous export")
    good = _two_page_doc(pages)
    broken = ExportDoc(name="b.png", pages=[pages[2][2]], images=[tmp_path / "missing.png"])
    with pytest.raises(ExportError, match=r"missing\.png"):
        export_docs([good, broken], "pdf", target)  # fails after two pages were written
    assert target.read_text() == "previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]  # no temp file left


def test_writer_exception_midway_leaves_previous_file(pages, tmp_path):
    target = tmp_path / "out.pdf"
    atomic_write_text(target, "old")
    bad = ExportDoc(name="x.png", pages=[pages[0][2], pages[1][2]],
                    images=[pages[0][1], np.zeros((2, 2, 2, 2), np.uint8)])
    with pytest.raises(ExportError):
        export_docs([bad], "pdf", target)
    assert target.read_text() == "old"
    assert len(list(tmp_path.iterdir())) == 1


def test_unwritable_targets_raise_export_error(pages, tmp_path):
    doc = ExportDoc(name="a.png", pages=[pages[0][2]])
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="cannot write"):
        export_docs([doc], "txt", blocker / "out.txt")
    with pytest.raises(ExportError, match="folder"):
        export_docs([doc], "txt", tmp_path)
    with pytest.raises(ExportError, match="not a folder"):
        export_docs([doc], "txt", blocker, combined=False)
    with pytest.raises(ExportError, match="unknown export format"):
        export_docs([doc], "docx", tmp_path / "a.docx")
    with pytest.raises(ExportError, match="page images"):
        export_docs([doc], "pdf", tmp_path / "a.pdf")
    assert set(FORMATS) == {"txt", "md", "json", "csv", "pdf"}


def test_pdf_structure_is_valid_and_edits_are_fitted_into_their_boxes(pages, tmp_path):
    import pypdfium2.raw as pdfium_c

    doc = _two_page_doc(pages, edited=["Invoice number 2024 0118\nTotal amount due 351 dollars", "only one line"])
    [out] = export_docs([doc], "pdf", tmp_path / "edited.pdf")
    pdf = pdfium.PdfDocument(str(out))
    assert pdfium_c.FPDF_DocumentHasValidCrossReferenceTable(pdf.raw)  # no repair needed by readers
    pdf.close()
    first, second = _pdf_texts(out)
    assert cer("Invoice number 2024 0118 Total amount due 351 dollars", first) == 0  # each edit in its box
    assert second.strip() == "only one line"  # the first line edited, the second deleted


def test_pdf_keeps_a_blank_page_for_a_page_that_failed(pages, tmp_path):
    from ocr_app.engine import OcrResult

    failed = OcrResult(source="scan.pdf", error="damaged page", page=2)
    unreadable = OcrResult(source="scan.pdf", error="cannot open file", page=3)
    ok = type(pages[0][2]).from_dict(pages[0][2].to_dict())
    ok.page = 1
    doc = ExportDoc(name="scan.pdf", pages=[ok, failed, unreadable],
                    images=[pages[0][1], None, tmp_path / "gone.png"])
    [out] = export_docs([doc], "pdf", tmp_path / "partial.pdf")
    texts = _pdf_texts(out)
    assert len(texts) == 3 and texts[1:] == ["", ""] and cer("\n".join(EN1), texts[0]) < 0.1
    [txt] = export_docs([doc], "txt", tmp_path / "partial.txt")
    assert "[error: damaged page]" in txt.read_text(encoding="utf-8")


def test_scan_dpi_gives_physical_page_size_and_separate_pdfs(pages, tmp_path):
    from PIL import Image

    lines, img, res = pages[0]
    scan = tmp_path / "scan300.png"
    Image.fromarray(img[:, :, ::-1]).save(scan, dpi=(300, 300))
    shot = tmp_path / "screenshot.png"
    Image.fromarray(img[:, :, ::-1]).save(shot)
    docs = [ExportDoc(name=scan.name, pages=[res], images=[scan]),
            ExportDoc(name=shot.name, pages=[res], images=[shot])]
    written = export_docs(docs, "pdf", tmp_path / "out", combined=False)
    assert [p.name for p in written] == ["scan300.pdf", "screenshot.pdf"]
    h, w = img.shape[:2]
    sizes = []
    for path in written:
        pdf = pdfium.PdfDocument(str(path))
        sizes.append(pdf[0].get_size())
        assert cer("\n".join(lines), pdf[0].get_textpage().get_text_range()) < 0.1
        pdf.close()
    assert sizes[0] == pytest.approx((w * 72 / 300, h * 72 / 300), abs=0.5)
    assert sizes[1] == pytest.approx((w, h), abs=0.5)  # small screenshot, no DPI: 72 DPI


def test_rotated_box_gets_rotated_text():
    """Text on a tilted box runs along the box, so selection follows the tilted line."""
    import math

    from ocr_app.export.pdfwriter import PdfWriter

    buf = io.BytesIO()
    writer = PdfWriter(buf)
    angle = math.radians(30)
    ux, uy = math.cos(angle), math.sin(angle)
    x0, y0, length, height = 100.0, 100.0, 300.0, 20.0
    bl, br = (x0, y0), (x0 + length * ux, y0 + length * uy)
    tl, tr = (x0 - height * uy, y0 + height * ux), (br[0] - height * uy, br[1] + height * ux)
    writer.add_page(600, 600, None, (0, 0), False, writer.text_ops("斜体文字 tilted", [tl, tr, br, bl]))
    writer.close()
    pdf = pdfium.PdfDocument(buf.getvalue())
    tp = pdf[0].get_textpage()
    assert tp.get_text_range() == "斜体文字 tilted"
    centres = []
    for i in (0, tp.count_chars() - 1):
        left, bottom, right, top = tp.get_charbox(i)
        centres.append(((left + right) / 2, (bottom + top) / 2))
    (cx0, cy0), (cx1, cy1) = centres
    assert math.degrees(math.atan2(cy1 - cy0, cx1 - cx0)) == pytest.approx(30, abs=3)
    assert math.hypot(cx1 - cx0, cy1 - cy0) == pytest.approx(length * 14 / 15, rel=0.05)
    pdf.close()


def test_characters_beyond_the_bmp_round_trip():
    from ocr_app.export.pdfwriter import PdfWriter

    buf = io.BytesIO()
    writer = PdfWriter(buf)
    text = "𠀋 rare CJK, emoji 😀 and 中文"
    quad = [(10.0, 50.0), (400.0, 50.0), (400.0, 30.0), (10.0, 30.0)]
    writer.add_page(500, 100, None, (0, 0), False, writer.text_ops(text, quad))
    writer.close()
    pdf = pdfium.PdfDocument(buf.getvalue())
    assert pdf[0].get_textpage().get_text_range() == text
    pdf.close()
