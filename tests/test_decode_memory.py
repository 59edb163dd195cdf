"""Bounded decode memory for huge non-JPEG images (issue 19, item 3): a small, flat PNG of
119 MP is streamed to the work size in bands instead of being decoded at full size (it
cost +1.14 GB); what cannot be streamed is refused from its header when its full-size
decode would exceed the budget; OpenCV's own pixel limit is set as a backstop.
"""

from __future__ import annotations

import functools
import io
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from ocr_app.engine import stream_decode
from ocr_app.engine.load import ImageLoadError, _check_budget, load

REPO = Path(__file__).resolve().parent.parent


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def flat_rgba_png(width: int, height: int, bars: int = 8) -> bytes:
    """A transparent RGBA PNG with a few opaque black bars, compressed row by row (the
    pixels never exist in memory at once, so the test itself stays small)."""
    clear = b"\x00" + bytes(4 * width)
    ink = b"\x00" + bytes([0, 0, 0, 255]) * width
    comp = zlib.compressobj(1)
    body = []
    starts = [(2 * b + 1) * height // (2 * bars) for b in range(bars)]
    bar_rows = {y for start in starts for y in range(start, start + height // 50)}
    for y in range(height):
        body.append(comp.compress(ink if y in bar_rows else clear))
    body.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return stream_decode.PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(body)) + _chunk(b"IEND", b"")


def _png(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", **kw)
    return buf.getvalue()


def _reference(data: bytes, size: tuple[int, int]) -> np.ndarray:
    """Full decode with Pillow, onto white, area-averaged: what streaming must match."""
    with Image.open(io.BytesIO(data)) as im:
        if im.mode in ("I;16", "I;16B", "I"):
            arr = (np.asarray(im, dtype=np.uint32) >> 8).astype(np.uint8)
            rgba = np.dstack([arr, arr, arr, np.full_like(arr, 255)])
        else:
            rgba = np.asarray(im.convert("RGBA")).astype(np.float32)
    rgba = np.asarray(rgba, np.float32)
    a = rgba[:, :, 3:] / 255.0
    rgb = rgba[:, :, :3] * a + 255.0 * (1 - a)
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)[:, :, ::-1]


@functools.cache
def _samples(smooth: bool) -> dict[str, bytes]:
    """Every streamable PNG flavour, of noise (every row filter gets used) or of smooth content."""
    rng = np.random.default_rng(19)
    if smooth:
        pixels = cv2.GaussianBlur(rng.integers(0, 256, (301, 257, 4), dtype=np.uint8), (0, 0), 6)
    else:
        pixels = rng.integers(0, 256, (300, 256, 4), dtype=np.uint8)
        pixels[::7] = 255  # flat rows among noisy ones: the encoder picks different row filters
    rgba = Image.fromarray(pixels, "RGBA")
    rgb = rgba.convert("RGB")
    gray16 = cv2.imencode(".png", pixels[:, :, 0].astype(np.uint16) * 257)[1].tobytes()
    return {
        "rgba": _png(rgba), "rgb": _png(rgb), "gray": _png(rgba.convert("L")), "la": _png(rgba.convert("LA")),
        "bilevel": _png(rgba.convert("1")), "palette": _png(rgb.convert("P", palette=Image.Palette.ADAPTIVE)),
        "palette4": _png(rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16), bits=4),
        "palette_trns": _png(rgb.convert("P", palette=Image.Palette.ADAPTIVE), transparency=3),
        "rgb_trns": _png(rgb, transparency=(255, 255, 255)), "gray16": gray16,
    }


KINDS = list(_samples(False))


@pytest.mark.parametrize("kind", KINDS)
def test_streamed_png_decodes_exactly(kind, monkeypatch):
    """At exactly half size both sides average the same 2×2 blocks: only rounding may differ."""
    monkeypatch.setattr(stream_decode, "BAND_BYTES", 5000)  # many bands: the seed row between them matters
    monkeypatch.setattr(stream_decode, "AREA_BAND_BYTES", 5000)
    data = _samples(False)[kind]
    out, full = stream_decode.decode_png(data, 0.5)
    assert full == (256, 300)
    diff = np.abs(out.astype(np.float32) - _reference(data, (128, 150)))
    assert diff.max() <= 2.0, (kind, diff.max())


@pytest.mark.parametrize("scale", [0.7, 0.3])
@pytest.mark.parametrize("kind", KINDS)
def test_streamed_png_matches_a_full_decode_at_any_scale(kind, scale, monkeypatch):
    monkeypatch.setattr(stream_decode, "BAND_BYTES", 5000)
    monkeypatch.setattr(stream_decode, "AREA_BAND_BYTES", 5000)
    data = _samples(True)[kind]
    out, full = stream_decode.decode_png(data, scale)
    assert full == (257, 301)
    ref = _reference(data, (out.shape[1], out.shape[0]))
    assert out.shape == ref.shape and out.dtype == np.uint8
    diff = np.abs(out.astype(np.float32) - ref)
    assert diff.mean() < (8.0 if kind == "bilevel" else 2.0), (kind, diff.mean())  # hard edges resample apart


def test_exif_orientation_and_unstreamable_pngs():
    img = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise for display
    out, full = stream_decode.decode_png(_png(img, exif=exif.tobytes()), 0.5)
    assert full == (20, 40) and out.shape[:2] == (20, 10)
    rgb16 = cv2.imencode(".png", np.zeros((10, 10, 3), np.uint16))[1].tobytes()
    assert stream_decode.decode_png(rgb16, 0.5) is None  # falls back to a budgeted full decode


def test_truncated_and_damaged_huge_png_are_clear_errors():
    data = flat_rgba_png(6000, 4000)
    for bad in (data[: len(data) // 2], data[:60] + b"\xff" * (len(data) - 60)):
        with pytest.raises(ImageLoadError, match=r"damaged|truncated"):
            load(bad)


def test_full_size_decodes_over_budget_are_refused_from_the_header():
    with pytest.raises(ImageLoadError, match="too large to decode safely"):
        _check_budget(10000, 11900, "RGB", False, True, False, 2)  # a 119 MP RGB TIFF or WebP
    _check_budget(10000, 11900, "L", False, True, True, 2)  # gray decodes at one byte a pixel
    _check_budget(10000, 11900, "RGB", True, True, False, 2)  # JPEG scales while decoding


def _peak_growth(code: str) -> float:
    """MB of peak RSS growth over the baseline `code` records, in a fresh process."""
    prog = textwrap.dedent("""
        def rss(key):
            for line in open("/proc/self/status"):
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
    """) + textwrap.dedent(code)
    proc = subprocess.run([sys.executable, "-c", prog], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return float(proc.stdout.split()[-1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_119_megapixel_rgba_png_loads_within_350_mb(tmp_path):
    path = tmp_path / "huge.png"
    path.write_bytes(flat_rgba_png(10000, 11900))
    growth = _peak_growth(f"""
        from ocr_app.engine.load import load, read_bytes
        data = read_bytes({str(path)!r})
        open("/proc/self/clear_refs", "w").write("5")
        base = rss("VmRSS")
        img = load(data)
        assert img.original_size == (10000, 11900), img.original_size
        assert img.image.shape[0] * img.image.shape[1] <= 16_000_000
        dark = (img.image.mean(axis=2) < 128).mean(axis=1)
        assert 6 <= ((dark[1:] > 0.5) & (dark[:-1] <= 0.5)).sum() <= 8  # the bars survive, on white
        print(rss("VmHWM") - base)
    """)
    assert growth <= 350, f"peak RSS growth {growth:.0f} MB"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_opencv_pixel_limit_is_set_as_a_backstop(tmp_path):
    path = tmp_path / "over.png"
    path.write_bytes(flat_rgba_png(12000, 11000, bars=0))  # 132 MP, over the 120 MP limit
    growth = _peak_growth(f"""
        import numpy as np
        import ocr_app.engine.load  # sets the limit
        import cv2
        data = np.fromfile({str(path)!r}, np.uint8)
        base = rss("VmRSS")
        try:
            out = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
        except cv2.error:
            out = None
        assert out is None
        print(rss("VmHWM") - base)
    """)
    assert growth < 100


def _textured_png(width: int, height: int) -> bytes:
    """A colour PNG of smooth noise (compresses, but every row filter is used)."""
    small = np.random.default_rng(1).integers(0, 255, (height // 40, width // 40, 3), np.uint8)
    ok, png = cv2.imencode(".png", cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC))
    assert ok
    return png.tobytes()


def test_a_big_png_needing_no_downscale_is_streamed_to_opencvs_pixels(monkeypatch):
    data = _textured_png(3300, 2500)  # 8.25 MP: under the work size, over STREAM_PNG_PIXELS
    scales = []
    real = stream_decode.decode_png
    monkeypatch.setattr(stream_decode, "decode_png", lambda d, s, *a: scales.append(s) or real(d, s, *a))
    loaded = load(data)
    assert scales == [1.0]
    assert np.array_equal(loaded.image, cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_big_png_needing_no_downscale_is_held_once_while_decoded(tmp_path):
    """OpenCV's decode held the image twice (its binding copies the result); the stream
    holds it once, plus a band."""
    path = tmp_path / "scan.png"
    path.write_bytes(_textured_png(4000, 3000))
    growth = _peak_growth(f"""
        from ocr_app.engine.load import load, read_bytes
        data = read_bytes({str(path)!r})
        open("/proc/self/clear_refs", "w").write("5")
        base = rss("VmRSS")
        img = load(data)
        assert img.image.shape == (3000, 4000, 3)
        print(rss("VmHWM") - base)
    """)
    assert growth < 1.4 * 36, f"peak RSS growth {growth:.0f} MB for a 36 MB image"


@pytest.mark.parametrize("seed", range(6))
def test_band_by_band_averaging_gives_one_whole_image_resize(seed, monkeypatch):
    """fit_in_bands sums each band's rows down with OpenCV's own INTER_AREA weights, in its
    order, so the bands leave no seams: the pixels are those of one cv2.resize."""
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(60, 500, 2))
    shape = (h // 6, w // 6) if seed % 3 == 0 else (h // 6, w // 6, 3)
    img = cv2.resize(rng.integers(0, 255, shape, np.uint8), (w, h), interpolation=cv2.INTER_CUBIC)
    row_bytes = img[0].nbytes
    monkeypatch.setattr(stream_decode, "AREA_BAND_BYTES", int(rng.integers(1, 30)) * row_bytes)
    scale = float(rng.uniform(0.5, 1.0))
    out_w, out_h = max(1, round(w * scale)), max(1, round(h * scale))
    handed = [0]

    def next_band(rows: int) -> np.ndarray:
        handed[0] += rows
        return img[handed[0] - rows:handed[0]]

    got = stream_decode.fit_in_bands(next_band, h, row_bytes, out_w, out_h)
    assert np.array_equal(got, cv2.resize(img, (out_w, out_h), interpolation=cv2.INTER_AREA))
