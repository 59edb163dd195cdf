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
        flipped = [False] * len(crops)
        for start in range(0, len(crops), self.batch):
            chunk = crops[start : start + self.batch]
            probs = self.session.run(None, {self.input_name: self._blob(chunk)})[0]
            for j, row in enumerate(probs):
                flipped[start + j] = bool(row.argmax() == 1 and row[1] > self.thresh)
        return flipped


def classify_page(classifier: AngleClassifier, crops: list[np.ndarray]) -> list[bool]:
    """Classify the widest lines first (one batch); when none of them is upside down the
    page is upright and the rest are not classified. Mixed pages (some lines turned) are
    still caught whenever a turned line is among the widest; a lone short upside-down
    line on an upright page is the accepted miss, for ~all of the classifier's cost saved."""
    if len(crops) <= classifier.batch:
        return classifier(crops)
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(1, crops[i].shape[0]), reverse=True)
    head = order[: classifier.batch]
    flipped = [False] * len(crops)
    for i, f in zip(head, classifier([crops[i] for i in head]), strict=True):
        flipped[i] = f
    if any(flipped):
        rest = order[classifier.batch :]
        for i, f in zip(rest, classifier([crops[i] for i in rest]), strict=True):
            flipped[i] = f
    return flipped


def apply(crops: list[np.ndarray], flipped: list[bool]) -> list[np.ndarray]:
    return [cv2.rotate(c, cv2.ROTATE_180) if f else c for c, f in zip(crops, flipped, strict=True)]
