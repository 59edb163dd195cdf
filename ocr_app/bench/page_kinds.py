"""Generated pages of each layout kind the engine must read in the right order (columns,
titles and footers, vertical Chinese, turned pages), with the printed text in reading
order. Used by `python -m ocr_app.bench.layout_bench` and by the layout tests.

Black text on white, several fonts and sizes, nothing hard to read: what is measured is
the order of the text, not the recogniser.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
               "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf")
CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
_WORD_TEXT = (
    "the of and to in is that for it as was with be by on not he this are or his from at which but have "
    "an they you were her she there been one all we their has would when if so no what up out about into "
    "than them can only other new some time could these two may then do first any my now such like our "
    "over man me even most made after also did many before must through back years where much your way "
    "well down should because each just those people how too little state good very make world still own "
    "see men work long get here between both life being under never day same another know while last "
    "might us great old year off come since against go came right used take three paper reader column "
    "page printed morning river garden market letter winter station"
)
WORDS = tuple(_WORD_TEXT.split())
ZH = ("我们在春天的早晨来到河边的小村庄", "这本书讲述了一个普通家庭几十年的生活变化",
      "城市的交通越来越方便人们出行更加快捷",
      "老师认真地批改每一份作业并写下评语", "科学研究需要耐心和严谨的态度", "图书馆每天都有很多学生来读书学习",
      "他们计划下个月去南方旅行看看大海", "新的工厂为当地带来了许多工作机会", "天气预报说明天会有小雨请带好雨伞",
      "孩子们在操场上快乐地奔跑和游戏", "这家饭店的菜味道很好价格也合理", "我们应该保护环境节约用水和用电",
      "医生建议大家多运动少熬夜保持健康", "博物馆里展出了许多珍贵的历史文物", "经济发展离不开科技创新和人才培养",
      "农民伯伯在田里辛勤地劳动了一整天", "这座桥连接了河两岸的两个城镇", "公司决定明年在北京开设新的办公室",
      "学生们正在准备下周的数学考试", "傍晚的时候街道两旁的灯都亮了起来")


@dataclass
class GeneratedPage:
    kind: str
    image: np.ndarray  # BGR
    text: str  # the printed text in reading order, lines joined by newlines


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _sentence(rng: random.Random, words: int) -> str:
    out = " ".join(rng.choice(WORDS) for _ in range(words))
    return out[0].upper() + out[1:] + "."


def _wrap(text: str, fnt: ImageFont.FreeTypeFont, width: int, cjk: bool) -> list[str]:
    """Greedy line breaking at `width` pixels (by word, or by character for Chinese)."""
    units = list(text) if cjk else text.split(" ")
    lines, current = [], ""
    for unit in units:
        trial = current + unit if cjk or not current else f"{current} {unit}"
        if current and fnt.getlength(trial) > width:
            lines.append(current)
            current = unit
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def _canvas(w: int, h: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("RGB", (w, h), (255, 255, 255))
    return img, ImageDraw.Draw(img)


def _columns(rng: random.Random, kind: str, cjk: bool, n_cols: int, title: bool, footer: bool) -> GeneratedPage:
    size = rng.choice((20, 22, 24, 26))
    fnt = _font(rng.choice(CJK_FONTS if cjk else LATIN_FONTS), size)
    margin, gutter = 60, rng.choice((40, 56, 72))
    col_w = (rng.choice((1500, 1700)) - 2 * margin - (n_cols - 1) * gutter) // n_cols
    width = 2 * margin + n_cols * col_w + (n_cols - 1) * gutter
    leading = int(size * rng.choice((1.5, 1.7)))
    paragraphs_per_col = 2
    cols: list[list[list[str]]] = []
    for _ in range(n_cols):
        paras = []
        for _ in range(paragraphs_per_col):
            text = "".join(rng.sample(ZH, 3)) if cjk else " ".join(_sentence(rng, rng.randint(8, 14)) for _ in range(2))
            paras.append(_wrap(text, fnt, col_w - (2 * size if cjk else 0), cjk))
        cols.append(paras)
    body_rows = max(sum(len(p) + 1 for p in c) for c in cols)
    top = margin + (3 * size if title else 0)
    height = top + body_rows * leading + margin + (3 * size if footer else 0)
    img, draw = _canvas(width, height)
    truth: list[str] = []
    if title:
        ttl_font = _font(fnt.path, int(size * 1.6))
        ttl = ("".join(rng.sample(ZH, 1))[:12] if cjk else _sentence(rng, 6)[:-1]).upper() if not cjk \
            else rng.choice(ZH)[:12]
        tw = ttl_font.getlength(ttl)
        draw.text(((width - tw) / 2, margin - size * 0.4), ttl, font=ttl_font, fill=(15, 15, 15))
        truth.append(ttl)
    for c, paras in enumerate(cols):
        x = margin + c * (col_w + gutter)
        y = top
        for para in paras:
            for k, line in enumerate(para):
                indent = 2 * size if (cjk and k == 0) else 0
                draw.text((x + indent, y), line, font=fnt, fill=(20, 20, 20))
                truth.append(line)
                y += leading
            y += leading  # a blank line between paragraphs
    if footer:
        note = f"Page {rng.randint(2, 99)} of the printed report, all rights reserved"
        fw = fnt.getlength(note)
        draw.text(((width - fw) / 2, height - margin - size), note, font=fnt, fill=(40, 40, 40))
        truth.append(note)
    return GeneratedPage(kind, _bgr(img), "\n".join(truth))


def _vertical(rng: random.Random) -> GeneratedPage:
    """Chinese in vertical columns, read top to bottom, columns right to left."""
    size = rng.choice((28, 32, 36))
    fnt = _font(rng.choice(CJK_FONTS), size)
    per_col = rng.choice((12, 14))
    text = "".join(rng.sample(ZH, 4))
    columns = [text[i:i + per_col] for i in range(0, len(text), per_col)]
    step = int(size * 1.1)
    col_gap = int(size * 1.9)
    margin = 70
    width = 2 * margin + len(columns) * col_gap
    height = 2 * margin + per_col * step
    img, draw = _canvas(width, height)
    for c, col in enumerate(columns):
        x = width - margin - (c + 1) * col_gap + (col_gap - size) // 2
        for k, ch in enumerate(col):
            draw.text((x, margin + k * step), ch, font=fnt, fill=(20, 20, 20))
    return GeneratedPage("vertical zh", _bgr(img), "\n".join(columns))


def _single(rng: random.Random) -> GeneratedPage:
    size = rng.choice((22, 26))
    fnt = _font(rng.choice(LATIN_FONTS), size)
    width = 1300
    lines = _wrap(" ".join(_sentence(rng, rng.randint(8, 12)) for _ in range(4)), fnt, width - 140, False)
    leading = int(size * 1.6)
    img, draw = _canvas(width, 140 + leading * len(lines))
    for k, line in enumerate(lines):
        draw.text((70, 70 + k * leading), line, font=fnt, fill=(20, 20, 20))
    return GeneratedPage("single", _bgr(img), "\n".join(lines))


def _bgr(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"))[:, :, ::-1].copy()


KINDS = ("2 columns en", "title + 3 columns zh", "title, 2 columns, footer", "vertical zh", "turned 90",
         "turned 180", "turned 270")


def page(kind: str, seed: int = 0) -> GeneratedPage:
    rng = random.Random(f"{kind}/{seed}")
    if kind == "2 columns en":
        return _columns(rng, kind, False, 2, title=False, footer=False)
    if kind == "title + 3 columns zh":
        return _columns(rng, kind, True, 3, title=True, footer=False)
    if kind == "title, 2 columns, footer":
        return _columns(rng, kind, False, 2, title=True, footer=True)
    if kind == "vertical zh":
        return _vertical(rng)
    if kind.startswith("turned "):
        angle = int(kind.split()[1])
        base = _single(rng)
        code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}[angle]
        return GeneratedPage(kind, cv2.rotate(base.image, code), base.text)
    raise ValueError(f"unknown page kind {kind!r}; known: {', '.join(KINDS)}")


def output_cer(truth: str, text: str) -> float:
    """Character error rate of `text` against `truth` in the order given (whitespace and
    case ignored): what a user pasting the text would have to fix."""
    from .metrics import edit_distance, norm

    a = "".join(norm(truth).split())
    b = "".join(norm(text).split())
    return edit_distance(a, b) / max(1, len(a))
