"""Multi-page TIFF and animated GIF/WebP: every page or frame is a page (Pillow).

Frames are decoded one at a time while the file stays open, so memory holds one page.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..engine import ErrorKind
from ..safe_open import NotRegularFileError, open_regular
from ..safe_open import reason as open_reason
from .model import DocumentError, Page


@contextmanager
def _open(path: Path) -> Iterator[Image.Image]:
    """The image, read from one safely opened descriptor (never blocks on a FIFO or device);
    the file is closed with the image."""
    try:
        fh = open_regular(path)
    except (OSError, ValueError) as exc:
        kind = ErrorKind.NOT_REGULAR if isinstance(exc, NotRegularFileError) else ErrorKind.NOT_FOUND
        raise DocumentError(f"{path.name}: {open_reason(exc)}", kind) from exc
    with fh:
        try:
            im = Image.open(fh)
        except Image.DecompressionBombError as exc:
            raise DocumentError(f"{path.name}: image too large to open safely", ErrorKind.TOO_LARGE) from exc
        except (UnidentifiedImageError, SyntaxError, ValueError) as exc:
            raise DocumentError(f"{path.name}: not an image, or a damaged file", ErrorKind.NOT_AN_IMAGE) from exc
        except OSError as exc:
            raise DocumentError(f"{path.name}: cannot read file: {exc.strerror or exc}") from exc
        except Exception as exc:  # a plugin tripping over bad bytes (IndexError, TypeError, struct.error…)
            raise DocumentError(f"{path.name}: not an image, or a damaged file") from exc
        with im:
            yield im


_EMPTY = np.zeros((0, 0, 3), np.uint8)
MAX_FRAME_PIXELS = 250_000_000  # refuse: decoding alone could exhaust memory
WORK_PIXELS = 30_000_000  # downscale larger pages (the engine works at ≤16 MP anyway)


def _fit(frame: Image.Image) -> Image.Image:
    w, h = frame.size
    if w * h > MAX_FRAME_PIXELS:
        raise DocumentError(f"page too large to open safely ({w}×{h} pixels)")
    if w * h <= WORK_PIXELS:
        return frame
    scale = (WORK_PIXELS / (w * h)) ** 0.5
    if frame.mode not in ("L", "RGB", "RGBA", "LA"):
        frame = frame.convert("RGBA" if "transparency" in frame.info or "A" in frame.mode else "RGB")
    return frame.resize((max(1, int(w * scale)), max(1, int(h * scale))), Image.Resampling.BOX)


def frame_to_bgr(frame: Image.Image) -> np.ndarray:
    """Any Pillow mode → HxWx3 uint8 BGR (large pages downscaled); transparency onto white."""
    frame = _fit(ImageOps.exif_transpose(frame))
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = np.asarray(frame.convert("RGBA"), dtype=np.float32)
        alpha = rgba[:, :, 3:4] / 255.0
        rgb = (rgba[:, :, :3] * alpha + 255.0 * (1 - alpha)).astype(np.uint8)
    elif frame.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.nan_to_num(np.asarray(frame, dtype=np.float64))
        lo, hi = float(arr.min(initial=0)), float(arr.max(initial=0))
        gray = ((arr - lo) * (255.0 / max(hi - lo, 1e-9))).astype(np.uint8)
        rgb = np.repeat(gray[:, :, None], 3, axis=2)
    else:
        rgb = np.asarray(frame.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


@dataclass(frozen=True)
class FrameScan:
    """How many pages a file shows, and where a damaged one stops being readable.

    `readable` frames can be reached by seeking; when `damaged`, one more page is
    reported (as an error page) so the user learns the rest of the file is lost."""

    readable: int
    damaged: bool = False

    @property
    def count(self) -> int:
        return self.readable + (1 if self.damaged else 0)


def _decodes(im: Image.Image) -> bool:
    """Whether the current frame's pixels decode (size-checked first: no bomb is loaded)."""
    w, h = im.size
    if w * h > MAX_FRAME_PIXELS:
        return False
    try:
        im.load()
    except Exception:  # MemoryError included: this is only a probe
        return False
    return True


