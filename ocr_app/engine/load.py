"""Decode image bytes into an upright 8-bit BGR array, whatever the file throws at us.

OpenCV decodes from bytes (so non-ASCII paths work) and applies EXIF orientation; Pillow is
the fallback for what OpenCV cannot read (GIF, some TIFF/palette variants) and for frames
of multi-page files. Pixel counts are checked from the header before decoding, so a
decompression bomb is refused cheaply and a large-but-legitimate image is downscaled;
a file whose header Pillow cannot read is refused rather than decoded blind.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

MAX_DECODE_PIXELS = 120_000_000  # refuse beyond this (decompression bomb)


def _cap_opencv_pixels() -> None:
    """OpenCV's own decoder limit as a backstop (its default is 2^30 pixels): read on its
    first decode, so it must be set before any image is decoded, ideally before import."""
    current = os.environ.get("OPENCV_IO_MAX_IMAGE_PIXELS", "")
    if not current.isdigit() or int(current) > MAX_DECODE_PIXELS:
        os.environ["OPENCV_IO_MAX_IMAGE_PIXELS"] = str(MAX_DECODE_PIXELS)


_cap_opencv_pixels()

import cv2  # noqa: E402  (after the pixel cap above)

from ..safe_open import NotRegularFileError, open_regular  # noqa: E402
from ..safe_open import reason as open_reason  # noqa: E402
from . import stream_decode, text_scale  # noqa: E402
from .errors import ErrorKind, ImageLoadError  # noqa: E402

# We apply our own, stricter pixel limit from the header, so Pillow's warning for
# 89-179 MP images is noise on the user's console; its hard DecompressionBombError stays.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

MB = 1024 * 1024
MAX_FILE_BYTES = 200 * MB
MAX_WORK_PIXELS = 16_000_000  # downscale beyond this before OCR
MAX_SIDE = 8000
# PNGs from this size on are streamed even when they need no downscaling: OpenCV's decode
# holds the image twice (its binding copies the result), the stream once plus a band.
STREAM_PNG_PIXELS = 8_000_000
_LIMIT_MP = MAX_DECODE_PIXELS // 1_000_000


@dataclass
class LoadedImage:
    image: np.ndarray  # HxWx3 uint8 BGR
    original_size: tuple[int, int]  # (width, height) of the full-size image, upright (EXIF applied)
    scale: float  # work image size / original size


def read_bytes(path: str | Path) -> bytes:
    """Whole file, or ImageLoadError: never blocks on a FIFO/device, never reads past the size cap.

    The file is opened once (`safe_open.open_regular`) and size-checked on that descriptor."""
    try:
        fh = open_regular(path)
    except NotRegularFileError as exc:
        raise ImageLoadError(str(exc), ErrorKind.NOT_REGULAR) from exc
    except (OSError, ValueError) as exc:  # ValueError: NUL byte in the path
        raise ImageLoadError(open_reason(exc), ErrorKind.NOT_FOUND) from exc
    with fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            raise ImageLoadError("empty file (0 bytes)", ErrorKind.EMPTY)
        if size > MAX_FILE_BYTES:
            raise ImageLoadError(f"file too large ({size / MB:.0f} MB, limit {MAX_FILE_BYTES / MB:.0f} MB)",
                                 ErrorKind.TOO_LARGE)
        try:
            data = fh.read(MAX_FILE_BYTES + 1)  # the file may have grown since fstat()
        except OSError as exc:
            raise ImageLoadError(f"cannot read file: {exc.strerror or exc}", ErrorKind.NOT_FOUND) from exc
    if not data:
        raise ImageLoadError("empty file (0 bytes)", ErrorKind.EMPTY)
    if len(data) > MAX_FILE_BYTES:
        raise ImageLoadError(f"file too large (over {MAX_FILE_BYTES / MB:.0f} MB)", ErrorKind.TOO_LARGE)
    return data


class _Bomb(Exception):
    """Pillow refused the header as a decompression bomb (its own limit is above ours)."""


def _header(data: bytes) -> tuple[tuple[int, int], str, bool, int] | None:
    """((width, height), mode, has_alpha, EXIF orientation) from the header without decoding, or None."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            alpha = im.mode in ("RGBA", "LA", "PA", "La") or "transparency" in im.info
            # Only JPEG keeps EXIF in the header; PNG's getexif() would decode every pixel.
            orientation = _orientation(im) if im.format in ("JPEG", "MPO") else 1
            return im.size, im.mode, alpha, orientation
    except Image.DecompressionBombError as exc:
        raise _Bomb(str(exc)) from exc
    except Exception:
        return None


