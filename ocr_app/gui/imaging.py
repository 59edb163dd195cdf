"""Pixel plumbing between numpy/engine images and Qt (no OCR math here)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter

if TYPE_CHECKING:
    import numpy as np


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


def read_image(path: Path | None = None, data: bytes | None = None) -> QImage:
    """Decode for display, honouring EXIF orientation like the engine does."""
    if data is not None:
        img = QImage.fromData(data)
        if not img.isNull():
            return img
    if path is None:
        return QImage()
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    img = reader.read()
    if img.isNull():  # formats Qt lacks (some TIFF/WebP builds): fall back to Pillow
        img = _pillow_read(path)
    return img


def _pillow_read(path: Path) -> QImage:
    try:
        import numpy as np
        from PIL import Image, ImageOps

        with Image.open(path) as im:
            im = ImageOps.exif_transpose(im).convert("RGB")
            arr = np.asarray(im)[:, :, ::-1]
            return to_qimage(arr)
    except Exception:
        return QImage()


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


def read_thumbnail(path: Path | None, data: bytes | None, size: QSize = QSize(40, 40)) -> QImage:  # noqa: B008
    """Small preview without decoding the full image when the format allows it."""
    if data is None and path is not None:
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        src = reader.size()
        if src.isValid() and not src.isEmpty():
            reader.setScaledSize(src.scaled(size - QSize(2, 2), Qt.AspectRatioMode.KeepAspectRatio))
            img = reader.read()
            if not img.isNull():
                return tile(img, size)
    return thumbnail(read_image(path, data), size)
