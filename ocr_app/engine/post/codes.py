"""QR codes and 1-D barcodes found with OpenCV, returned as Lines the UI can mark.

Lines have kind "qrcode" or "barcode", confidence 1.0 (a decode either checks out or
yields nothing) and their box in the caller's image pixels, clockwise from the corner
nearest the image's top-left. Detectors are created per call: OpenCV detector objects
are not documented as thread-safe and the Engine is shared by threads.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..ctc import Decoded
from ..reading import PageReading, Reading
from ..result import Line

MAX_SIDE = 3000  # detection on a larger image is slow and gains nothing for codes this size


def _ordered(points: np.ndarray) -> list[list[float]]:
    pts = np.asarray(points, np.float64).reshape(4, 2)
    x, y = pts[:, 0], pts[:, 1]
    area = 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    if area < 0:  # counter-clockwise on screen (y down) → reverse
        pts = pts[::-1]
    start = int(np.argmin(pts.sum(axis=1)))
    pts = np.roll(pts, -start, axis=0)
    return [[round(float(px), 1), round(float(py), 1)] for px, py in pts]


def _line(text: str, points: np.ndarray, scale: float, kind: str) -> Line:
    return Line(box=_ordered(np.asarray(points, np.float64) / scale), text=text, confidence=1.0,
                char_confidences=[1.0] * len(text), kind=kind)


def _qr(img: np.ndarray, scale: float) -> list[Line]:
    detectors = [cv2.QRCodeDetectorAruco] if hasattr(cv2, "QRCodeDetectorAruco") else []
    detectors.append(cv2.QRCodeDetector)
    for make in detectors:
        try:
            ok, texts, points, _ = make().detectAndDecodeMulti(img)
        except cv2.error:
            continue
        if ok and points is not None:
            found = [_line(t, p, scale, "qrcode") for t, p in zip(texts, points, strict=False) if t]
            if found:
                return found
    return []


BARCODE_RETRY_SCALES = (1.0, 0.6)  # OpenCV's detector is sensitive to bar width; one retry finds most


def _barcodes(img: np.ndarray, scale: float) -> list[Line]:
    make = getattr(getattr(cv2, "barcode", None), "BarcodeDetector", None)
    if make is None:
        return []
    detector = make()
    for extra in BARCODE_RETRY_SCALES:
        work = img if extra == 1.0 else cv2.resize(img, None, fx=extra, fy=extra, interpolation=cv2.INTER_AREA)
        try:
            ok, texts, _types, points = detector.detectAndDecodeWithType(work)
        except cv2.error:
            continue
        if ok and points is not None:
            found = [_line(t, p, scale * extra, "barcode") for t, p in zip(texts, points, strict=False) if t]
            if found:
                return found
    return []


def detect_codes(bgr: np.ndarray) -> list[Line]:
    """Decoded QR codes then barcodes; an empty list when there are none (never raises)."""
    if bgr is None or bgr.ndim not in (2, 3) or min(bgr.shape[:2]) < 21:
        return []
    h, w = bgr.shape[:2]
    scale = min(1.0, MAX_SIDE / max(h, w))
    img = cv2.resize(bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else bgr
    img = np.ascontiguousarray(img)
    return _qr(img, scale) + _barcodes(img, scale)


class CodeReader:
    """QR codes and barcodes on the loaded page, as readings of their own kind."""

    name = "codes"
    needs: frozenset[str] = frozenset()
    score_chars = ""
    revision = 1

    def __call__(self, page: PageReading) -> None:
        for line in detect_codes(page.source):
            box = page.to_work(np.asarray(line.box, np.float32))
            dec = Decoded(line.text, 1.0, [1.0] * len(line.text), [])
            page.readings.append(Reading(box=box, decoded=dec, kind=line.kind))
