"""What the user hands the window (drops, file dialogs, clipboard) → files or image bytes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QUrl
from PySide6.QtGui import QImage

from ocr_app.input_files import SUPPORTED_EXTS


def real_key(path: Path) -> tuple | str:
    """Identity of a file for de-duplication: the same file reached by two names (a symlink,
    `..`) is one item. One stat call; realpath would stat every path component."""
    try:
        st = os.stat(path)
        return (st.st_dev, st.st_ino)
    except OSError:
        return os.path.abspath(path)


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given plus supported files found recursively in folders, in a stable order.

    Explicit files are kept even when unsupported, so the user sees *why* they fail rather
    than having them silently vanish. Folder symlinks are not followed (no loops).
    De-duplication is left to the caller, which also knows what is listed already.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.is_dir():
            out.append(p)
            continue
        for root, dirs, files in os.walk(p, followlinks=False):
            dirs.sort()
            out.extend(Path(root, name) for name in sorted(files)
                       if os.path.splitext(name)[1].lower() in SUPPORTED_EXTS)
    return out


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
