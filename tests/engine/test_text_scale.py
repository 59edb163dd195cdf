"""Detector scale from the page's text height: large type is detected at a smaller input,
small type and pages without a clear answer keep the size-only scale."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr_app.engine import Engine
from ocr_app.engine.detect import DetectorConfig, TextDetector
from ocr_app.engine.text_scale import ScaleConfig, page_text_height
from tests.imagegen import cer, render_lines, to_bgr

LATIN = ["Quarterly report for the board", "Revenue grew by twelve percent", "Operating costs were flat",
         "Net margin 18.4 percent", "Outlook remains positive", "Dividend of 0.42 per share",
         "Headcount 1,204 at year end", "Capital spending 3.1 million", "Cash reserves doubled",
         "Next review in March 2027", "Prepared by the finance team", "All figures unaudited"]
CJK = ["基于轮廓检测自动校正倾斜", "单次推理内使用多线程加速", "实时显示预处理前后对比图", "所有请求响应时间小于一秒",
       "灰度化与直方图均衡化处理", "支持多种架构的中央处理器", "欢迎用于文档数字化与表单", "助力更多企业实现智能识别",
       "轻量化模型与高效推理引擎", "无需字符分割即可直接输出", "项目背景与技术挑战的总结", "未来优化方向与工作计划"]


def _page(lines: list[str], size: int, width: int = 900, **kw) -> np.ndarray:
    return to_bgr(render_lines(lines, size=size, width=width, **kw))


def _shrunk(engine: Engine, img: np.ndarray) -> bool:
    h, w = img.shape[:2]
    new, old = engine.detector.input_size(h, w, img), engine.detector.input_size(h, w)
    assert new[0] <= old[0] and new[1] <= old[1]  # never above the size-only scale
    return new[0] * new[1] < old[0] * old[1]


@pytest.mark.parametrize("lines", [LATIN, CJK], ids=["latin", "cjk"])
def test_large_text_page_gets_a_smaller_input_and_is_still_read(engine: Engine, lines: list[str]):
    img = _page(lines, size=44, line_gap=2.0)  # ~1.1 MP, like the zh-dev pages
    h, w = img.shape[:2]
    rh, rw = engine.detector.input_size(h, w, img)
    bh, bw = engine.detector.input_size(h, w)
    assert rh * rw < 0.75 * bh * bw, ((rh, rw), (bh, bw))
    assert min(rh, rw) >= engine.detector.config.text_scale.min_side - 32  # the floor holds
    res = engine.run(img, use_cache=False)
    assert cer("\n".join(lines), res.text) < 0.03, res.text


@pytest.mark.parametrize("lines", [LATIN, CJK], ids=["latin", "cjk"])
def test_estimate_follows_the_font_size_and_errs_low(lines: list[str]):
    for size in (20, 32, 48):
        est = page_text_height(_page(lines, size=size, width=1400))
        assert est is not None
        assert 0.35 * size < est <= 1.1 * size, (size, est)  # glyphs, not lines (1.5-2x size apart)


def test_small_text_pages_keep_their_scale(engine: Engine):
    receipt = _page(LATIN * 3, size=14, width=460, line_gap=1.4, margin=20)  # a narrow receipt, upscaled today
    page = _page(LATIN * 4, size=18, width=1000, line_gap=1.5)  # body text on a ~1 MP page
    scan = _page(LATIN * 6, size=26, width=3000, line_gap=1.5)  # 8.7 MP: already shrunk to 1.2 MP today
    for img in (receipt, page, scan):
        assert not _shrunk(engine, img)


def test_small_lines_under_a_large_heading_keep_the_page_readable(engine: Engine):
    """A few large lines must not drag the scale below what the small lines need."""
    big = _page(LATIN[:3], size=64, width=1000, line_gap=1.6)
    small = _page(LATIN[3:], size=16, width=1000, line_gap=1.6)
    img = np.vstack([big, small])
    res = engine.run(img, use_cache=False)
    assert cer("\n".join(LATIN), res.text) < 0.03, res.text


def test_light_text_on_dark_is_measured_too():
    img = _page(LATIN, size=40, width=1000, bg=25, fg=235)
    est = page_text_height(img)
    assert est is not None and 0.35 * 40 < est < 40


def test_pages_without_text_give_no_estimate_and_keep_their_scale(engine: Engine):
    rng = np.random.default_rng(7)
    blank = np.full((1200, 900, 3), 250, np.uint8)
    noise = rng.integers(0, 256, (1200, 900, 3), dtype=np.uint8)
    blobs = cv2.GaussianBlur(rng.integers(0, 256, (1200, 900, 3), dtype=np.uint8), (0, 0), 6)
    blobs = cv2.normalize(blobs, None, 0, 255, cv2.NORM_MINMAX)
    for name, img in (("blank", blank), ("noise", noise), ("blobs", blobs)):
        assert page_text_height(img) is None, name
        assert not _shrunk(engine, img), name
    assert page_text_height(np.zeros((8, 8, 3), np.uint8)) is None  # too small to say


def test_switch_off_keeps_the_size_only_rule(engine: Engine):
    img = _page(LATIN, size=44, line_gap=2.0)
    det = TextDetector(engine.detector.net, DetectorConfig(text_scale=ScaleConfig(enabled=False)))
    assert det.input_size(*img.shape[:2], img) == det.input_size(*img.shape[:2])
    assert det.plan(*img.shape[:2], img)[2] == 1.0
