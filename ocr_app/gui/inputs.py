"""What the user hands the window (drops, file dialogs, clipboard) → files or image bytes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QUrl
from PySide6.QtGui import QImage

from ocr_app.inputs import expand


def real_key(path: Path) -> str:
    """Identity of a file for de-duplication (symlinks and `..` resolved)."""
    try:
        return os.path.realpath(path)
    except OSError:
        return str(path)


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given plus supported files found recursively in folders, each file once.

    Explicit files are kept even when unsupported so the user sees *why* they fail,
    rather than having them silently vanish.
    """
    return expand(paths)


def local_paths(mime: QMimeData) -> list[Path]:
    """Local file/folder paths carried by a drop or a paste (non-file URLs ignored)."""
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if isinstance(u, QUrl) and u.isLocalFile()]


def can_accept(mime: QMimeData) -> bool:
    return bool(local_paths(mime)) or mime.hasImage()


def image_bytes(mime: QMimeData) -> bytes | None:
    """PNG bytes of an image on the clipboard (screenshots, copied from a browser)."""
    if not mime.hasImage():
        return None
    img = mime.imageData()
    if not isinstance(img, QImage) or img.isNull():
        return None
    return qimage_png(img)


def qimage_png(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(data.data())
