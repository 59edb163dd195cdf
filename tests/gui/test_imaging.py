"""Display decoding: images Qt refuses are read by Pillow at display size, never at full size,
and anything over the engine's pixel limit is refused with a reason the view shows."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtGui import QImageReader

from ocr_app.engine import Line
from ocr_app.engine.load import MAX_DECODE_PIXELS
from ocr_app.gui import imaging


@pytest.fixture
def qt_refuses_big_images(qapp):
    """Qt's own decoder limit (256 MB by default) lowered so a 12 MP test image hits it,
    just as a 70+ MP scan does on a user's machine."""
    old = QImageReader.allocationLimit()
    QImageReader.setAllocationLimit(8)
    yield
    QImageReader.setAllocationLimit(old)


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


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_image_qt_refuses_is_read_at_display_size(qt_refuses_big_images, tmp_path, fmt):
    path = _banded(tmp_path / f"wide.{fmt.lower()}", (6000, 2000), format=fmt)
    img = imaging.read_image(path)
    assert not img.isNull()
    assert max(img.width(), img.height()) <= imaging.DISPLAY_MAX_SIDE
    assert imaging.source_size(img) == (6000, 2000)
    assert abs(img.width() / img.height() - 3.0) < 0.01
    third = img.width() // 3
    assert _dark(img, third - 20, img.height() // 2) and not _dark(img, third + 20, img.height() // 2)


def test_display_copy_follows_exif_orientation(qt_refuses_big_images, tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown rotated 90° clockwise
    path = _banded(tmp_path / "rotated.jpg", (6000, 2000), format="JPEG", exif=exif)
    img = imaging.read_image(path)
    assert imaging.source_size(img) == (2000, 6000)
    assert img.height() == imaging.DISPLAY_MAX_SIDE and img.width() < img.height()
    third = img.height() // 3  # the black band was on the left; after the turn it is at the top
    assert _dark(img, img.width() // 2, third - 20) and not _dark(img, img.width() // 2, third + 20)


def test_small_image_is_not_marked_as_a_copy(qt_refuses_big_images, tmp_path):
    path = _banded(tmp_path / "small.png", (900, 300))
    img = imaging._pillow_read(path)
    assert (img.width(), img.height()) == (900, 300) and imaging.source_size(img) is None


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("side", [11_000, 15_000], ids=["over-engine-limit", "over-pillow-bomb-limit"])
def test_image_over_engine_limit_is_refused_with_a_reason(qt_refuses_big_images, tmp_path, side):
    assert side * side > MAX_DECODE_PIXELS
    path = _png_header_only(tmp_path / "huge.png", side, side)
    for img in (imaging.read_image(path), imaging._pillow_read(path), imaging.read_image(data=path.read_bytes())):
        assert img.isNull()
        reason = imaging.refusal_reason(img)
        assert reason and "too large" in reason and str(MAX_DECODE_PIXELS // 1_000_000) in reason


def test_compare_view_lays_a_display_copy_out_in_full_image_pixels(qt_refuses_big_images, qtbot, tmp_path):
    from ocr_app.gui.compare_view import CompareView

    view = CompareView()
    qtbot.addWidget(view)
    img = imaging.read_image(_banded(tmp_path / "wide.png", (6000, 2000), format="PNG"))
    box = [[5000.0, 1500.0], [5900.0, 1500.0], [5900.0, 1900.0], [5000.0, 1900.0]]
    view.show_images(img, {}, [Line(box=box, text="x", confidence=0.9, char_confidences=[0.9])])
    assert view.original.image_size() == (6000, 2000)
    rect = view.original.scene().sceneRect()
    assert (rect.width(), rect.height()) == (6000, 2000)
    assert view.original.boxes[0].boundingRect().right() <= rect.right()
    refused = imaging.read_image(_png_header_only(tmp_path / "huge.png", 11_000, 11_000))
    view.show_images(refused, {}, [])
    assert view.stack.currentIndex() == 0 and view.placeholder.text() == imaging.refusal_reason(refused)