_MAGIC = ((b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"), (b"BM", "BMP"),
          (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"RIFF", "WebP"))


def _sniff(data: bytes) -> str | None:
    """Format name from the magic bytes, to tell 'damaged PNG' from 'not an image'."""
    return next((name for magic, name in _MAGIC if data.startswith(magic)), None)


def _orientation(im: Image.Image) -> int:
    try:
        value = int(im.getexif().get(0x0112, 1))
    except Exception:  # damaged EXIF: treat as upright
        return 1
    return value if 1 <= value <= 8 else 1


_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
              7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}


def _upright_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def _reduction(pixels: int, jpeg: bool) -> int:
    """Largest decode-time scale-down that still leaves at least 3/4 of the work size
    (12 MP, a phone camera's usual output). libjpeg scales while decoding (2/4/8, no
    full-size buffer). Other formats are decoded at full size and halved inside OpenCV.
    That still pays, because OpenCV's Python binding copies its result into NumPy, and a
    halved result is a quarter of the copy: a 100 MP PNG or TIFF loads with a peak of
    +361 instead of +576 MB. Beyond 2 OpenCV's linear resize would skip pixels, so other
    formats stop at 2 and the rest is area-averaged in _cap. The 3/4 lets a 48-64 MP
    photo decode at half size: a 48 MP JPEG's load peaked at +288 MB (full decode and its
    copy) and now at +82 MB, in 190 instead of 441 ms."""
    floor = MAX_WORK_PIXELS * 3 // 4
    return next((r for r in ((8, 4, 2) if jpeg else (2,)) if pixels / (r * r) >= floor), 1)


# A large JPEG may be decoded reduced further while its text stays as large as the text the
# engine reads at native size: text_scale's low-percentile glyph height is 10-20 px (median
# 12) on the dev receipts, so a reduced page keeps it at 12 px or more. Measured on 35 MP
# receipt scans and a 48 MP photo in docs/benchmarks.md ("Big scans"; 16 px kept 3 of 20
# scans at full size, 150 MB more peak, for 3 fewer edits).
GLYPH_FLOOR = 12.0
MIN_REDUCED_PIXELS = 2_000_000  # never read a page smaller than this, whatever its type size
_PROBE_PIXELS = 1_200_000  # the glyph estimate runs on a copy of about this area


def _jpeg_reduction(buf: np.ndarray, pixels: int) -> int:
    """`_reduction` for a JPEG over the work size, or a deeper one (2 or 4) when a cheap
    1/4-scale decode shows text large enough for it. Pages with no reliable estimate
    (photos, textures, little text) keep the size rule."""
    base = _reduction(pixels, jpeg=True)
    deeper = [r for r in (4, 2) if r > base and pixels / (r * r) >= MIN_REDUCED_PIXELS]
    if pixels <= MAX_WORK_PIXELS or not deeper:
        return base
    try:
        probe = cv2.imdecode(buf, cv2.IMREAD_REDUCED_GRAYSCALE_4)
    except cv2.error:
        return base
    if probe is None or not probe.size:
        return base
    glyph = text_scale.page_text_height(probe, text_scale.ScaleConfig(work_pixels=_PROBE_PIXELS))
    if glyph is None:
        return base
    glyph *= pixels ** 0.5 / (probe.shape[0] * probe.shape[1]) ** 0.5  # in full-size pixels
    return next((r for r in deeper if glyph / r >= GLYPH_FLOOR), base)


def _simplejpeg(data: bytes, gray: bool, buffer: mmap.mmap | None = None) -> np.ndarray | None:
    """The JPEG's stored pixels (H×W gray or H×W×3 BGR, EXIF not applied) decoded by
    libjpeg-turbo (simplejpeg) straight into the array returned, or into `buffer`: the same
    pixels as OpenCV's decoder (CMYK too), without its binding's copy of the whole image
    (docs/benchmarks.md, "Big pages and folders of them"). None when it cannot (no
    simplejpeg, a damaged file): the caller then decodes with OpenCV."""
    try:
        import simplejpeg
    except ImportError:
        return None
    try:
        img = simplejpeg.decode_jpeg(data, colorspace="GRAY" if gray else "BGR", buffer=buffer, strict=True)
    except (ValueError, MemoryError, OSError):
        return None
    return img[:, :, 0] if img.ndim == 3 and img.shape[2] == 1 else img


