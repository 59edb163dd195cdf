"""Angle classifier: finds text lines that are upside down (0° vs 180°) and turns them."""

from __future__ import annotations

import cv2
import numpy as np
import onnxruntime as ort

from .preprocess import normalize


class AngleClassifier:
    def __init__(self, session: ort.InferenceSession, height: int = 48, width: int = 192,
                 batch: int = 16, thresh: float = 0.9):
        self.session = session
        self.input_name = session.get_inputs()[0].name
        self.height, self.width, self.batch, self.thresh = height, width, batch, thresh

    def _blob(self, crops: list[np.ndarray]) -> np.ndarray:
        blob = np.zeros((len(crops), 3, self.height, self.width), np.float32)
        for i, crop in enumerate(crops):
            h, w = crop.shape[:2]
            new_w = min(self.width, max(1, int(np.ceil(self.height * w / max(h, 1)))))
            blob[i, :, :, :new_w] = normalize(cv2.resize(crop, (new_w, self.height)))
        return blob

    def __call__(self, crops: list[np.ndarray]) -> list[bool]:
        """True where the crop is upside down (with confidence above the threshold)."""
        return [p >= self.thresh for p in self.turned_share(crops)]

    def turned_share(self, crops: list[np.ndarray]) -> list[float]:
        """The classifier's probability that each crop is upside down."""
        shares: list[float] = []
        for start in range(0, len(crops), self.batch):
            chunk = crops[start : start + self.batch]
            probs = self.session.run(None, {self.input_name: self._blob(chunk)})[0]
            shares += [float(row[1]) for row in probs]
        return shares


def classify_page(classifier: AngleClassifier, crops: list[np.ndarray]) -> tuple[list[bool], bool]:
    """Which crops to turn, and whether the page is upside down.

    The widest lines are classified first (one batch); when none of them is upside down
    the page is upright and the rest are not classified (a lone short upside-down line on
    an upright page is the accepted miss, for ~all of the classifier's cost saved). The
    page is upside down when the lines' turned share, weighted by their length, is over
    half: then every line not confidently upright is turned with it (a line the
    classifier is unsure of reads the way its page does)."""
    if not crops:
        return [], False
    length = [c.shape[1] / max(1, c.shape[0]) for c in crops]
    order = sorted(range(len(crops)), key=lambda i: length[i], reverse=True)
    shares = [0.0] * len(crops)
    head = order[: classifier.batch]
    for i, p in zip(head, classifier.turned_share([crops[i] for i in head]), strict=True):
        shares[i] = p
    if not any(shares[i] >= classifier.thresh for i in head):
        return [False] * len(crops), False
    rest = order[classifier.batch :]
    for i, p in zip(rest, classifier.turned_share([crops[i] for i in rest]), strict=True):
        shares[i] = p
    upside_down = float(np.average(shares, weights=length)) > 0.5
    if upside_down:
        return [p > 1.0 - classifier.thresh for p in shares], True
    return [p >= classifier.thresh for p in shares], False


def apply(crops: list[np.ndarray], flipped: list[bool]) -> list[np.ndarray]:
    return [cv2.rotate(c, cv2.ROTATE_180) if f else c for c, f in zip(crops, flipped, strict=True)]