def _scan_damaged(path: Path) -> FrameScan:
    """Pillow's own frame count failed part-way (truncated or corrupt file): reopen and seek
    frame by frame to find how many pages are still reachable."""
    with _open(path) as im:
        readable = 1
        while True:
            try:
                im.seek(readable)
            except EOFError:
                return FrameScan(readable)  # a clean end after all: nothing lost
            except Exception:
                break
            readable += 1
    # Only a whole-file failure when no reachable page decodes (usually page 1 decodes at once).
    with _open(path) as im:
        for index in range(readable):
            try:
                if index:
                    im.seek(index)
            except Exception:
                break
            if _decodes(im):
                return FrameScan(readable, damaged=True)
    raise DocumentError(f"{path.name} is damaged or truncated: no page can be read")


def scan_frames(path: Path) -> FrameScan:
    """Page count of a TIFF/GIF/WebP; DocumentError when the file cannot be read at all.

    Pillow's `n_frames` walks every frame header and lets raw errors out for damaged
    files (TypeError, IndexError, SyntaxError…), so those are caught here."""
    with _open(path) as im:
        try:
            return FrameScan(max(1, getattr(im, "n_frames", 1)))
        except MemoryError as exc:
            raise DocumentError(f"{path.name}: not enough memory to read this file") from exc
        except Exception:
            pass
    return _scan_damaged(path)


def frame_count(path: Path) -> int:
    return scan_frames(path).count


def _damaged_page_message(exc: Exception) -> str:
    """User-facing text for a frame that fails to decode: Pillow's own texts ("index out of
    range", "codec configuration error") mean nothing to a user, so only say whether it is cut short."""
    if "truncated" in str(exc):
        return "damaged page: the file is truncated"
    return "damaged page, cannot decode it"


def iter_frames(path: Path, scan: FrameScan | None = None) -> Iterator[Page]:
    scan = scan or scan_frames(path)
    with _open(path) as im:
        for index in range(scan.readable):
            t = time.perf_counter()
            try:
                im.seek(index)
                image = frame_to_bgr(im)
            except MemoryError:
                yield Page(index + 1, _EMPTY, error="not enough memory for this page")
                continue
            except DocumentError as exc:
                yield Page(index + 1, _EMPTY, error=str(exc))
                continue
            except Exception as exc:  # a damaged frame must not stop the others
                yield Page(index + 1, _EMPTY, error=_damaged_page_message(exc))
                continue
            yield Page(index + 1, image, render_ms=(time.perf_counter() - t) * 1000)
        if scan.damaged:
            yield Page(scan.readable + 1, _EMPTY,
                       error=f"the file is damaged or truncated after page {scan.readable}; "
                             "the rest of it cannot be read")


def render_frame(path: Path, number: int) -> np.ndarray:
    scan = scan_frames(path)
    if not 1 <= number <= scan.readable:
        raise DocumentError(f"{path.name} has no readable page {number}")
    with _open(path) as im:
        try:
            im.seek(number - 1)
            return frame_to_bgr(im)
        except (DocumentError, MemoryError):
            raise
        except Exception as exc:
            raise DocumentError(f"{path.name}: page {number}: {_damaged_page_message(exc)}") from exc


def scan_dpi(im: Image.Image) -> float | None:
    """The resolution a scanner recorded, if plausible (72/96 usually means "unknown")."""
    dpi = im.info.get("dpi")
    try:
        value = float(dpi[0]) if isinstance(dpi, tuple) else float(dpi)
    except (TypeError, ValueError, IndexError):
        return None
    return value if 100 <= value <= 1200 else None


def page_size_pt(path: Path, number: int) -> tuple[float, float] | None:
    """Physical page size in points from the recorded DPI, or None when unknown."""
    with _open(path) as im:
        if number > 1:
            im.seek(number - 1)
        dpi = scan_dpi(im)
        if dpi is None:
            return None
        orientation = im.getexif().get(0x0112, 1)
        w, h = im.size if orientation < 5 else im.size[::-1]  # EXIF 5-8 turn the page by 90°
        return w * 72.0 / dpi, h * 72.0 / dpi
