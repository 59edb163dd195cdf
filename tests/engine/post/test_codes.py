"""QR codes and barcodes drawn at test time decode to marked Lines."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr_app.engine.post.codes import detect_codes
from tests.imagegen import render_lines, to_bgr

# EAN-13 digit patterns (L, G and R codes) and the parity of the first digit.
_L = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"]
_G = ["".join("1" if b == "0" else "0" for b in code)[::-1] for code in _L]
_R = ["".join("1" if b == "0" else "0" for b in code) for code in _L]
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]


def ean13_image(digits: str, module: int = 4, height: int = 160) -> np.ndarray:
    """An EAN-13 barcode (12 digits + computed check digit) as a white-margined BGR image."""
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))) % 10
    code = digits[:12] + str(check)
    bits = "101"
    for d, parity in zip(code[1:7], _PARITY[int(code[0])], strict=True):
        bits += (_L if parity == "L" else _G)[int(d)]
    bits += "01010" + "".join(_R[int(d)] for d in code[7:]) + "101"
    row = np.array([0 if b == "1" else 255 for b in bits], np.uint8).repeat(module)
    bars = np.tile(row, (height, 1))
    img = cv2.copyMakeBorder(bars, 40, 40, 60, 60, cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR), code


def qr_image(text: str, at: tuple[int, int] = (60, 50), size: tuple[int, int] = (900, 700)) -> np.ndarray:
    qr = cv2.QRCodeEncoder.create().encode(text)
    qr = cv2.resize(qr, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST)
    page = to_bgr(render_lines(["A page with a QR code"], width=size[0]))
    page = cv2.copyMakeBorder(page, 0, size[1] - page.shape[0], 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    x, y = at
    page[y + 100:y + 100 + qr.shape[0], x:x + qr.shape[1]] = qr[:, :, None]
    return page, (x, y + 100, x + qr.shape[1], y + 100 + qr.shape[0])


def test_qr_code_decodes_with_box_and_kind():
    text = "https://example.com/ocr?q=你好"
    img, (x0, y0, x1, y1) = qr_image(text)
    [line] = detect_codes(img)
    assert line.kind == "qrcode" and line.text == text and line.confidence == 1.0
    xs, ys = [p[0] for p in line.box], [p[1] for p in line.box]
    assert x0 <= min(xs) < max(xs) <= x1 and y0 <= min(ys) < max(ys) <= y1
    tl, tr, br, bl = line.box
    assert tl[0] < tr[0] and tl[1] < bl[1] and br[0] > bl[0]  # clockwise from top-left


def test_rotated_qr_code_still_decodes():
    img, _ = qr_image("rotated payload 123")
    rot = cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE)
    lines = detect_codes(rot)
    assert [ln.text for ln in lines] == ["rotated payload 123"]
    tl = lines[0].box[0]
    assert tl[0] + tl[1] == min(p[0] + p[1] for p in lines[0].box)


@pytest.mark.parametrize("module", [2, 3, 5])
def test_ean13_barcode_on_a_scanned_page_decodes(module):
    bars, code = ean13_image("590123412345", module=module)
    page = np.full((1100, 850, 3), 255, np.uint8)
    page[300:300 + bars.shape[0], 100:100 + bars.shape[1]] = bars
    page = cv2.GaussianBlur(page, (3, 3), 0)  # a scan is never perfectly sharp
    lines = detect_codes(page)
    assert [(ln.kind, ln.text) for ln in lines] == [("barcode", code)]
    xs = [p[0] for p in lines[0].box]
    assert min(xs) >= 100 and max(xs) <= 100 + bars.shape[1]


def test_no_codes_on_plain_text_and_tiny_images():
    assert detect_codes(to_bgr(render_lines(["just some text"]))) == []
    assert detect_codes(np.zeros((5, 5, 3), np.uint8)) == []
