"""One decode path: what the window shows (the compare view's original and stages, the list's
thumbnails, a pasted image in a PDF export) comes from `jobs.page_image`/`jobs.preview`,
the loader OCR uses (EXIF rotation, size cap), and a copy smaller than the original keeps
the original's coordinates so the boxes line up."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from ocr_app.engine import Line
from ocr_app.gui import imaging
from ocr_app.gui.workers import Job, ViewSignals, ViewTask, page_thumbnail


def _banded(path: Path, size: tuple[int, int], **save) -> Path:
    """White image, black left third: where the band ends tells whether scaling kept the layout."""
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).rectangle([0, 0, size[0] // 3, size[1]], fill="black")
    img.save(path, **save)
    return path


def _png_header_only(path: Path, w: int, h: int) -> Path:
    """A PNG that declares w×h gray pixels but carries almost no data (a bomb's header)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


def _dark(img, x: int, y: int) -> bool:
    return img.pixelColor(x, y).lightness() < 64


def view(path: Path | None, full_size: tuple[int, int], data: bytes | None = None, page: int | None = None):
    """Run a ViewTask on this thread; returns (original QImage, {stage: QImage})."""
    got = []
    signals = ViewSignals()
    signals.ready.connect(lambda _key, original, stages: got.append((original, stages)))
    job = Job(1, path.name if path else "pasted.png", path, data, page is not None)
    ViewTask((1, 0), job, page, full_size, signals).run()
    assert len(got) == 1
    return got[0]


def test_view_of_an_image_over_the_work_size_keeps_original_coordinates(qapp, tmp_path):
    path = _banded(tmp_path / "wide.png", (9000, 600), format="PNG")  # over the loader's 8000 px side
    original, stages = view(path, (9000, 600))
    assert not original.isNull() and original.width() < 9000
    assert imaging.source_size(original) == (9000, 600)
    assert set(stages) == {"gray", "equalized", "binary", "flattened"}
    assert all((s.width(), s.height()) == (original.width(), original.height()) for s in stages.values())
    third = original.width() // 3
    assert _dark(original, third - 20, 300) and not _dark(original, third + 20, 300)


def test_view_follows_exif_orientation_like_ocr(qapp, tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown rotated 90° clockwise
    path = _banded(tmp_path / "rotated.jpg", (900, 300), format="JPEG", exif=exif)
    original, _stages = view(path, (300, 900))
    assert (original.width(), original.height()) == (300, 900)
    assert imaging.source_size(original) is None  # full size: not marked as a copy
    # the black band was on the left; after the turn it is at the top
    assert _dark(original, 150, 280) and not _dark(original, 150, 320)


def test_thumbnail_and_pasted_export_image_use_the_same_decode(qapp, tmp_path):
    from ocr_app.gui.export_bridge import _images
    from ocr_app.gui.items import BatchItem
    from ocr_app.jobs import Source

    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    Image.new("RGB", (900, 300), "white").save(buf, format="JPEG", exif=exif)
    data = buf.getvalue()
    thumb = page_thumbnail(Source.from_bytes(data, "pasted.jpg"), None)
    assert not thumb.isNull() and (thumb.width(), thumb.height()) == (40, 40)
    [pixels] = _images(BatchItem(name="pasted.jpg", data=data))  # was cv2.imdecode: no EXIF turn
    assert pixels.shape[:2] == (900, 300)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_image_over_the_pixel_limit_is_refused_with_a_translated_reason(qapp, qtbot, tmp_path):
    from ocr_app.gui.compare_view import CompareView

    original, stages = view(_png_header_only(tmp_path / "huge.png", 15_000, 15_000), (0, 0))
    assert original.isNull() and not stages
    assert str(original.kind) == "too_large"
    reason = imaging.refusal_reason(original)
    assert reason and reason.startswith("The image is too large")
    compare = CompareView()
    qtbot.addWidget(compare)
    compare.show_images(original, stages, [])
    assert compare.stack.currentIndex() == 0 and compare.placeholder.text() == reason


def test_compare_view_lays_a_reduced_copy_out_in_full_image_pixels(qapp, qtbot, tmp_path):
    from ocr_app.gui.compare_view import CompareView

    compare = CompareView()
    qtbot.addWidget(compare)
    original, stages = view(_banded(tmp_path / "wide.png", (9000, 600), format="PNG"), (9000, 600))
    box = [[8000.0, 100.0], [8900.0, 100.0], [8900.0, 500.0], [8000.0, 500.0]]
    compare.show_images(original, stages, [Line(box=box, text="x", confidence=0.9, char_confidences=[0.9])])
    assert compare.original.image_size() == (9000, 600)
    rect = compare.original.scene().sceneRect()
    assert (rect.width(), rect.height()) == (9000, 600)
    assert compare.processed.scene().sceneRect() == rect
    assert compare.original.boxes[0].boundingRect().right() <= rect.right()
