"""Engine: one straight line from source to result.

    load → frame (unbend or flatten, pad) → detect → orient → classify → recognise
         → post-processors → keep → layout → OcrResult

One Engine per process; its ONNX Runtime sessions are shared by every thread that calls
`run`, which is safe because the stages keep no per-call state on the instance.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import onnxruntime as ort

from .. import __version__, paths
from . import classify, denormals, det_bands, dewarp, layout, orient, post, zh_words
from .cache import ResultCache, content_key
from .config import EngineConfig
from .crop import crop_quad, is_tall
from .ctc import Decoded
from .detect import TextDetector, WholeGraph
from .errors import PROVISION_HINT, ErrorKind, ImageLoadError, ModelError
from .geometry import text_quad
from .load import LoadedImage, load, read_bytes
from .memory import release_free_memory
from .models import ModelFiles, file_stamp, resolve
from .page_frame import PageFrame, frame
from .preview import preview
from .reading import PageReading, Reading
from .recognize import TextRecognizer, strip
from .result import Line, OcrResult
from .session import default_threads, get_session

Source = str | Path | bytes | np.ndarray


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    t = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + (time.perf_counter() - t) * 1000


class Engine:
    def __init__(self, config: EngineConfig | None = None):
        self.config = config or EngineConfig()
        self.post = post.build(self.config.post)
        threads = self.config.threads or default_threads()
        self.threads = threads
        self.models: ModelFiles = resolve(self.config.model_set, self.config.precision)
        started = time.perf_counter()
        self.detector = TextDetector(self._detector_net(threads), self.config.detector)
        # One page in the detector at a time: it already uses every core, and its
        # activations are the largest allocation, so pages run by several threads overlap
        # detection with recognition instead of doubling memory.
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
        # Whether the thread that read the last page flushes denormal floats (None: no page yet).
        self.flushes_denormals: bool | None = None
        # Loaded on the first page that looks sideways: most runs never need it.
        self._orienter: orient.PageOrienter | None = None
        self._orient_gate = threading.Lock()
        # Opt-in (the dewarp pack): it costs a network run per page and clips flat pages' edges.
        self.dewarper = (dewarp.PageDewarper.load(lambda path: get_session(path, threads))
                         if self.config.dewarp_pages else None)
        det_session = (self.detector.net.session if isinstance(self.detector.net, WholeGraph)
                       else self.detector.net.sessions["stem"])
        slots = [(self.models.det, det_session, 4, "text detector"),
                 (self.models.rec, self.recognizer.session, 3, "text recogniser")]
        if self.classifier is not None:
            slots.append((self.models.cls, self.classifier.session, 2, "angle classifier"))
        _check_shapes(slots)
        needs = set().union(*(p.needs for p in self.post))
        self._keep_crops = "crops" in needs
        self._score_chars = self.recognizer.known("".join(p.score_chars for p in self.post)) \
            if "scores" in needs else ""
        self.load_ms = (time.perf_counter() - started) * 1000
        disk = paths.user_cache_dir() / "results" if self.config.disk_cache else None
        self.cache = ResultCache(self.config.cache_items, disk)
        # Results depend on the settings, the app version and the exact model files (an
        # INT8 file re-made by a newer quantiser): cached results from before never match.
        identity = self.models.identity()
        if self.dewarper is not None:
            identity += f";{dewarp.WEIGHTS}:{file_stamp(dewarp.weights_path())}"
        if "words" in self.config.post:
            identity += f";{zh_words.FILE}:{file_stamp(zh_words.path()) if self.words_table() else 'none'}"
        revisions = ",".join(f"{p.name}:{p.revision}" for p in self.post)
        self._fingerprint = "|".join([self.config.fingerprint(), revisions, __version__, identity])

    def _detector_net(self, threads: int) -> WholeGraph | det_bands.BandedDetector:
        """The detector in row bands when provisioning cut it into parts (same map, a
        third of the activation memory), else as one graph."""
        if self.models.det_bands is not None:
            try:
                return det_bands.load(self.models.det_bands, lambda path: get_session(path, threads))
            except (ModelError, OSError, ValueError, KeyError):
                pass  # damaged parts: the whole graph still works
        return WholeGraph(get_session(self.models.det, threads))

    @property
    def orienter(self) -> orient.PageOrienter:
        """The page-orientation classifier, its session opened on first use."""
        with self._orient_gate:
            if self._orienter is None:
                assert self.models.orient is not None
                self._orienter = orient.PageOrienter(get_session(self.models.orient, self.threads))
            return self._orienter

    def info(self) -> dict:
        return {**self.models.describe(), "threads": self.threads, "classifier": self.config.use_cls,
                "post": list(self.config.post), "dewarp": self.dewarper is not None,
                "zh_words": len(self.words_table() or ()), "load_ms": round(self.load_ms, 1),
                "denormals_flushed": self.flushes_denormals}

    def words_table(self) -> zh_words.WordTable | None:
        """The Chinese word table the highlight's word support uses (None: not provisioned or off)."""
        return next((p.table for p in self.post if isinstance(p, post.WordSupport)), None)

    # ---- public API -------------------------------------------------------------------

    preview = staticmethod(preview)  # the stage images the window shows: no models, no OCR

    def unbent(self, image: np.ndarray) -> np.ndarray | None:
        """The page unbent as it is read when dewarping is on (the compare view shows it as the
        flattened stage); None when it is off."""
        if self.dewarper is None:
            return None
        denormals.flush_here()
        return self.dewarper.grid(image).unbend(image)

    def run(self, source: Source, name: str | None = None, use_cache: bool = True) -> OcrResult:
        """OCR one image. Never raises for bad input: the reason is in `result.error_kind`."""
        t0 = time.perf_counter()
        self.flushes_denormals = denormals.flush_here()
        label = name or (Path(source).name if isinstance(source, (str, Path)) else "image")
        timings: dict[str, float] = {}

        def failed(kind: ErrorKind, message: str) -> OcrResult:
            return OcrResult.failed(label, kind, message, timings={"total": (time.perf_counter() - t0) * 1000})

        try:
            data = read_bytes(source) if isinstance(source, (str, Path)) else source
            key = self._key(data) if use_cache else None
            hit = self.cache.get(key) if key is not None else None
            if hit is not None:
                hit.source = label
                hit.timings = {**hit.timings, "total": (time.perf_counter() - t0) * 1000}
                return hit
            with _timed(timings, "load"):
                loaded = load(data)
            del data  # a file's bytes (23 MB for a 24 MP PNG) are not kept through the page
            release_free_memory()  # nor the decoder's own copy of the page, freed by now
            try:
                result = self._ocr(loaded, label, timings)
            finally:
                del loaded
                release_free_memory()
        except ImageLoadError as exc:
            return failed(exc.kind, str(exc))
        except MemoryError:
            return failed(ErrorKind.OUT_OF_MEMORY, "not enough memory for this image")
        except Exception as exc:  # an inference failure must cost one item, never the batch
            return failed(ErrorKind.INTERNAL, f"recognition failed ({type(exc).__name__}: {exc})")
        timings["total"] = (time.perf_counter() - t0) * 1000
        if key is not None:
            self.cache.put(key, result)
        return result

    def _key(self, data: bytes | np.ndarray) -> str:
        if isinstance(data, np.ndarray):
            raw = hashlib.blake2b(np.ascontiguousarray(data).tobytes(), digest_size=20).digest()
            data = raw + str(data.shape).encode()
        return content_key(bytes(data), self._fingerprint)

    # ---- the line ----------------------------------------------------------------------

    def _ocr(self, loaded: LoadedImage, label: str, timings: dict[str, float]) -> OcrResult:
        with _timed(timings, "preprocess"):
            page = frame(loaded, self.config.flatten_pages, unbend=self._unbend(timings))
        with _timed(timings, "detect"):
            quads = self._detect(page.image)
        # Each stage's freed buffers go back to the system before the next allocates its own,
        # so a big page's peak is its largest stage, not their sum on glibc's heap.
        release_free_memory()
        page, quads = self._upright(loaded, page, quads, timings)
        with _timed(timings, "classify"):
            lines, upside_down = self._classify(page.image, quads)
        with _timed(timings, "recognize"):
            readings = self._recognise(lines)
        release_free_memory()
        reading = PageReading(image=page.image, source=loaded.image, readings=readings, reader=self.recognizer,
                              min_confidence=self.config.min_confidence, score_chars=self._score_chars,
                              to_work=page.to_work)
        with _timed(timings, "postprocess"):
            for step in self.post:
                step(reading)
        kept = _keep(reading)
        with _timed(timings, "layout"):
            lines = _laid_out(kept, page, upside_down)
        angle = ((360 - page.turn) + (180 if upside_down else 0)) % 360
        return OcrResult(source=label, lines=lines, timings=timings, image_size=loaded.original_size,
                         orientation=angle)

    def _upright(self, loaded: LoadedImage, page: PageFrame, quads: list[np.ndarray],
                 timings: dict[str, float]) -> tuple[PageFrame, list[np.ndarray]]:
        """A page whose boxes mostly stand tall is shown to the orientation classifier;
        turned upright when it lies sideways, and detected again."""
        if not (self.config.orient_pages and self.models.orient is not None and orient.looks_sideways(quads)):
            return page, quads
        with _timed(timings, "orient"):
            try:
                turn = orient.upright_turn(self.orienter.angle(page.image, quads))
            except ModelError:  # a damaged orientation model: the page is read as it lies
                turn = 0
        if not turn:
            return page, quads
        page = frame(loaded, self.config.flatten_pages, turn, self._unbend(timings))
        with _timed(timings, "detect"):
            return page, self._detect(page.image)

    def _unbend(self, timings: dict[str, float]) -> Callable[[np.ndarray], dewarp.PageGrid] | None:
        """The page's dewarping grid, timed apart from the rest of preprocessing."""
        if self.dewarper is None:
            return None
        dewarper = self.dewarper

        def grid(photo: np.ndarray) -> dewarp.PageGrid:
            with _timed(timings, "dewarp"):
                return dewarper.grid(photo)
        return grid

    def _detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Detected quads in row order: a fixed order makes the recogniser's batches, and
        so its readings, the same run after run (the page's reading order is layout's)."""
        with self._detect_gate:
            quads, _scores = self.detector(image)
        return [quads[i] for i in layout.row_order([q.tolist() for q in quads])]

    def _classify(self, image: np.ndarray, quads: list[np.ndarray]) -> tuple[list[_Line], bool]:
        """Each quad's crop(s), upside-down ones turned; and whether most lines were.
        A tall crop is vertical text (read turned 90°) or one narrow glyph such as ":"
        (read upright): both are kept, and the recogniser's more confident reading wins."""
        lines = [_Line(q, crop_quad(image, q)) for q in quads]
        for ln in lines:
            if is_tall(ln.crops[0]):
                ln.crops.append(np.ascontiguousarray(np.rot90(ln.crops[0])))
        if self.classifier is None or not lines:
            return lines, False
        # The classifier checks what would be read along a line: wide crops, turned tall ones.
        checked = [(ln, len(ln.crops) - 1) for ln in lines if len(ln.crops) == 1] + \
                  [(ln, 1) for ln in lines if len(ln.crops) == 2]
        flips, upside_down = classify.classify_page(self.classifier, [ln.crops[k] for ln, k in checked])
        for (ln, k), turned, flip in zip(checked, classify.apply([ln.crops[k] for ln, k in checked], flips), flips,
                                         strict=True):
            if flip and not upside_down and k == 0:
                ln.unturned = ln.crops[0]  # a lone turned line on an upright page: read both ways
            ln.crops[k] = turned
        return lines, upside_down

    def _recognise(self, lines: list[_Line]) -> list[Reading]:
        # One recogniser call for every crop (first crops, then tall lines' turned ones):
        # batches are formed across the page.
        crops = [ln.crops[0] for ln in lines] + [ln.crops[1] for ln in lines if len(ln.crops) == 2]
        read = self.recognizer.recognise(crops, self._score_chars) if crops else []
        turned = iter(read[len(lines):])
        readings = []
        for ln, first in zip(lines, read, strict=False):
            best, crop, vertical = first, ln.crops[0], False
            if len(ln.crops) == 2:
                alt = next(turned)
                if _weight(alt.decoded) > _weight(first.decoded):
                    best, crop, vertical = alt, ln.crops[1], len(strip(alt.decoded).text) > 1
            tall = len(ln.crops) == 2
            readings.append(Reading(box=ln.quad if tall else text_quad(ln.quad), decoded=best.decoded,
                                    crop=crop if self._keep_crops else None, input_width=best.input_width,
                                    scores=best.scores, quad=ln.quad, tall=tall, vertical=vertical))
        self._second_opinion(lines, readings)
        return readings

    def _second_opinion(self, lines: list[_Line], readings: list[Reading]) -> None:
        """Lines the classifier turned on an upright page are read unturned too (on their
        own, so the page's batches stay as they were), and the more confident reading
        wins: the classifier is sometimes sure of a turn that is not there."""
        doubted = [k for k, ln in enumerate(lines) if ln.unturned is not None]
        if not doubted:
            return
        again = self.recognizer.recognise([lines[k].unturned for k in doubted], self._score_chars)
        for k, alt in zip(doubted, again, strict=True):
            current = readings[k]
            if _weight(alt.decoded) > _weight(current.decoded):
                current.decoded, current.input_width, current.scores = alt.decoded, alt.input_width, alt.scores
                if current.crop is not None:
                    current.crop = lines[k].unturned


