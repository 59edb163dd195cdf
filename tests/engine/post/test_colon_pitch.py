"""Gap spacing beside colons follows the line's own character pitch: a monospaced font's
tight colon ("14:32", "Tel:") sits in a whole cell with blank on both sides and gets no
spaces, while a colon set apart by real spaces keeps them in either kind of font."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_app.engine import Engine
from tests.imagegen import to_bgr

MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = ["Time 14:32", "Tel: 555-0142", "TEL : 03-3271", "12:05:33 PM"]


def _page(font_path: str, size: int) -> Image.Image:
    fnt = ImageFont.truetype(font_path, size)
    img = Image.new("RGB", (int(max(fnt.getlength(t) for t in LINES)) + 60, int(len(LINES) * size * 1.8) + 60),
                    (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(LINES):
        draw.text((30, 30 + i * size * 1.8), text, font=fnt, fill=(20, 20, 20))
    return img


@pytest.mark.parametrize(("font_path", "size"), [(MONO, 26), (MONO, 34), (SANS, 26)])
def test_colons_are_spaced_as_printed_in_mono_and_proportional_fonts(engine: Engine, font_path: str, size: int):
    res = engine.run(to_bgr(_page(font_path, size)), use_cache=False)
    assert [ln.text for ln in res.lines] == LINES
