"""CRNN-family CTC recogniser (PP-OCR rec: CNN features → sequence model → CTC head).

Crops are sorted by aspect ratio and batched so each batch is padded only to its own
widest crop, never to a fixed width: receipt lines are short, and padding is wasted work.
"""

from __future__ import annotations

import cv2
import numpy as np
import onnxruntime as ort

from .ctc import Decoded, greedy_decode, load_charset
from .preprocess import normalize


class TextRecognizer:
    def __init__(self, session: ort.InferenceSession, dict_path: str | None = None,
                 height: int = 48, batch: int = 8, min_width: int = 64, max_width: int = 3200):
        self.session = session
        self.input_name = session.get_inputs()[0].name
        meta = session.get_modelmeta().custom_metadata_map
        self.charset = load_charset(meta.get("character"), dict_path)
        self.height, self.batch = height, batch
        self.min_width, self.max_width = min_width, max_width

    def _width(self, crop: np.ndarray) -> int:
        h, w = crop.shape[:2]
        return int(min(self.max_width, max(8, np.ceil(self.height * w / max(h, 1)))))

    def __call__(self, crops: list[np.ndarray]) -> list[Decoded]:
        widths = [self._width(c) for c in crops]
        order = np.argsort(widths, kind="stable")
        results: list[Decoded | None] = [None] * len(crops)
        for start in range(0, len(crops), self.batch):
            ids = order[start : start + self.batch]
            batch_w = max(self.min_width, max(widths[i] for i in ids))
            batch_w = int(np.ceil(batch_w / 8) * 8)
            blob = np.zeros((len(ids), 3, self.height, batch_w), np.float32)
            for j, i in enumerate(ids):
                resized = cv2.resize(crops[i], (widths[i], self.height), interpolation=cv2.INTER_LINEAR)
                blob[j, :, :, : widths[i]] = normalize(resized)
            probs = self.session.run(None, {self.input_name: blob})[0]
            for j, dec in zip(ids, greedy_decode(probs, self.charset), strict=True):
                results[j] = _strip(dec)
        return [r for r in results if r is not None]


def _strip(dec: Decoded) -> Decoded:
    """Drop leading/trailing spaces while keeping confidences aligned with characters."""
    text = dec.text
    lead = len(text) - len(text.lstrip(" "))
    trail = len(text) - len(text.rstrip(" "))
    if not lead and not trail:
        return dec
    end = len(text) - trail
    confs = dec.char_confidences[lead:end]
    return Decoded(text[lead:end], float(np.mean(confs)) if confs else 0.0, confs, dec.frames[lead:end])
