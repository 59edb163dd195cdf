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


DISPLAY_MAX_SIDE = 4096  # the Pillow fallback decodes no larger than this: enough for any screen
SOURCE_SIZE_KEY = "ocrdesk.source-size"  # QImage text: "WxH" of the full image a smaller copy stands for


class RefusedImage(QImage):
    """A null image that says why it is null, for the view to show instead of a generic message."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


def refusal_reason(img: QImage) -> str | None:
    return getattr(img, "reason", None)


def source_size(img: QImage) -> tuple[int, int] | None:
    """Full-size (w, h) when `img` is a downscaled display copy, else None: OCR boxes are in
    the full image's pixels, so the view must lay the copy out at this size."""
    w, _, h = img.text(SOURCE_SIZE_KEY).partition("x")
    return (int(w), int(h)) if w.isdigit() and h.isdigit() else None


def _too_large(w: int, h: int) -> RefusedImage:
    from ocr_app.engine.load import MAX_DECODE_PIXELS

    return RefusedImage(f"Image too large to display safely ({w}×{h} pixels, "
                        f"limit {MAX_DECODE_PIXELS // 1_000_000} megapixels)")


def read_image(path: Path | None = None, data: bytes | None = None) -> QImage:
    """Decode for display, honouring EXIF orientation like the engine does.

    Null (a RefusedImage, with its reason, when the image is over the engine's pixel limit)
    if it cannot be shown."""
    from ocr_app.engine.load import MAX_DECODE_PIXELS

    if data is not None:
        img = QImage.fromData(data)
        if not img.isNull():
            return img
        return _pillow_read(data)
    if path is None:
        return QImage()
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and size.width() * size.height() > MAX_DECODE_PIXELS:
        return _too_large(size.width(), size.height())
    img = reader.read()
    if img.isNull():  # formats Qt lacks (some TIFF/WebP builds) or over Qt's memory limit: Pillow
        img = _pillow_read(path)
    return img


_TRANSPOSE = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE",
              6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}  # EXIF orientation → Pillow


def _pillow_read(source: Path | bytes) -> QImage:
    """Pillow fallback, decoded at display size (JPEG scales while decoding via draft();
    other formats are reduced right after decoding, before any RGB/BGR copies), so a big
    scan costs one native-size decode at most instead of several full-size copies."""
    import io
    import warnings

    from PIL import Image

    from ocr_app.engine.load import MAX_DECODE_PIXELS

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except Image.DecompressionBombError:
        return RefusedImage(f"Image too large to display safely (over {MAX_DECODE_PIXELS // 1_000_000} megapixels)")
    except Exception:
        return QImage()
    try:
        w, h = im.size
        if w * h > MAX_DECODE_PIXELS:
            return _too_large(w, h)
        orientation = im.getexif().get(0x0112, 1)
        im.draft(None, (DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE))  # JPEG: decode at 1/2, 1/4 or 1/8 scale
        work = im
        if work.mode == "1":  # reduce in gray, not by nearest-neighbour on bits
            work = work.convert("L")
        elif work.mode not in ("L", "RGB", "RGBA", "LA", "CMYK", "YCbCr"):
            work = work.convert("RGBA" if "transparency" in work.info or "A" in work.mode else "RGB")
        factor = max(work.size) // DISPLAY_MAX_SIDE
        if factor > 1:
            work = work.reduce(factor)  # cheap box filter, still at least DISPLAY_MAX_SIDE
        if work is not im:
            im.close()  # free the full-size pixels before the final resize
        work.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE), Image.Resampling.LANCZOS)
        small = work.convert("RGB")
        if orientation in _TRANSPOSE:
            small = small.transpose(getattr(Image.Transpose, _TRANSPOSE[orientation]))
    except Exception:  # damaged pixel data: the view says it cannot display the image
        return QImage()
    finally:
        im.close()
    arr = small.tobytes()
    sw, sh = small.size
    img = QImage(arr, sw, sh, sw * 3, QImage.Format.Format_RGB888).copy()
    full = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    if (sw, sh) != full:
        img.setText(SOURCE_SIZE_KEY, f"{full[0]}x{full[1]}")
    return img


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
