"""Line icons from resources/icons, tinted to the current palette's text colour."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ocr_app import paths

from . import theme


@cache
def _svg(name: str) -> str:
    try:
        return (paths.resources_dir() / "icons" / f"{name}.svg").read_text(encoding="utf-8")
    except OSError:
        return ""


def _render(svg: str, size: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    painter = QPainter(img)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return QPixmap.fromImage(img)


def icon(name: str, colour: str | None = None) -> QIcon:
    svg = _svg(name)
    if not svg:
        return QIcon()
    normal = colour or ("#d7d9de" if theme.is_dark() else "#3a3f47")
    result = QIcon()
    for size in (16, 20, 24, 32, 48):
        result.addPixmap(_render(svg.replace("currentColor", normal), size), QIcon.Mode.Normal)
        result.addPixmap(_render(svg.replace("currentColor", "#8a8f98"), size), QIcon.Mode.Disabled)
    return result


def app_icon() -> QIcon:
    svg = _svg("app")
    result = QIcon()
    if svg:
        for size in (16, 32, 48, 64, 128, 256):
            result.addPixmap(_render(svg, size))
    return result


@cache
def placeholder(name: str, colour: str, size: int = 40, glyph: int = 22) -> QIcon:
    """A small glyph centred in a list-row-sized tile (rows without a thumbnail stay aligned)."""
    svg = _svg(name).replace("currentColor", colour)
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    if svg:
        painter = QPainter(img)
        offset = (size - glyph) / 2
        QSvgRenderer(QByteArray(svg.encode())).render(painter, QRectF(offset, offset, glyph, glyph))
        painter.end()
    return QIcon(QPixmap.fromImage(img))
