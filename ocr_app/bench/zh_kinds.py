"""Generated Chinese pages of the kinds the evaluation sets lack, with line-level ground
truth in the layout `../shared/eval/score.py` reads (IMAGE + IMAGE_STEM.csv, one row per
line: 8 corner coordinates, then the text).

`python -m ocr_app.bench.zh_kinds OUT_DIR [--seeds N]` writes N pages of each kind:
- small print: 11-13 px text (footnotes, small ads, terms on a ticket);
- newspaper: four or five dense columns with tight leading, narrow gutters and rules;
- light on dark: light text on a dark band or panel (slides, signs, app screenshots);
- low-contrast photo: grey ink on grey paper, uneven light, blur, noise, JPEG, a small tilt;
- hand-jittered: characters each moved, turned and sized a little (no handwriting font
  ships on the machine, so this stands in for uneven hand-set text).

The sentences are not those of zh-dev or `page_kinds.ZH`: the pages test carry-over, not
recall of the development set.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .metrics import write_truth

SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
SANS_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"

SENTENCES = (
    "本店自二〇一九年开业以来，始终坚持用新鲜食材。", "请于每月十五日前缴纳物业费，逾期将收取滞纳金。",
    "会议定于下周三上午九点半在三楼会议室召开。", "该地区今年粮食总产量比去年增长了百分之六点八。",
    "游客须知：景区内禁止吸烟，请勿随意丢弃垃圾。", "研究人员发现，适量运动有助于改善睡眠质量。",
    "列车因天气原因晚点约四十分钟，敬请谅解。", "本产品保修期为一年，人为损坏不在保修范围内。",
    "市民可通过手机应用查询公交车的实时位置。", "他在信中写道：家乡的桂花又开了，香气满街。",
    "新修订的条例将于明年一月一日起正式施行。", "图书借阅期限为三十天，可在网上续借一次。",
    "小区东门施工期间，请车辆绕行西门进出。", "据统计，全市共有中小学校四百二十七所。",
    "展览免费向公众开放，周一闭馆，节假日照常。", "农业合作社帮助村民把蔬菜直接卖到城里超市。",
    "这款手机的电池容量为五千毫安时，支持快充。", "志愿者们利用周末时间为老人打扫房间。",
    "记者从气象台获悉，本周末将迎来大幅降温。", "请妥善保管您的票据，以便日后查询和报销。",
    "山脚下的湖水清澈见底，倒映着蓝天白云。", "学校食堂每天提供两荤两素一汤，价格实惠。",
    "演出开始前十五分钟停止检票，请提前入场。", "这座古镇保留了大量明清时期的民居建筑。",
    "专家提醒，夏季饮食要注意卫生，防止肠胃疾病。", "第三季度公司营业收入达到一点二亿元。",
)


@dataclass
class ZhPage:
    kind: str
    image: np.ndarray  # BGR
    lines: list[tuple[np.ndarray, str]]  # (4x2 corners in image pixels, text) per printed line


def _text(rng: random.Random, chars: int) -> str:
    out = ""
    while len(out) < chars:
        out += rng.choice(SENTENCES)
    return out


def _wrap(text: str, fnt: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if current and fnt.getlength(current + ch) > width:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


def _quad(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def _draw_lines(draw: ImageDraw.ImageDraw, fnt: ImageFont.FreeTypeFont, x: float, y: float, lines: list[str],
                leading: float, fill: tuple[int, int, int]) -> list[tuple[np.ndarray, str]]:
    out = []
    for k, line in enumerate(lines):
        top = y + k * leading
        draw.text((x, top), line, font=fnt, fill=fill)
        x0, y0, x1, y1 = draw.textbbox((x, top), line, font=fnt)
        out.append((_quad(x0, y0, x1, y1), line))
    return out


def _bgr(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"))[:, :, ::-1].copy()


def _small_print(rng: random.Random) -> ZhPage:
    size = rng.choice((11, 12, 13))
    fnt = ImageFont.truetype(rng.choice((SANS, SERIF)), size)
    width = rng.choice((520, 640))
    lines = _wrap(_text(rng, rng.randint(260, 380)), fnt, width - 40)
    leading = size * rng.choice((1.4, 1.6))
    img = Image.new("RGB", (width, int(40 + leading * len(lines))), (255, 255, 255))
    truth = _draw_lines(ImageDraw.Draw(img), fnt, 20, 20, lines, leading, (25, 25, 25))
    return ZhPage("small print", _bgr(img), truth)


def _newspaper(rng: random.Random) -> ZhPage:
    size = rng.choice((15, 16, 17))
    fnt = ImageFont.truetype(SERIF, size)
    n_cols, gutter, margin = rng.choice((4, 5)), rng.choice((14, 18, 22)), 24
    col_w = size * rng.choice((11, 13))
    leading = size * rng.choice((1.25, 1.35))
    rows = rng.randint(18, 24)
    width = 2 * margin + n_cols * col_w + (n_cols - 1) * gutter
    height = int(2 * margin + rows * leading)
    img = Image.new("RGB", (width, height), (250, 248, 242))
    draw = ImageDraw.Draw(img)
    truth = []
    for c in range(n_cols):
        x = margin + c * (col_w + gutter)
        lines = _wrap(_text(rng, rows * 14), fnt, col_w - 2)[:rows]
        truth += _draw_lines(draw, fnt, x, margin, lines, leading, (20, 20, 20))
        if c and rng.random() < 0.6:  # a column rule in the gutter
            gx = x - gutter // 2
            draw.line([(gx, margin), (gx, height - margin)], fill=(90, 90, 90), width=1)
    return ZhPage("newspaper", _bgr(img), truth)


def _light_on_dark(rng: random.Random) -> ZhPage:
    size = rng.choice((18, 22, 26))
    fnt = ImageFont.truetype(rng.choice((SANS, SANS_BOLD)), size)
    width = rng.choice((720, 900))
    lines = _wrap(_text(rng, rng.randint(90, 150)), fnt, width - 80)
    leading = size * 1.7
    bg = rng.choice(((30, 30, 30), (20, 40, 90), (60, 20, 30), (15, 70, 60)))
    fg = rng.choice(((240, 240, 240), (250, 230, 150), (200, 220, 255)))
    img = Image.new("RGB", (width, int(80 + leading * len(lines))), bg)
    truth = _draw_lines(ImageDraw.Draw(img), fnt, 40, 40, lines, leading, fg)
    return ZhPage("light on dark", _bgr(img), truth)


def _photo(rng: random.Random) -> ZhPage:
    size = rng.choice((20, 24, 28))
    fnt = ImageFont.truetype(rng.choice((SANS, SERIF)), size)
    width = rng.choice((760, 880))
    lines = _wrap(_text(rng, rng.randint(100, 160)), fnt, width - 100)
    leading = size * 1.6
    height = int(100 + leading * len(lines))
    paper, ink = rng.randint(170, 200), rng.randint(95, 125)
    img = Image.new("RGB", (width, height), (paper, paper, paper - 6))
    truth = _draw_lines(ImageDraw.Draw(img), fnt, 50, 50, lines, leading, (ink, ink, ink + 4))
    page = _bgr(img).astype(np.float32)
    # Light falling off across the sheet, a small tilt, soft focus, sensor noise, JPEG.
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / width + np.sin(angle) * yy / height)
    page *= (1.0 - 0.25 * (ramp - ramp.min()) / max(1e-6, float(np.ptp(ramp))))[:, :, None]
    tilt = rng.uniform(-2.5, 2.5)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), tilt, 1.0)
    page = cv2.warpAffine(page, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    page = cv2.GaussianBlur(page, (0, 0), rng.uniform(0.6, 1.1))
    page += np.random.default_rng(rng.randint(0, 2**31)).normal(0, 6, page.shape).astype(np.float32)
    ok, jpg = cv2.imencode(".jpg", np.clip(page, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 60])
    image = cv2.imdecode(jpg, cv2.IMREAD_COLOR) if ok else np.clip(page, 0, 255).astype(np.uint8)
    moved = [(cv2.transform(q[None], matrix)[0], t) for q, t in truth]
    return ZhPage("low-contrast photo", image, moved)


def _jittered(rng: random.Random) -> ZhPage:
    size = rng.choice((26, 30, 34))
    fnt = ImageFont.truetype(rng.choice((SANS_BOLD, SERIF)), size)
    per_line = rng.randint(14, 20)
    n_lines = rng.randint(5, 8)
    step, leading = size * 1.08, size * 1.9
    width = int(80 + per_line * step)
    img = Image.new("RGB", (width, int(80 + n_lines * leading)), (252, 252, 250))
    truth = []
    text = _text(rng, per_line * n_lines)
    for k in range(n_lines):
        line = text[k * per_line:(k + 1) * per_line]
        y0 = 40 + k * leading
        for j, ch in enumerate(line):
            s = int(size * rng.uniform(0.85, 1.12))
            glyph = Image.new("L", (2 * s, 2 * s), 0)
            ImageDraw.Draw(glyph).text((s // 2, s // 2), ch, font=fnt.font_variant(size=s), fill=255)
            glyph = glyph.rotate(rng.uniform(-8, 8), resample=Image.BILINEAR)
            ink = rng.randint(10, 60)
            x = int(40 + j * step + rng.uniform(-2, 2) - s // 2)
            y = int(y0 + rng.uniform(-3, 3) - s // 2)
            img.paste((ink, ink, ink + 20), (x, y), glyph)
        truth.append((_quad(40, y0 - 4, 40 + len(line) * step + 4, y0 + size * 1.3), line))
    return ZhPage("hand-jittered", _bgr(img), truth)


KINDS = ("small print", "newspaper", "light on dark", "low-contrast photo", "hand-jittered")
_MAKERS = {"small print": _small_print, "newspaper": _newspaper, "light on dark": _light_on_dark,
           "low-contrast photo": _photo, "hand-jittered": _jittered}


def page(kind: str, seed: int = 0) -> ZhPage:
    if kind not in _MAKERS:
        raise ValueError(f"unknown page kind {kind!r}; known: {', '.join(KINDS)}")
    return _MAKERS[kind](random.Random(f"zh/{kind}/{seed}"))


def write_set(out_dir: Path, seeds: int) -> list[Path]:
    """N pages of each kind as PNG + CSV in `out_dir`; the image paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        for seed in range(seeds):
            generated = page(kind, seed)
            stem = f"{kind.replace(' ', '_').replace('-', '_')}_{seed:03d}"
            path = out_dir / f"{stem}.png"
            cv2.imwrite(str(path), generated.image)
            write_truth(out_dir / f"{stem}.csv", generated.lines)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ocr_app.bench.zh_kinds", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seeds", type=int, default=4, help="pages per kind (default 4)")
    args = parser.parse_args(argv)
    print(f"{len(write_set(args.out_dir, args.seeds))} pages in {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
