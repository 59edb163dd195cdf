"""DB text detector (PP-OCR det ONNX): probability map → text quads.

Post-processing follows the DB paper as PP-OCR implements it: threshold the map, take
each connected region's minimum-area rectangle, score it by the mean probability inside,
then grow it back to the full text extent with pyclipper (the network predicts shrunk
kernels), and drop boxes too small to hold a character.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
import onnxruntime as ort
import pyclipper

from .preprocess import normalize
from .text_scale import ScaleConfig, page_text_height


@dataclass
class DetectorConfig:
    # Upscale so the short side is at least this (RapidOCR uses 736; 640 reads as well with
    # 24 % fewer pixels) ...
    limit_side: int = 640
    max_upscale: float = 2.0  # ... by at most this: a small snippet's text is already legible
    max_side: int = 2000  # ... and never let the long side exceed this ...
    # ... nor the area exceed this: time and activation memory grow with it; at 1.2 MP an
    # A4 page is ~150 DPI, plenty for body text (the alternatives measured: docs/benchmarks.md).
    max_pixels: int = 1_200_000
    thresh: float = 0.3
    box_thresh: float = 0.5
    unclip_ratio: float = 1.4  # tighter than PP-OCR's 1.6: fewer errors on both eval sets
    max_candidates: int = 1000
    min_size: float = 3.0
    dilate: bool = True
    # Pages set in large type are detected at a smaller scale (see text_scale.py);
    # `text_scale.enabled = False` keeps the size-only rule above.
    text_scale: ScaleConfig = field(default_factory=ScaleConfig)


class WholeGraph:
    """The detector as one graph: resized BGR page → probability map."""

    def __init__(self, session: ort.InferenceSession):
        self.session = session
        self.input_name = session.get_inputs()[0].name

    def __call__(self, img: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input_name: normalize(img)[None]})[0][0, 0]


class TextDetector:
    def __init__(self, net: Callable[[np.ndarray], np.ndarray] | ort.InferenceSession,
                 config: DetectorConfig | None = None):
        """`net` maps a resized page to its map: `WholeGraph` or `det_bands.BandedDetector`
        (a bare session is wrapped as a whole graph)."""
        self.net = WholeGraph(net) if isinstance(net, ort.InferenceSession) else net
        self.config = config or DetectorConfig()

    def input_size(self, h: int, w: int, img: np.ndarray | None = None) -> tuple[int, int]:
        """Detector input (height, width), multiples of 32. With the page `img`, a page
        whose text is large gets a smaller input; without it, the size-only rule."""
        rh, rw, _ = self.plan(h, w, img)
        return rh, rw

    def plan(self, h: int, w: int, img: np.ndarray | None = None) -> tuple[int, int, float]:
        """Input (height, width) and how much the text estimate shrank it (1.0: not)."""
        cfg = self.config
        ratio = min(cfg.limit_side / min(h, w), cfg.max_upscale) if min(h, w) < cfg.limit_side else 1.0
        if max(h, w) * ratio > cfg.max_side:
            ratio = cfg.max_side / max(h, w)
        if h * w * ratio * ratio > cfg.max_pixels:
            ratio = (cfg.max_pixels / (h * w)) ** 0.5
        shrink = self._text_shrink(img, h, w, ratio) if img is not None and cfg.text_scale.enabled else 1.0
        ratio *= shrink
        rh = max(32, int(round(h * ratio / 32) * 32))
        rw = max(32, int(round(w * ratio / 32) * 32))
        return rh, rw, shrink

    def _text_shrink(self, img: np.ndarray, h: int, w: int, ratio: float) -> float:
        """Factor (<= 1) that brings the estimated text height down to the target, within
        the floors; 1.0 when the page gives no estimate or the saving would be small."""
        sc = self.config.text_scale
        floor = max((sc.min_pixels / (h * w)) ** 0.5, sc.min_side / min(h, w))
        if floor >= ratio * sc.min_shrink:  # already at the floor (narrow receipts): skip the estimate
            return 1.0
        est = page_text_height(img, sc)
        if est is None:
            return 1.0
        want = max(sc.target / est, floor) / ratio
        return want if want < sc.min_shrink else 1.0

    def probability_map(self, img: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
        rh, rw = size or self.input_size(*img.shape[:2], img)
        return self.net(cv2.resize(img, (rw, rh)))

    def __call__(self, img: np.ndarray) -> tuple[list[np.ndarray], list[float]]:
        """Quads (4×2 float32, clockwise from top-left) in `img` pixels, with scores."""
        h, w = img.shape[:2]
        if h < 2 or w < 2:
            return [], []
        rh, rw, shrink = self.plan(h, w, img)
        pred = self.probability_map(img, (rh, rw))
        # A coarser map gives boxes that come out larger in page pixels (the dilation is
        # one map pixel, and region edges blur): trim the unclip by the measured growth.
        trim = self.config.text_scale.box_growth * (1.0 - shrink)
        return self.boxes_from_map(pred, w, h, trim)

    def boxes_from_map(self, pred: np.ndarray, dest_w: int, dest_h: int,
                       trim: float = 0.0) -> tuple[list[np.ndarray], list[float]]:
        cfg = self.config
        mask = (pred > cfg.thresh).astype(np.uint8)
        if cfg.dilate:
            mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
        height, width = mask.shape
        contours, _ = cv2.findContours(mask * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        boxes, scores = [], []
        for contour in contours[: cfg.max_candidates]:
            points, short = mini_box(contour)
            if short < cfg.min_size:
                continue
            score = box_score(pred, points)
            if score < cfg.box_thresh:
                continue
            expanded = unclip(points, cfg.unclip_ratio, trim)
            if expanded is None:
                continue
            box, short = mini_box(expanded)
            if short < cfg.min_size + 2:
                continue
            box[:, 0] = np.clip(np.round(box[:, 0] / width * dest_w), 0, dest_w)
            box[:, 1] = np.clip(np.round(box[:, 1] / height * dest_h), 0, dest_h)
            boxes.append(box.astype(np.float32))
            scores.append(float(score))
        return boxes, scores


def mini_box(contour: np.ndarray) -> tuple[np.ndarray, float]:
    """Minimum-area rectangle as ordered corners, and its short side."""
    rect = cv2.minAreaRect(contour.reshape(-1, 1, 2).astype(np.float32))
    pts = sorted(cv2.boxPoints(rect).tolist(), key=lambda p: p[0])
    left = sorted(pts[:2], key=lambda p: p[1])
    right = sorted(pts[2:], key=lambda p: p[1])
    box = np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)
    return box, float(min(rect[1]))


def box_score(pred: np.ndarray, box: np.ndarray) -> float:
    """Mean probability inside the box (the 'fast' DB score)."""
    h, w = pred.shape
    xmin = int(np.clip(np.floor(box[:, 0].min()), 0, w - 1))
    xmax = int(np.clip(np.ceil(box[:, 0].max()), 0, w - 1))
    ymin = int(np.clip(np.floor(box[:, 1].min()), 0, h - 1))
    ymax = int(np.clip(np.ceil(box[:, 1].max()), 0, h - 1))
    mask = np.zeros((ymax - ymin + 1, xmax - xmin + 1), dtype=np.uint8)
    shifted = box - np.array([xmin, ymin], dtype=np.float32)
    cv2.fillPoly(mask, [shifted.astype(np.int32)], 1)
    return float(cv2.mean(pred[ymin : ymax + 1, xmin : xmax + 1], mask)[0])


def unclip(box: np.ndarray, ratio: float, trim: float = 0.0) -> np.ndarray | None:
    """Offset the polygon outwards by area * ratio / perimeter (DB's unclip), less `trim`."""
    poly = box.reshape(-1, 2)
    area = abs(cv2.contourArea(poly))
    length = cv2.arcLength(poly.reshape(-1, 1, 2), True)
    if length == 0:
        return None
    distance = area * ratio / length
    distance = max(distance - trim, distance / 2)
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(poly.astype(np.int64).tolist(), pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    expanded = offset.Execute(distance)
    if not expanded:
        return None
    return np.array(max(expanded, key=len), dtype=np.float32)
