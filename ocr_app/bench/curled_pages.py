"""Generated phone photos of curled paper, with line-level ground truth in the layout
`../shared/eval/score.py` reads (IMAGE + IMAGE_STEM.csv: 8 corner coordinates, then the text).

`python -m ocr_app.bench.curled_pages OUT_DIR [--pages N]` writes OUT_DIR/flat, /mild and
/strong: the same N pages (half Chinese, half English; paragraphs and receipt tables, 15-30
lines of 18-34 px) photographed with no curl, a mild one and a strong one. The development
sets hold no curled page; these measure page dewarping (docs/benchmarks.md, "Page dewarping").

The photo: the page is bent around a vertical axis (a book page's hump or a receipt's lifted
edge), tilted, seen through a pinhole camera over a darker cloth, then shaded by its slope,
lit unevenly, blurred, given noise and saved as JPEG. A truth box spans its line's whole
width in the photo but takes its height where the line crosses the page's centre column:
the box around a whole bent line would swallow its neighbours' centres, and the scorer
orders lines into rows by their boxes.
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
from .zh_kinds import SANS, SENTENCES

LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CURLS = {"flat": 0.0, "mild": 0.08, "strong": 0.2}  # curl height as a share of the page width

EN = (
    "The library will be closed on Monday for the public holiday.",
    "Please keep your receipt as proof of purchase for all returns.",
    "Our quarterly revenue grew by six percent compared with last year.",
    "Passengers should arrive at the gate thirty minutes before departure.",
    "The committee meets every second Thursday in room 204 at 10 a.m.",
    "Fresh vegetables are delivered from local farms every morning.",
    "Remember to back up your files before installing the new update.",
    "The museum offers free guided tours on the first Sunday of each month.",
    "Heavy rain is expected in the northern region later this week.",
    "Children under twelve must be accompanied by an adult at all times.",
    "The warranty does not cover damage caused by misuse or accidents.",
    "Bus route 14 will be diverted while the bridge is being repaired.",
    "Researchers found that regular walking improves sleep quality.",
    "Invoices must be paid within thirty days of the date of issue.",
    "Turn off the power supply before opening the cover of the device.",
    "Visitors may borrow up to eight books for a period of three weeks.",
)
EN_ITEMS = ("Coffee beans 1kg", "Whole milk 2L", "Sourdough bread", "Free range eggs x12", "Olive oil 500ml",
            "Cheddar cheese", "Bananas 1.2kg", "Green tea 40 bags", "Tomato sauce", "Brown rice 2kg",
            "Orange juice", "Dark chocolate", "Paper towels", "Dish soap", "Yogurt plain", "Chicken breast")
ZH_ITEMS = ("咖啡豆一公斤", "全脂牛奶", "全麦面包", "土鸡蛋十二枚", "橄榄油", "切达奶酪", "香蕉", "绿茶四十包",
            "番茄酱", "糙米两公斤", "橙汁", "黑巧克力", "厨房纸巾", "洗洁精", "原味酸奶", "鸡胸肉")


@dataclass
class FlatPage:
    image: Image.Image
    lines: list[tuple[float, float, float, float, str]]  # (x0, y0, x1, y1, text) per printed line


def _wrap(text: str, fnt: ImageFont.FreeTypeFont, width: float, cjk: bool) -> list[str]:
    lines, cur = [], ""
    for piece in (text if cjk else text.split()):
        longer = cur + piece if cjk else (cur + " " + piece).strip()
        if cur and fnt.getlength(longer) > width:
            lines.append(cur)
            cur = piece
        else:
            cur = longer
    return lines + ([cur] if cur else [])


def flat_page(seed: int, cjk: bool, receipt: bool) -> FlatPage:
    """A white page of paragraphs or a receipt table (item, quantity, amount columns)."""
    rng = random.Random(f"curled/page/{seed}")
    width = rng.choice((900, 960, 1000))
    font_path, sentences = (SANS, SENTENCES) if cjk else (LATIN, EN)
    items: list[tuple[int, str | list[str], float]] = []  # (size, text or cells, gap after)
    if not receipt:
        first = rng.choice(sentences)
        title = "通知：" + first[:8] if cjk else "Notice: " + " ".join(first.split()[:4])
        items.append((34, title, 1.0))
        target = rng.randint(15, 28)
        while len(items) < target:
            size = rng.choice((18, 20, 22, 24, 26, 28))
            text = ("" if cjk else " ").join(rng.choice(sentences) for _ in range(rng.randint(2, 3)))
            para = _wrap(text, ImageFont.truetype(font_path, size), width - 120, cjk)[: target - len(items)]
            items += [(size, line, 1.0 if k == len(para) - 1 else 0.0) for k, line in enumerate(para)]
    else:
        shop = rng.choice(("华联超市", "鲜果坊") if cjk else ("CORNER MARKET", "CITY FOODS"))
        items.append((32, shop, 0.3))
        items.append((20, ("日期 2024-03-%02d 收银员 %d" if cjk else "Date 2024-03-%02d Till %d")
                      % (rng.randint(1, 28), rng.randint(1, 9)), 0.6))
        items.append((22, ["商品", "数量", "金额"] if cjk else ["Item", "Qty", "Amount"], 0.2))
        size, total = rng.choice((20, 22, 24, 26)), 0.0
        for name in rng.sample(ZH_ITEMS if cjk else EN_ITEMS, rng.randint(11, 16)):
            qty, price = rng.randint(1, 4), rng.randint(150, 4999) / 100
            total += qty * price
            items.append((size, [name, str(qty), f"{qty * price:.2f}"], 0.0))
        items.append((28, ["合计" if cjk else "TOTAL", "", f"{total:.2f}"], 0.4))
        items.append((20, "谢谢惠顾，欢迎再次光临" if cjk else "Thank you for shopping with us", 0.0))
    height = int(80 + sum(s * (1.55 + g) for s, _, g in items) + 40)
    image = Image.new("RGB", (width, height), (rng.randint(240, 255),) * 3)
    draw = ImageDraw.Draw(image)
    ink = (rng.randint(10, 40),) * 3
    lines, y = [], 60.0
    for size, text, gap in items:
        fnt = ImageFont.truetype(font_path, size)
        if isinstance(text, list):  # a table row: amounts right-aligned
            xs = [60, int(width * 0.62), width - 60 - int(fnt.getlength(text[2]))]
            boxes = []
            for cell, x in zip(text, xs, strict=True):
                if cell:
                    draw.text((x, y), cell, font=fnt, fill=ink)
                    boxes.append(draw.textbbox((x, y), cell, font=fnt))
            lines.append((min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                          max(b[3] for b in boxes), " ".join(c for c in text if c)))
        else:
            x = (width - fnt.getlength(text)) / 2 if receipt and size >= 28 else 60
            draw.text((x, y), text, font=fnt, fill=ink)
            lines.append((*draw.textbbox((x, y), text, font=fnt), text))
        y += size * (1.55 + gap)
    return FlatPage(image, lines)


class _Camera:
    """The page bent along its width and seen in perspective: page (u, v) → photo (x, y)."""

    def __init__(self, width: int, height: int, curl: float, rng: random.Random):
        self.width, self.height = width, height
        self.book, self.side = rng.random() < 0.5, rng.choice((-1, 1))
        self.amount = curl * width
        ax = np.radians(rng.uniform(8, 18)) * rng.choice((-1, 1))
        ay, az = np.radians(rng.uniform(-8, 8)), np.radians(rng.uniform(-3, 3))
        rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
        ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
        rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
        self.rotation = rz @ ry @ rx
        self.focal = 1.2 * max(width, height)  # a phone's main camera, ~50° field
        self.distance = self.focal * rng.uniform(1.0, 1.12)
        self.out_w, self.out_h = int(width * 1.25), int(height * 1.2)

    def lift(self, u: np.ndarray) -> np.ndarray:
        t = u / self.width
        lean = t if self.side > 0 else 1 - t
        if self.book:  # a hump, higher towards the spine
            return self.amount * np.sin(np.pi * t) * (0.75 + 0.5 * lean)
        return self.amount * lean**2 * 1.6  # a lifted edge

    def project(self, u: np.ndarray, v: np.ndarray, curled: bool = True) -> np.ndarray:
        """Photo points of page points; `curled=False`: as if the sheet lay flat."""
        lift = self.lift(u) if curled else np.zeros_like(u)
        p = np.stack([u - self.width / 2, v - self.height / 2, lift], -1) @ self.rotation.T
        z = self.distance - p[..., 2]
        return np.stack([self.focal * p[..., 0] / z + self.out_w / 2, self.focal * p[..., 1] / z + self.out_h / 2], -1)

    def unproject(self, x: np.ndarray, y: np.ndarray, steps: int = 12) -> tuple[np.ndarray, np.ndarray]:
        """Page coordinates of photo points: Newton steps from the flat page's homography."""
        corners = np.array([[0, 0], [self.width, 0], [self.width, self.height], [0, self.height]], np.float64)
        flat = self.project(corners[:, 0], corners[:, 1], curled=False)
        back = cv2.getPerspectiveTransform(flat.astype(np.float32), corners.astype(np.float32))
        uv = cv2.perspectiveTransform(np.stack([x, y], -1).reshape(-1, 1, 2).astype(np.float64), back).reshape(-1, 2)
        u, v = uv[:, 0].copy(), uv[:, 1].copy()
        target = np.stack([x.ravel(), y.ravel()], -1)
        for _ in range(steps):
            at = self.project(u, v)
            du = (self.project(u + 0.5, v) - at) / 0.5
            dv = (self.project(u, v + 0.5) - at) / 0.5
            det = du[:, 0] * dv[:, 1] - du[:, 1] * dv[:, 0]
            det = np.where(np.abs(det) < 1e-9, 1e-9, det)
            rx, ry = (target - at).T
            u += (rx * dv[:, 1] - ry * dv[:, 0]) / det
            v += (ry * du[:, 0] - rx * du[:, 1]) / det
        return u.reshape(x.shape), v.reshape(x.shape)


