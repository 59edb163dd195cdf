"""Make the per-platform app icons from the GUI's resources/icons/app.svg (a drawn fallback if absent).

Linux wants a PNG, Windows a multi-size .ico, macOS an .icns; all come from one 1024 px
rendering so the executable, the menu entry and the window icon match. Run after the SVG
changes: `python build_spec/make_icons.py` (the outputs are committed; the build needs no Qt step).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent / "icons"
SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / "app.svg"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"


def draw(size: int = 1024) -> Image.Image:
    """A blue rounded page with 'Aa' and '文' and a scan line: OCR for Latin and Chinese."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 1024
    d.rounded_rectangle((64 * s, 64 * s, 960 * s, 960 * s), radius=180 * s, fill=(32, 98, 196, 255))
    d.rounded_rectangle((200 * s, 150 * s, 824 * s, 874 * s), radius=48 * s, fill=(250, 250, 252, 255))
    latin = ImageFont.truetype(FONT, int(250 * s))
    try:
        cjk = ImageFont.truetype(CJK_FONT, int(270 * s))
    except OSError:  # bold CJK face not installed: the regular one is fine
        cjk = ImageFont.truetype(CJK_FONT.replace("Bold", "Regular"), int(270 * s))
    d.text((512 * s, 330 * s), "Aa", font=latin, fill=(30, 36, 48, 255), anchor="mm")
    d.text((512 * s, 640 * s), "文", font=cjk, fill=(30, 36, 48, 255), anchor="mm")
    d.rectangle((150 * s, 478 * s, 874 * s, 506 * s), fill=(240, 90, 60, 235))
    return img


def render_svg(svg: Path, size: int = 1024) -> Image.Image:
    """Rasterise the SVG with Qt's renderer (the same one the window icon uses)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["make-icons"])
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    big = render_svg(SVG) if SVG.is_file() else draw()
    big.resize((256, 256), Image.LANCZOS).save(OUT / "ocr-desk.png", optimize=True)
    big.save(OUT / "ocr-desk.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    big.resize((512, 512), Image.LANCZOS).save(OUT / "ocr-desk.icns")
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
