"""Pixel plumbing between numpy/engine images and Qt (no OCR math and no decoding here:
pixels come from `ocr_app.jobs.page_image`/`preview`, the loader OCR itself uses)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter

if TYPE_CHECKING:
    import numpy as np

SOURCE_SIZE_KEY = "ocrdesk.source-size"  # QImage text: "WxH" of the full image a smaller copy stands for


def to_qimage(arr: np.ndarray) -> QImage:
    """Gray or BGR uint8 array → an owning QImage (copied, so the array may be freed)."""
    import numpy as np

    arr = np.ascontiguousarray(arr)
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    h, w = arr.shape[:2]
    if arr.ndim == 2:
        return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_Grayscale8).copy()
    if arr.shape[2] == 4:
        arr = np.ascontiguousarray(arr[:, :, :3])
    return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_BGR888).copy()


def subsample(arr: np.ndarray, side: int) -> np.ndarray:
    """Every n-th pixel so the longer side stays ≥ `side`: a view, no copy, so a thumbnail
    of a 16 MP page never converts the whole page to a QImage."""
    step = max(1, max(arr.shape[:2]) // max(1, side))
    return arr[::step, ::step] if step > 1 else arr


class RefusedImage(QImage):
    """A null image that says why it is null (the loader's message and ErrorKind), for the
    view to show instead of a generic message."""

    def __init__(self, reason: str, kind: object = None):
        super().__init__()
        self.reason, self.kind = reason, kind


def refusal_reason(img: QImage) -> str | None:
    """The translated reason a RefusedImage carries, or None."""
    reason = getattr(img, "reason", None)
    if reason is None:
        return None
    from .error_text import failure

    return failure(getattr(img, "kind", None), reason)


def mark_source_size(img: QImage, full: tuple[int, int]) -> None:
    """The engine caps work images (16 MP) while boxes are in the original's pixels: tag a
    smaller copy with the original's size so the view lays it out at that size."""
    w, h = full
    if w > 0 and h > 0 and not img.isNull() and (img.width(), img.height()) != (w, h):
        img.setText(SOURCE_SIZE_KEY, f"{w}x{h}")


def source_size(img: QImage) -> tuple[int, int] | None:
    """Full-size (w, h) when `img` is a downscaled display copy, else None: OCR boxes are in
    the full image's pixels, so the view must lay the copy out at this size."""
    w, _, h = img.text(SOURCE_SIZE_KEY).partition("x")
    return (int(w), int(h)) if w.isdigit() and h.isdigit() else None


def thumbnail(img: QImage, size: QSize = QSize(40, 40)) -> QImage:  # noqa: B008
    """Scaled into a square tile with a hairline frame, so every row of the list lines up."""
    if img.isNull():
        return img
    small = img.scaled(size - QSize(2, 2), Qt.AspectRatioMode.KeepAspectRatio,
                       Qt.TransformationMode.SmoothTransformation)
    return tile(small, size)


def tile(small: QImage, size: QSize) -> QImage:
    out = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    x, y = (size.width() - small.width()) // 2, (size.height() - small.height()) // 2
    painter.drawImage(x, y, small)
    painter.setPen(QColor(128, 128, 128, 90))
    painter.drawRect(x, y, small.width() - 1, small.height() - 1)
    painter.end()
    return out