def _decode_jpeg_to_work(data: bytes, size: tuple[int, int], gray: bool) -> np.ndarray | None:
    """A JPEG over the work size that must be read at full size (its type is small),
    decoded into anonymous memory and area-averaged to the work size band by band, each
    band's full-size rows handed back to the OS once averaged: the peak is the full image
    and a band, not the full image and the work image (a 40 MP page: +172 → +134 MB), and
    the pixels are those of one `cv2.resize` of the whole (stream_decode.fit_in_bands).
    Not turned (EXIF). None where it cannot (no madvise, or see `_simplejpeg`)."""
    if not hasattr(mmap, "MADV_DONTNEED"):
        return None
    w, h = size
    channels = 1 if gray else 3
    try:
        memory = mmap.mmap(-1, h * w * channels)
    except (OSError, OverflowError):
        return None
    full = _simplejpeg(data, gray, memory)
    if full is None or full.shape[:2] != (h, w):
        return None
    row_bytes, handed, released = w * channels, 0, 0

    def next_band(rows: int) -> np.ndarray:
        nonlocal handed, released
        done = handed * row_bytes // mmap.PAGESIZE * mmap.PAGESIZE  # rows before `handed` are averaged
        if done > released:
            memory.madvise(mmap.MADV_DONTNEED, released, done - released)
            released = done
        band = full[handed:handed + rows]
        handed += rows
        return band

    return stream_decode.fit_in_bands(next_band, h, row_bytes, *_work_size(w, h))


_CV_REDUCED = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
               8: cv2.IMREAD_REDUCED_COLOR_8}


_CV_REDUCED_GRAY = {1: cv2.IMREAD_GRAYSCALE, 2: cv2.IMREAD_REDUCED_GRAYSCALE_2, 4: cv2.IMREAD_REDUCED_GRAYSCALE_4,
                    8: cv2.IMREAD_REDUCED_GRAYSCALE_8}

# Transient bytes per full-size pixel of a decode that allocates the whole image first
# (measured, see docs/benchmarks.md "Decode memory"), by (decoder, output): what
# _check_budget multiplies by the pixel count. PNG is streamed instead (stream_decode).
_COST_CV = {"gray": 1.6, "color": 3.8}
_COST_PIL = {"1": 1.5, "L": 1.5, "P": 5.5, "I;16": 9.0, "I;16B": 9.0, "I;16L": 9.0, "I": 9.0, "F": 9.0}
_COST_PIL_DEFAULT = 5.5  # RGB, RGBA, LA, CMYK…: 4 bytes a pixel in Pillow, plus the downscaled copy
DECODE_BUDGET = 300 * MB


def _check_budget(w: int, h: int, mode: str, jpeg: bool, use_cv: bool, gray: bool, reduction: int) -> None:
    """Refuse, from the header, an image whose full-size decode would exceed DECODE_BUDGET.
    JPEG scales while decoding (libjpeg), so only the reduced size counts for it."""
    pixels = w * h
    if use_cv:
        per_pixel = _COST_CV["gray" if gray else "color"]
        cost = pixels * per_pixel / (reduction * reduction if jpeg else 1)
    else:
        cost = pixels * _COST_PIL.get(mode, _COST_PIL_DEFAULT)
    if cost > DECODE_BUDGET:
        limit = DECODE_BUDGET / (per_pixel if use_cv else _COST_PIL.get(mode, _COST_PIL_DEFAULT)) / 1e6
        raise ImageLoadError(f"image too large to decode safely ({w}×{h} pixels; this kind of image is "
                             f"limited to {limit:.0f} megapixels: save it as PNG or JPEG, or scale it down)",
                             ErrorKind.TOO_LARGE)


# Modes that OpenCV's colour decode handles fully (including EXIF orientation).
_CV_MODES = {"RGB", "L", "YCbCr", "CMYK", "P", "1"}


