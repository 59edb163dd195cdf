"""Draw the self-test sample: known English + Chinese text the frozen app must read back.

The PNG and its expected text are committed, so the bundle needs no fonts at run time;
re-run this only to change the sample (`python resources/sample/make_sample.py`).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
LINES = [
    "OCR Desk self-test",
    "Invoice No. 48213  Total 129.50",
    "离线文字识别测试",
    "中文和英文 Chinese and English",
]


def render(lines: list[str], size: int = 30, margin: int = 36, gap: float = 1.9) -> Image.Image:
    """Grey text on white, one entry per row; CJK rows use the Noto CJK font."""
    latin = ImageFont.truetype(LATIN_FONT, size)
    cjk = ImageFont.truetype(CJK_FONT, size)
    fonts = [cjk if any(ord(ch) > 0x2E80 for ch in text) else latin for text in lines]
    width = max(int(f.getlength(t)) for f, t in zip(fonts, lines, strict=True)) + 2 * margin
    height = int(len(lines) * size * gap) + 2 * margin
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    for i, (fnt, text) in enumerate(zip(fonts, lines, strict=True)):
        draw.text((margin, margin + i * size * gap), text, font=fnt, fill=25)
    return img


def main() -> None:
    img = render(LINES)
    # 16 grey levels keep anti-aliased edges and the file small (<60 KB committed).
    img.quantize(16).save(HERE / "sample.png", optimize=True)
    (HERE / "sample.txt").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'sample.png'} ({(HERE / 'sample.png').stat().st_size} bytes)")


if __name__ == "__main__":
    main()