class _Line:
    """A detected quad and the crop(s) to read it from."""

    __slots__ = ("crops", "quad", "unturned")

    def __init__(self, quad: np.ndarray, crop: np.ndarray):
        self.quad, self.crops = quad, [crop]
        self.unturned: np.ndarray | None = None


def _weight(decoded: Decoded) -> float:
    """How much a reading says: confident and long beats confident and short."""
    dec = strip(decoded)
    return dec.confidence * len(dec.text) ** 0.5


def _keep(page: PageReading) -> list[Reading]:
    """Readings with text at or above the confidence floor, ends stripped."""
    kept = []
    for r in page.readings:
        r.decoded = strip(r.decoded)
        if r.decoded.text.strip() and r.decoded.confidence >= page.min_confidence:
            kept.append(r)
    return kept


def _laid_out(kept: list[Reading], page: PageFrame, upside_down: bool) -> list[Line]:
    """Lines in reading order with their structure, from the upright page's geometry (an
    upside-down page is read with its coordinates turned); decoded codes follow the text."""
    text = [r for r in kept if r.kind == "text"]
    sign = -1.0 if upside_down else 1.0
    found = layout.analyse([(sign * r.box).tolist() for r in text], [r.decoded.text for r in text],
                           [r.vertical for r in text])
    lines = []
    for i in found.order:
        ln = _line(text[i], page, upside_down)
        ln.block, ln.paragraph, ln.row = found.block[i], found.paragraph[i], found.row[i]
        ln.end, ln.indent, ln.vertical = found.end[i], found.indent[i], text[i].vertical
        lines.append(ln)
    after = max([ln.paragraph for ln in lines], default=-1) + 1
    rows = max([ln.row for ln in lines], default=-1) + 1
    blocks = max([ln.block for ln in lines], default=-1) + 1
    for k, r in enumerate(x for x in kept if x.kind != "text"):
        ln = _line(r, page)
        ln.block, ln.paragraph, ln.row = blocks + k, after + k, rows + k
        lines.append(ln)
    return lines


def _line(r: Reading, page: PageFrame, upside_down: bool = False) -> Line:
    """The reading as a Line on the file's pixels; its corners start at the text's own
    top-left (on an upside-down page, the image's bottom-right corner of the box)."""
    pts = page.to_original(r.box)
    if upside_down:
        pts = np.roll(pts, 2, axis=0)
    box = pts.astype(np.float64).round(1).tolist()
    return Line(box=box, text=r.decoded.text, confidence=round(r.decoded.confidence, 4),
                char_confidences=[round(c, 3) for c in r.decoded.char_confidences], kind=r.kind,
                char_doubt=[round(d, 3) for d in r.decoded.char_doubt])


def _check_shapes(slots: list[tuple[Path, ort.InferenceSession, int, str]]) -> None:
    """Catch a valid ONNX file of the wrong kind in a slot (e.g. a classifier saved as the
    detector) at start-up, where the message can name the file, not on the first image."""
    for path, session, rank, kind in slots:
        inputs, outputs = session.get_inputs(), session.get_outputs()
        if len(inputs[0].shape) != 4 or len(outputs[0].shape) != rank:
            raise ModelError(f"model file is not a {kind}: {path}; {PROVISION_HINT}")