def _to_bgr8(img: np.ndarray) -> np.ndarray:
    """Any 2-D gray or 3-D (gray, gray+alpha, BGR, BGRA) array of any numeric dtype → HxWx3 uint8."""
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (2, 3, 4)):
        raise ImageLoadError(f"unsupported image array shape {img.shape}", ErrorKind.NOT_AN_IMAGE)
    if img.shape[0] < 1 or img.shape[1] < 1:
        raise ImageLoadError("image has no pixels")
    if img.dtype == np.bool_:
        img = img.astype(np.uint8) * 255
    elif img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype.kind == "f":
        img = np.nan_to_num(img.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        img = np.clip(img * (255.0 if img.max(initial=0.0) <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    elif img.dtype.kind in "iu" and img.dtype != np.uint8:
        img = cv2.normalize(img.astype(np.float32), None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    elif img.dtype != np.uint8:
        raise ImageLoadError(f"unsupported image array type {img.dtype}", ErrorKind.NOT_AN_IMAGE)
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.shape[2] == 4:
        # Composite transparency onto white: text on transparent PNGs is usually dark.
        return _over_white(img[:, :, :3], img[:, :, 3])
    if img.shape[2] == 2:  # gray + alpha
        return cv2.cvtColor(_over_white(img[:, :, :1], img[:, :, 1])[:, :, 0], cv2.COLOR_GRAY2BGR)
    return img


def _over_white(color: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """color·a + white·(1-a), in row bands so float temporaries stay small on huge images."""
    out = np.empty(color.shape, np.uint8)
    step = max(1, 2_000_000 // max(1, color.shape[1] * color.shape[2]))
    for y in range(0, color.shape[0], step):
        a = alpha[y:y + step, :, None].astype(np.float32) * (1.0 / 255.0)
        out[y:y + step] = (color[y:y + step].astype(np.float32) * a + 255.0 * (1.0 - a)).astype(np.uint8)
    return out


def _decode_pillow(data: bytes) -> tuple[np.ndarray, tuple[int, int]]:
    """First frame, upright, as an array; big images are downscaled before any float math.
    Returns the array and the full-size upright (width, height)."""
    with Image.open(io.BytesIO(data)) as im:
        im.seek(0)
        im.load()
        orientation = _orientation(im)
        full = _upright_size(im.size, orientation)
        if im.mode in ("P", "PA", "1"):
            im = im.convert("RGBA" if im.mode == "PA" or "transparency" in im.info else "RGB")
        scale = min(1.0, (MAX_WORK_PIXELS / (im.width * im.height)) ** 0.5, MAX_SIDE / max(im.size))
        if scale < 1.0:  # area-average down to the work size (alpha-aware) before any float math
            size = (max(1, int(im.width * scale)), max(1, int(im.height * scale)))
            with contextlib.suppress(ValueError):  # a mode resize() cannot handle stays full size
                im = im.resize(size, Image.Resampling.BOX)
        if orientation in _TRANSPOSE:
            im = im.transpose(_TRANSPOSE[orientation])
        if im.mode in ("RGBA", "LA", "La", "RGBa"):
            arr = np.asarray(im.convert("RGBA"))
            return _to_bgr8(arr[:, :, [2, 1, 0, 3]]), full
        if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
            arr = np.nan_to_num(np.asarray(im, dtype=np.float64))
            lo, hi = float(arr.min(initial=0)), float(arr.max(initial=0))
            return _to_bgr8(((arr - lo) * (255.0 / max(hi - lo, 1e-9))).astype(np.uint8)), full
        arr = np.asarray(im.convert("RGB"))
        return np.ascontiguousarray(arr[:, :, ::-1]), full


def decode(data: bytes) -> LoadedImage:
    """Bytes → LoadedImage; raises ImageLoadError with a user-facing reason."""
    if not data:
        raise ImageLoadError("empty file (0 bytes)", ErrorKind.EMPTY)
    try:
        header = _header(data)
    except _Bomb as exc:
        raise ImageLoadError(f"image too large to open safely (over {_LIMIT_MP} megapixels)",
                             ErrorKind.TOO_LARGE) from exc
    if header is None:
        # Pillow reads the header of every format we accept; if it cannot, OpenCV would
        # have to decode blind, without the pixel-count check, so refuse instead.
        kind = _sniff(data)
        if kind:
            raise ImageLoadError(f"damaged or truncated image (looks like {kind}, but its header is unreadable)")
        raise ImageLoadError("not an image, or an unsupported or damaged image format", ErrorKind.NOT_AN_IMAGE)
    (w, h), mode, alpha, orientation = header
    if w * h > MAX_DECODE_PIXELS:
        raise ImageLoadError(f"image too large to open safely ({w}×{h} pixels, limit {_LIMIT_MP} megapixels)",
                             ErrorKind.TOO_LARGE)
    if w < 1 or h < 1:
        raise ImageLoadError("image has no pixels")
    scale = stream_decode.fits(w, h, MAX_WORK_PIXELS, MAX_SIDE)
    if (scale < 1.0 or w * h >= STREAM_PNG_PIXELS) and data.startswith(stream_decode.PNG_SIGNATURE):
        try:
            streamed = stream_decode.decode_png(data, scale)
        except stream_decode.PngError as exc:
            raise ImageLoadError(f"damaged or truncated image ({exc})") from exc
        if streamed is not None:
            img, orig = streamed
            return LoadedImage(img, orig, img.shape[1] / orig[0])
    jpeg = data.startswith(b"\xff\xd8")
    use_cv = mode in _CV_MODES and not alpha
    gray = use_cv and mode in ("L", "1")
    buf = np.frombuffer(data, dtype=np.uint8)
    if not use_cv:
        reduction = 1
    elif jpeg:
        reduction = _jpeg_reduction(buf, w * h)
    else:
        reduction = _reduction(w * h, jpeg=False)
    _check_budget(w, h, mode, jpeg, use_cv, gray, reduction)
    img, orig = None, None
    if use_cv and jpeg and reduction == 1:
        work = _decode_jpeg_to_work(data, (w, h), gray) if w * h > MAX_WORK_PIXELS else None
        if work is not None:  # already at the work size: averaged first, turned after
            img = stream_decode.exif_upright(work, orientation)
            orig = _upright_size((w, h), orientation)
            return LoadedImage(np.ascontiguousarray(img), orig, img.shape[1] / orig[0])
        whole = _simplejpeg(data, gray)
        if whole is not None:
            img, orig = stream_decode.exif_upright(whole, orientation), _upright_size((w, h), orientation)
    if use_cv and img is None:
        # A huge image is scaled down while decoding (memory and time); gray stays gray.
        try:
            flags = (_CV_REDUCED_GRAY if gray else _CV_REDUCED)[reduction]
            img = cv2.imdecode(buf, flags)
        except cv2.error:
            img = None
        if img is not None and img.size and reduction > 1:
            ow, oh = _upright_size((w, h), orientation)
            if abs(img.shape[1] - ow / reduction) <= 1 and abs(img.shape[0] - oh / reduction) <= 1:
                orig = (ow, oh)
            else:  # the decoder disagreed with the header about orientation: trust the pixels
                orig = (img.shape[1] * reduction, img.shape[0] * reduction)
    if img is None or img.size == 0:
        try:
            img, orig = _decode_pillow(data)
        except (MemoryError, ImageLoadError):
            raise
        except Exception as exc:
            raise ImageLoadError("damaged or truncated image") from exc
    img = _to_bgr8(img)
    orig = orig or (img.shape[1], img.shape[0])
    img, _ = _cap(img)
    return LoadedImage(np.ascontiguousarray(img), orig, img.shape[1] / orig[0])


def _work_scale(w: int, h: int) -> float:
    """The scale (≤ 1) that brings a w × h image within the work size and side caps."""
    return min(1.0, (MAX_WORK_PIXELS / float(h * w)) ** 0.5, MAX_SIDE / max(h, w))


def _work_size(w: int, h: int) -> tuple[int, int]:
    """(width, height) a w × h image is read at."""
    scale = _work_scale(w, h)
    return (max(1, round(w * scale)), max(1, round(h * scale))) if scale < 1.0 else (w, h)


def _cap(img: np.ndarray) -> tuple[np.ndarray, float]:
    h, w = img.shape[:2]
    scale = _work_scale(w, h)
    if scale < 1.0:
        img = cv2.resize(img, _work_size(w, h), interpolation=cv2.INTER_AREA)
    return img, scale


def load(source: str | Path | bytes | np.ndarray) -> LoadedImage:
    """Path, bytes or an already-decoded array (BGR or gray) → LoadedImage."""
    if isinstance(source, np.ndarray):
        img = _to_bgr8(source)
        orig = (img.shape[1], img.shape[0])
        img, scale = _cap(img)
        return LoadedImage(np.ascontiguousarray(img), orig, scale)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return decode(bytes(source))
    return decode(read_bytes(source))
