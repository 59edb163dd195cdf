"""JPEGs read at full size are decoded by libjpeg-turbo (simplejpeg) straight into the
array the engine keeps: the same pixels as OpenCV's decoder (CMYK too), EXIF orientation
applied the same way, OpenCV taking over where simplejpeg cannot (a damaged file), and
one full-size buffer less at the peak than OpenCV's binding, which copies its result."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

import ocr_app.engine.load  # noqa: F401  (the module; the package exports a load() function)
from tests.imagegen import render_lines

pytest.importorskip("simplejpeg")
load_module = sys.modules["ocr_app.engine.load"]
ROOT = Path(__file__).resolve().parents[2]


def _jpeg(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, **kw)
    return buf.getvalue()


def _opencv(data: bytes, flags: int = cv2.IMREAD_COLOR) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), flags)


@pytest.fixture(scope="module")
def page() -> Image.Image:
    """An asymmetric page (text in the top-left only), so every turn and flip shows."""
    img = render_lines(["Invoice 48213", "Total 129.50"], size=28)
    canvas = Image.new("RGB", (img.width + 300, img.height + 140), (255, 255, 255))
    canvas.paste(img, (0, 0))
    return canvas


def test_colour_and_gray_jpegs_decode_to_opencvs_pixels(page):
    for img, flags, gray in ((page, cv2.IMREAD_COLOR, False), (page.convert("L"), cv2.IMREAD_GRAYSCALE, True)):
        data = _jpeg(img)
        ours = load_module._simplejpeg(data, gray)
        assert ours is not None and np.array_equal(ours, _opencv(data, flags))
        assert np.array_equal(load_module.load(data).image, load_module._to_bgr8(_opencv(data, flags)))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_as_opencv_applies_it(page, orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _jpeg(page, exif=exif.tobytes())
    loaded = load_module.load(data)
    expected = _opencv(data)
    assert loaded.image.shape == expected.shape
    assert np.array_equal(loaded.image, expected)
    assert loaded.original_size == (expected.shape[1], expected.shape[0])


def test_cmyk_jpegs_too_decode_to_opencvs_pixels(page):
    cmyk = _jpeg(page.convert("CMYK"))
    assert np.array_equal(load_module.load(cmyk).image, _opencv(cmyk))


def test_a_damaged_jpeg_is_left_to_opencv_which_decodes_what_it_can(page):
    damaged = bytearray(_jpeg(page))
    damaged[len(damaged) // 2: len(damaged) // 2 + 400] = bytes(400)  # garbled entropy-coded data
    assert load_module._simplejpeg(bytes(damaged), False) is None
    assert np.array_equal(load_module.load(bytes(damaged)).image, _opencv(bytes(damaged)))


def test_a_big_jpeg_loads_without_a_second_full_size_copy(tmp_path):
    """A 30 MP photo without text to size (no reduced decode) is decoded at full size and
    averaged down to the 16 MP work size band by band, each band's full-size rows let go:
    the peak is the full image and a little, where it was the full image and the work
    image (and before that, OpenCV's copy of the full image too)."""
    h, w = 4750, 6300
    noise = np.random.default_rng(0).integers(0, 255, (h // 50, w // 50, 3), np.uint8)
    photo = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
    path = tmp_path / "photo.jpg"
    assert cv2.imwrite(str(path), photo, [cv2.IMWRITE_JPEG_QUALITY, 80])
    code = f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from ocr_app.engine.load import load
        def status(key):
            return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(key))
        data = open({str(path)!r}, "rb").read()
        open("/proc/self/clear_refs", "w").write("5")
        base = status("VmRSS")
        image = load(data).image
        print(image.shape[0] * image.shape[1], status("VmHWM") - base)
    """
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux's /proc peak-RSS reset")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    work_pixels, growth_kib = map(int, done.stdout.split())
    full_bytes, work_bytes = 3 * h * w, 3 * work_pixels
    assert work_pixels <= 1.001 * load_module.MAX_WORK_PIXELS
    # The old way held the full image and the work image at once (≥ full + work + 17 MB here).
    assert growth_kib * 1024 < full_bytes + 0.8 * work_bytes, (growth_kib, full_bytes, work_bytes)


@pytest.mark.parametrize("orientation", [1, 6])
def test_a_jpeg_over_the_work_size_averages_to_the_whole_image_resize(orientation):
    """Band by band, the work image is the pixels of one INTER_AREA resize of the whole
    decoded page; a turned page is averaged first and turned after (what OpenCV's decoder
    and _cap did the other way round, to within one level)."""
    h, w = 4000, 4400  # 17.6 MP: over the 16 MP work size
    small = np.random.default_rng(0).integers(0, 255, (h // 50, w // 50, 3), np.uint8)  # no text to size
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _jpeg(Image.fromarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)), exif=exif.tobytes())
    loaded = load_module.load(data)
    whole, _ = load_module._cap(_opencv(data))
    assert loaded.image.shape == whole.shape
    if orientation == 1:
        assert np.array_equal(loaded.image, whole)
    else:  # averaged before turning: OpenCV's float sums in the other order, ±1 where they round
        diff = np.abs(loaded.image.astype(np.int16) - whole)
        assert diff.max() <= 1 and (diff > 0).mean() < 0.01
    assert loaded.original_size == ((h, w) if orientation == 6 else (w, h))
