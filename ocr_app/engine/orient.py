"""Page orientation: a page scanned or photographed sideways is turned upright before its
lines are read.

Upright pages pay (almost) nothing: the evidence is the detector's boxes, which on an
upright page of horizontal text are mostly wide. Only when most clearly elongated boxes
stand tall is the document-orientation classifier (PP-LCNet, 0/90/180/270) asked. Tall
boxes also come from vertical Chinese or Japanese columns on an upright page; the
classifier tells the two apart (it answers 0 there). Upside-down pages are left to the
line classifier, which turns each line and reverses the reading order (classify.py).
"""

from __future__ import annotations

import cv2
import numpy as np
import onnxruntime as ort

# Clockwise turn (degrees) that makes a page upright, for each clockwise angle the page
# lies at; and the OpenCV rotation code for each turn.
_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
MIN_ELONGATION = 2.0  # a box this much longer than wide shows the line's direction
MIN_SHARE = 0.6  # of those boxes, at least this share tall (by box length) suggests a turned page
MIN_BOXES = 1  # a sideways page's lines are often found as one or two long boxes
SHORT_SIDE, CROP = 256, 224  # the classifier's input: short side resized, a square crop
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
LABELS = (0, 90, 180, 270)


def rotate(img: np.ndarray, turn: int) -> np.ndarray:
    """`img` turned `turn` degrees clockwise (0, 90, 180 or 270)."""
    return img if turn % 360 == 0 else cv2.rotate(img, _ROTATE[turn % 360])


def rotate_points(pts: np.ndarray, turn: int, size: tuple[int, int]) -> np.ndarray:
    """Points of an image of `size` (w, h) to where they lie after turning it `turn`
    degrees clockwise (pixel-corner coordinates, so boxes keep their exact extent)."""
    w, h = size
    x, y = pts[..., 0], pts[..., 1]
    turn %= 360
    if turn == 90:
        out = np.stack([h - y, x], axis=-1)
    elif turn == 180:
        out = np.stack([w - x, h - y], axis=-1)
    elif turn == 270:
        out = np.stack([y, w - x], axis=-1)
    else:
        return pts
    return out.astype(pts.dtype, copy=False)


def looks_sideways(quads: list[np.ndarray]) -> bool:
    """Most of the clearly elongated text boxes stand tall: a turned page, or vertical text."""
    wide = tall = 0.0
    count = 0
    for q in quads:
        w = float(np.linalg.norm(q[1] - q[0]))
        h = float(np.linalg.norm(q[3] - q[0]))
        if max(w, h) < MIN_ELONGATION * max(1.0, min(w, h)):
            continue
        count += 1
        if h > w:
            tall += h
        else:
            wide += w
    return count >= MIN_BOXES and tall >= MIN_SHARE * (tall + wide)


class PageOrienter:
    """The document-orientation classifier, asked only about pages that look sideways."""

    def __init__(self, session: ort.InferenceSession):
        self.session = session
        self.input_name = session.get_inputs()[0].name

    def angle(self, img: np.ndarray, quads: list[np.ndarray]) -> int:
        """The clockwise angle the page lies at (0, 90, 180 or 270), from a square crop
        centred on its text."""
        h, w = img.shape[:2]
        scale = SHORT_SIDE / max(1, min(h, w))
        small = cv2.resize(img, (max(CROP, round(w * scale)), max(CROP, round(h * scale))),
                           interpolation=cv2.INTER_AREA)
        sh, sw = small.shape[:2]
        if quads:
            pts = np.concatenate(quads).reshape(-1, 2) * np.array([sw / w, sh / h], np.float32)
            cx, cy = (pts.min(axis=0) + pts.max(axis=0)) / 2
        else:
            cx, cy = sw / 2, sh / 2
        x0 = int(np.clip(cx - CROP / 2, 0, sw - CROP))
        y0 = int(np.clip(cy - CROP / 2, 0, sh - CROP))
        crop = small[y0:y0 + CROP, x0:x0 + CROP].astype(np.float32) * np.float32(1 / 255)
        blob = ((crop - MEAN) / STD).transpose(2, 0, 1)[None]
        scores = self.session.run(None, {self.input_name: np.ascontiguousarray(blob)})[0][0]
        return LABELS[int(np.argmax(scores))]


def upright_turn(angle: int) -> int:
    """The clockwise turn that makes a page lying at `angle` upright."""
    return (360 - angle) % 360
