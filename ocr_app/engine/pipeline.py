"""Engine: wires load → preprocess → detect → classify → recognise, with timings and cache.

One Engine per process; its ONNX Runtime sessions are shared by every thread that calls
`run`, which is safe because the stages keep no per-call state on the instance.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from .. import __version__, paths
from . import classify, det_bands, glyphs, preprocess
from .cache import ResultCache, content_key
from .crop import crop_quad, is_tall
from .detect import DetectorConfig, TextDetector, WholeGraph
from .errors import PROVISION_HINT, ModelError
from .geometry import text_height, text_quad
from .layout import reading_order
from .load import ImageLoadError, LoadedImage, load, read_bytes
from .memory import release_free_memory
from .models import ModelFiles, resolve
from .recognize import TextRecognizer
from .result import Line, OcrResult
from .script import unify_simplified
from .session import default_threads, get_session


@dataclass
class EngineConfig:
    model_set: str | None = None  # None → the manifest's default
    precision: str = "int8"  # "int8" or "fp32"
    threads: int = 0  # ONNX Runtime intra-op threads; 0 → physical cores
    use_cls: bool = True  # angle classifier for upside-down lines
    detect_codes: bool = False  # also decode QR codes / barcodes as marked lines
    unify_script: bool = True  # a Simplified Chinese page gets Simplified characters throughout
    flatten_pages: bool = False  # photographed page on a background: read it perspective-corrected
    min_confidence: float = 0.5  # drop recognised lines below this
    detector: DetectorConfig = field(default_factory=DetectorConfig)
    rec_batch: int = 8
    cache_items: int = 256
    disk_cache: bool = False

    def fingerprint(self) -> str:
        """Settings that change results (not threads or caching)."""
        keep = {k: v for k, v in asdict(self).items() if k not in ("threads", "cache_items", "disk_cache")}
        return repr(sorted(keep.items()))


class Engine:
    def __init__(self, config: EngineConfig | None = None):
        self.config = config or EngineConfig()
        threads = self.config.threads or default_threads()
        self.threads = threads
        self.models: ModelFiles = resolve(self.config.model_set, self.config.precision)
        started = time.perf_counter()
        self.detector = TextDetector(self._detector_net(threads), self.config.detector)
        # One page in the detector at a time: it already uses every core, and its
        # activations are the largest allocation (~80 MB at 1.2 MP in bands, ~200 MB as one
        # graph), so pages run by several threads overlap detection with recognition
        # instead of doubling memory.
        self._detect_gate = threading.Lock()
        try:
            self.recognizer = TextRecognizer(
                get_session(self.models.rec, threads),
                str(self.models.dict_path) if self.models.dict_path else None,
                batch=self.config.rec_batch,
            )
        except ValueError as exc:  # no character dictionary: not a recogniser
            raise ModelError(
                f"model file is not a text recogniser: {self.models.rec} ({exc}); {PROVISION_HINT}") from exc
        self.classifier = (
            classify.AngleClassifier(get_session(self.models.cls, threads)) if self.config.use_cls else None
        )
        det_session = (self.detector.net.session if isinstance(self.detector.net, WholeGraph)
                       else self.detector.net.sessions["stem"])
        slots = [(self.models.det, det_session, 4, "text detector"),
                 (self.models.rec, self.recognizer.session, 3, "text recogniser")]
        if self.classifier is not None:
            slots.append((self.models.cls, self.classifier.session, 2, "angle classifier"))
        _check_shapes(slots)
        self.load_ms = (time.perf_counter() - started) * 1000
        disk = paths.user_cache_dir() / "results" if self.config.disk_cache else None
        self.cache = ResultCache(self.config.cache_items, disk)
        # Results depend on the settings, the app version and the exact model files (an
        # INT8 file re-made by a newer quantiser): cached results from before never match.
        self._fingerprint = "|".join([self.config.fingerprint(), __version__, self.models.identity()])

    def _detector_net(self, threads: int) -> WholeGraph | det_bands.BandedDetector:
        """The detector in row bands when provisioning cut it into parts (a third of the
        activation memory, same map), else as one graph."""
        if self.models.det_bands is not None:
            try:
                return det_bands.load(self.models.det_bands, lambda path: get_session(path, threads))
            except (ModelError, OSError, ValueError, KeyError):
                pass  # damaged parts: the whole graph still works
        return WholeGraph(get_session(self.models.det, threads))

    def info(self) -> dict:
        return {**self.models.describe(), "threads": self.threads, "classifier": self.config.use_cls,
                "load_ms": round(self.load_ms, 1)}

    # ---- public API -------------------------------------------------------------------

    def run(self, source: str | Path | bytes | np.ndarray, name: str | None = None,
            want_stages: bool = False, use_cache: bool = True) -> OcrResult:
        """OCR one image. Never raises for bad input: the reason is in `result.error`."""
        t0 = time.perf_counter()
        label = name or (Path(source).name if isinstance(source, (str, Path)) else "image")
        timings: dict[str, float] = {}
        try:
            data = read_bytes(source) if isinstance(source, (str, Path)) else source
            key = self._key(data) if use_cache else None
            if key is not None and not want_stages:
                hit = self.cache.get(key)
                if hit is not None:
                    hit.source = label
                    hit.timings = {**hit.timings, "total": (time.perf_counter() - t0) * 1000}
                    return hit
            loaded = load(data)
            timings["load"] = (time.perf_counter() - t0) * 1000
            try:
                result = self._recognise_image(loaded, label, timings, want_stages)
            finally:
                del loaded
                release_free_memory()
        except ImageLoadError as exc:
            return OcrResult(source=label, error=str(exc), timings={"total": (time.perf_counter() - t0) * 1000})
        except MemoryError:
            return OcrResult(source=label, error="not enough memory for this image",
                             timings={"total": (time.perf_counter() - t0) * 1000})
        except Exception as exc:  # an inference failure must cost one item, never the batch
            return OcrResult(source=label, error=f"recognition failed ({type(exc).__name__}: {exc})",
                             timings={"total": (time.perf_counter() - t0) * 1000})
        timings["total"] = (time.perf_counter() - t0) * 1000
        if key is not None:
            self.cache.put(key, result)
        return result

    def _key(self, data: bytes | np.ndarray) -> str:
        if isinstance(data, np.ndarray):
            raw = hashlib.blake2b(np.ascontiguousarray(data).tobytes(), digest_size=20).digest()
            data = raw + str(data.shape).encode()
        return content_key(bytes(data), self._fingerprint)

    # ---- stages ----------------------------------------------------------------------

    def _recognise_image(self, loaded: LoadedImage, label: str, timings: dict[str, float],
                         want_stages: bool) -> OcrResult:
        img = loaded.image
        t = time.perf_counter()
        page_matrix = None
        source = img
        page = preprocess.flatten_page(img) if self.config.flatten_pages else None
        if page is not None:
            source, page_matrix = page
        work, offset = pad_small(source)
        stages = preprocess.stage_images(img) if want_stages else {}
        timings["preprocess"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        with self._detect_gate:
            quads, _scores = self.detector(work)
        order = reading_order([q.tolist() for q in quads])
        quads = [quads[i] for i in order]
        timings["detect"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        crops = [crop_quad(work, q) for q in quads]
        # Tall crops are either vertical lines (read turned 90°) or one narrow glyph such
        # as ":" or "1" (read upright): try both and keep the more confident reading.
        tall = [i for i, c in enumerate(crops) if is_tall(c)]
        tall_set = set(tall)
        # Reported boxes are the text height; the padding was only needed for the crops.
        shown = [q if i in tall_set else text_quad(q) for i, q in enumerate(quads)]
        variants = [np.ascontiguousarray(np.rot90(crops[i])) for i in tall]
        page_flipped = False
        if self.classifier is not None and crops:
            flat = [i for i in range(len(crops)) if i not in tall_set]
            checked = [crops[i] for i in flat] + variants
            flips = classify.classify_page(self.classifier, checked)
            turned = classify.apply(checked, flips)
            for i, c in zip(flat, turned, strict=False):
                crops[i] = c
            variants = turned[len(flat):]
            page_flipped = sum(flips) > len(flips) / 2
        timings["classify"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        decoded = self.recognizer(crops + variants) if crops else []
        for j, i in enumerate(tall):
            alt = decoded[len(crops) + j]
            if alt.confidence * len(alt.text) ** 0.5 > decoded[i].confidence * len(decoded[i].text) ** 0.5:
                decoded[i] = alt
        decoded = decoded[: len(crops)]
        heights = [text_height(q) for i, q in enumerate(quads) if i not in tall_set]
        found = glyphs.find_free_glyphs(work, quads, heights, self.recognizer)
        if found:  # free-standing ":" and lone "1" the detector left out, into reading order
            shown += [q for q, _ in found]
            decoded += [d for _, d in found]
            order = reading_order([q.tolist() for q in shown])
            shown, decoded = [shown[i] for i in order], [decoded[i] for i in order]
        timings["recognize"] = (time.perf_counter() - t) * 1000

        back = 1.0 / loaded.scale
        lines = []
        for quad, dec in zip(shown, decoded, strict=True):
            if not dec.text.strip() or dec.confidence < self.config.min_confidence:
                continue
            pts = quad - offset
            if page_matrix is not None:
                pts = preprocess.unwarp_points(pts, page_matrix)
            box = (pts * back).round(1).tolist()
            lines.append(Line(box=box, text=dec.text, confidence=round(dec.confidence, 4),
                              char_confidences=[round(c, 3) for c in dec.char_confidences]))
        if self.config.unify_script:
            unify_simplified(lines)
        if page_flipped:  # an upside-down page reads bottom-up, right to left
            w, h = loaded.original_size
            order = reading_order([[[w - x, h - y] for x, y in ln.box] for ln in lines])
            lines = [lines[i] for i in order]
        if self.config.detect_codes:
            t = time.perf_counter()
            lines.extend(_codes(img, back))
            timings["codes"] = (time.perf_counter() - t) * 1000
        return OcrResult(source=label, lines=lines, timings=timings, image_size=loaded.original_size,
                         stages=stages)


def _check_shapes(slots: list[tuple[Path, ort.InferenceSession, int, str]]) -> None:
    """Catch a valid ONNX file of the wrong kind in a slot (e.g. a classifier saved as the
    detector) at start-up, where the message can name the file, not on the first image."""
    for path, session, rank, kind in slots:
        inputs, outputs = session.get_inputs(), session.get_outputs()
        if len(inputs[0].shape) != 4 or len(outputs[0].shape) != rank:
            raise ModelError(f"model file is not a {kind}: {path}; {PROVISION_HINT}")


def _codes(img: np.ndarray, back: float) -> list[Line]:
    try:
        from .codes import detect_codes
    except ImportError:
        return []
    found = detect_codes(img)
    for line in found:
        line.box = (np.asarray(line.box, np.float32) * back).round(1).tolist()
    return found


def pad_small(img: np.ndarray, min_side: int = 32, max_ratio: float = 8.0) -> tuple[np.ndarray, np.ndarray]:
    """Pad tiny or very elongated images (a single-line screenshot) so the detector sees
    margins around the text; returns the padded image and the (x, y) offset added."""
    h, w = img.shape[:2]
    pad_y = max(0, int(np.ceil(max(min_side, w / max_ratio) - h)))
    pad_x = max(0, int(np.ceil(max(min_side, h / max_ratio) - w)))
    if not pad_x and not pad_y:
        return img, np.zeros(2, np.float32)
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]]).reshape(-1, 3)
    colour = tuple(int(c) for c in np.median(border, axis=0))
    top, left = pad_y // 2, pad_x // 2
    padded = cv2.copyMakeBorder(img, top, pad_y - top, left, pad_x - left, cv2.BORDER_CONSTANT, value=colour)
    return padded, np.array([left, top], np.float32)