def photo(page: FlatPage, curl: float, seed: int) -> tuple[bytes, list[tuple[np.ndarray, str]]]:
    """The page photographed with `curl` (the same pose for every curl at one seed): the
    photo as a JPEG (quality 85) and (4x2 box, text) per line."""
    rng, noise = random.Random(f"curled/photo/{seed}"), np.random.default_rng(seed)
    width, height = page.image.size
    cam = _Camera(width, height, curl, rng)
    lines = []
    for x0, y0, x1, y1, text in page.lines:
        us = np.linspace(x0, x1, 40)
        whole = np.concatenate([cam.project(us, np.full(40, y0)), cam.project(us, np.full(40, y1))])
        mid = np.concatenate([cam.project(np.full(2, width / 2), np.array([y0, y0])),
                              cam.project(np.full(2, width / 2), np.array([y1, y1]))])
        left, right, top, bottom = whole[:, 0].min(), whole[:, 0].max(), mid[:, 1].min(), mid[:, 1].max()
        lines.append((np.array([[left, top], [right, top], [right, bottom], [left, bottom]]), text))
    # The photo's pixels looked up on the page, on a grid of every 4th pixel, then resized.
    gx, gy = np.meshgrid(np.arange(0, cam.out_w, 4, dtype=np.float64), np.arange(0, cam.out_h, 4, dtype=np.float64))
    mu, mv = (np.clip(np.nan_to_num(m, nan=-1e4), -1e4, 1e4) for m in cam.unproject(gx, gy))
    mapx = cv2.resize(mu.astype(np.float32), (cam.out_w, cam.out_h), interpolation=cv2.INTER_LINEAR)
    mapy = cv2.resize(mv.astype(np.float32), (cam.out_w, cam.out_h), interpolation=cv2.INTER_LINEAR)
    paper = cv2.remap(np.asarray(page.image, np.float32)[:, :, ::-1].copy(), mapx, mapy, cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REPLICATE)
    inside = ((mapx >= 0) & (mapx <= width - 1) & (mapy >= 0) & (mapy <= height - 1)).astype(np.float32)
    inside = cv2.GaussianBlur(inside, (0, 0), 0.8)[..., None]
    if curl > 0:  # parts of the sheet turned away from the light are darker
        lift = cam.lift(np.linspace(0, width, 200))
        rate = np.gradient(lift) / (width / 199)
        shade = np.interp(np.clip(mapx, 0, width - 1) / width, np.linspace(0, 1, 200), rate)
        lit = 0.5 + 0.5 * np.sign(shade) * rng.choice((-1, 1))
        paper *= (1.0 - 0.35 * np.clip(np.abs(shade), 0, 1) * lit)[..., None]
    cloth = np.ones((cam.out_h, cam.out_w, 3), np.float32) * np.array(
        [rng.randint(40, 110), rng.randint(40, 100), rng.randint(30, 90)], np.float32)
    cloth += cv2.GaussianBlur(noise.normal(0, 25, (cam.out_h, cam.out_w)).astype(np.float32), (0, 0), 6)[..., None]
    out = cloth * (1 - inside) + paper * inside
    yy, xx = np.mgrid[0:cam.out_h, 0:cam.out_w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * xx / cam.out_w + np.sin(angle) * yy / cam.out_h
    ramp = (ramp - ramp.min()) / max(1e-6, float(np.ptp(ramp)))
    out *= (1.0 - rng.uniform(0.2, 0.35) * ramp)[..., None]
    out *= np.array([1.0, rng.uniform(0.97, 1.0), rng.uniform(0.9, 0.97)], np.float32)
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.7, 1.1)) + noise.normal(0, 5, out.shape).astype(np.float32)
    ok, jpeg = cv2.imencode(".jpg", np.clip(out, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return jpeg.tobytes(), lines


def write_sets(out_dir: Path, pages: int) -> dict[str, Path]:
    """`pages` pages under each curl's folder as JPEG + CSV; the folders written."""
    folders = {}
    for name, curl in CURLS.items():
        folder = out_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        for seed in range(pages):
            cjk, receipt = seed % 2 == 0, (seed // 2) % 2 == 1
            jpeg, lines = photo(flat_page(seed, cjk, receipt), curl, seed)
            stem = f"{'zh' if cjk else 'en'}_{'receipt' if receipt else 'text'}_{seed:02d}"
            (folder / f"{stem}.jpg").write_bytes(jpeg)
            write_truth(folder / f"{stem}.csv", lines)
        folders[name] = folder
    return folders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ocr_app.bench.curled_pages", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--pages", type=int, default=12, help="pages per curl (default 12)")
    args = parser.parse_args(argv)
    for name, folder in write_sets(args.out_dir, args.pages).items():
        print(f"{name}: {args.pages} pages in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
