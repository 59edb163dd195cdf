"""Screenshots of the real app for the README: empty window, finished batch, dark mode, Chinese UI.

    python scripts/screenshots.py            # re-runs itself under `xvfb-run` when there is no display
    python scripts/screenshots.py --out DIR  # default docs/screenshots

Sample pages are drawn here (receipt photo on a desk, Chinese notice, memo, a scanned
two-page PDF), so the pictures always show the current app on the same input.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LATIN_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def draw_page(lines: list[tuple[str, int, bool]], width: int, cjk: bool = False, margin: int = 60):
    from PIL import Image, ImageDraw, ImageFont

    height = margin * 2 + sum(int(size * 1.9) for _t, size, _b in lines)
    page = Image.new("RGB", (width, height), (252, 251, 247))
    draw = ImageDraw.Draw(page)
    y = margin
    for text, size, bold in lines:
        font = ImageFont.truetype(CJK if cjk else (LATIN_BOLD if bold else LATIN), size)
        draw.text((margin, y), text, font=font, fill=(28, 28, 30))
        y += int(size * 1.9)
    return page


def receipt_photo():
    """A receipt lying slightly rotated on a desk: shows the flattened/deskewed stage at work."""
    import numpy as np
    from PIL import Image, ImageFilter

    page = draw_page([("CORNER CAFE", 40, True), ("12 Market Street", 26, False), ("Latte x2        9.00", 28, False),
                      ("Bagel           3.50", 28, False), ("Orange juice    4.20", 28, False),
                      ("TOTAL          16.70", 32, True), ("Thank you!", 26, False)], 560)
    rng = np.random.default_rng(7)
    desk = np.zeros((1000, 900, 3), np.float32)
    desk[:] = (92, 70, 52)
    desk += rng.normal(0, 6, desk.shape)
    desk[:, :, :] += np.linspace(-15, 15, 900)[None, :, None]
    bg = Image.fromarray(np.clip(desk, 0, 255).astype(np.uint8))
    rotated = page.rotate(4, expand=True, resample=Image.BICUBIC, fillcolor=(0, 0, 0))
    mask = page.convert("L").point(lambda _v: 255).rotate(4, expand=True, resample=Image.BICUBIC)
    bg.paste(rotated, ((900 - rotated.width) // 2, (1000 - rotated.height) // 2), mask)
    return bg.filter(ImageFilter.GaussianBlur(0.6))


def samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    path = folder / "receipt photo.jpg"
    receipt_photo().save(path, quality=92)
    out.append(path)
    notice = draw_page([("关于系统升级的通知", 40, True), ("本周六晚上十点至十二点进行服务器维护", 28, False),
                        ("期间网站将暂停访问，请提前保存工作", 28, False), ("感谢您的理解与支持", 28, False)],
                       700, cjk=True)
    path = folder / "通知 notice.png"
    notice.save(path)
    out.append(path)
    memo = draw_page([("Project Memo", 38, True), ("Meeting moved to Thursday 3 pm", 28, False),
                      ("Bring the Q3 budget figures", 28, False), ("Room 4.12, second floor", 28, False)], 680)
    path = folder / "memo.png"
    memo.save(path)
    out.append(path)
    pages = [draw_page([("Annual Report 2024", 40, True), ("Revenue grew 12 percent", 28, False),
                        ("Three new offices opened", 28, False)], 820),
             draw_page([("Outlook", 40, True), ("Focus on customer support", 28, False),
                        ("Hiring twenty engineers", 28, False)], 820)]
    path = folder / "annual report.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=110)
    out.append(path)
    path = folder / "damaged scan.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    out.append(path)
    return out


def settle(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def capture(out: Path) -> int:
    from PySide6.QtCore import QSettings

    from ocr_app.gui import i18n, theme
    from ocr_app.gui.app import create_app
    from ocr_app.gui.items import Status
    from ocr_app.gui.main_window import MainWindow
    from ocr_app.gui.settings import AppSettings

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ocr-desk-shots-"))
    # Its own history store: the pictures never show, nor add to, the user's batch and history.
    os.environ["OCR_DESK_DATA"] = str(work / "data")
    app = create_app([])
    theme.apply(app, "light")
    i18n.install("en")
    settings = AppSettings(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    settings.stage = "binary"
    win = MainWindow(settings)
    win.resize(1440, 900)
    win.show()
    settle(app, 0.5)
    win.grab().save(str(out / "empty.png"))
    deadline = time.monotonic() + 60
    while win.engine is None and win.engine_error is None and time.monotonic() < deadline:
        settle(app, 0.1)
    if win.engine is None:
        print("engine failed to load:", win.engine_error, file=sys.stderr)
        return 1
    win.add_paths(samples(work / "samples"))
    while win.runner.busy and time.monotonic() < deadline + 120:
        settle(app, 0.1)
    receipt = next(it for it in win.model.items if it.name.startswith("receipt"))
    report = next((it for it in win.model.items if it.name.startswith("annual")), None)
    if report is not None:
        win.tree.expand(win.model.index_of(report.id))
    win.tree.setCurrentIndex(win.model.index_of(receipt.id))
    win.compare.set_stage("flattened")
    settle(app, 2.0)
    # point at one line, as a user checking a word would
    win.compare.select_box(min(5, len(receipt.pages[0].lines) - 1))
    win.text_panel.select_line(min(5, len(receipt.pages[0].lines) - 1))
    settle(app, 0.3)
    win.toast.hide()  # the "batch finished" note belongs to the moment, not the picture
    win.grab().save(str(out / "batch.png"))

    settings.theme = "dark"
    win.apply_theme()
    notice = next(it for it in win.model.items if it.name.startswith("通知"))
    win.tree.setCurrentIndex(win.model.index_of(notice.id))
    win.compare.set_stage("binary")
    settle(app, 2.0)
    win.grab().save(str(out / "dark.png"))

    settings.theme = "light"
    win.apply_theme()
    i18n.install("zh_CN")
    win.tree.setCurrentIndex(win.model.index_of(receipt.id))
    settle(app, 1.5)
    win.grab().save(str(out / "chinese-ui.png"))
    print("\n".join(str(out / n) for n in ("empty.png", "batch.png", "dark.png", "chinese-ui.png")))
    statuses = {it.name: it.status.value for it in win.model.items}
    print(statuses)
    win.close()
    i18n.install("en")
    unbent = capture_dewarp(app, work, out)
    shutil.rmtree(work, ignore_errors=True)
    return 0 if sum(s == Status.DONE.value for s in statuses.values()) >= 4 and unbent else 1


def capture_dewarp(app, work: Path, out: Path) -> bool:
    """A strongly curled page read with the dewarp pack: the photo with its boxes beside the
    unbent page. Skipped (and said) when the pack is not installed."""
    from PySide6.QtCore import QSettings

    from ocr_app.bench import curled_pages
    from ocr_app.engine import dewarp_installed, pack_command
    from ocr_app.gui.main_window import MainWindow
    from ocr_app.gui.settings import AppSettings

    if not dewarp_installed():
        print(f"dewarp.png skipped: the dewarp pack is not installed ({pack_command('dewarp')})")
        return True
    jpeg, _ = curled_pages.photo(curled_pages.flat_page(5, cjk=False, receipt=False), curled_pages.CURLS["strong"], 5)
    photo = work / "samples" / "curled page.jpg"
    photo.write_bytes(jpeg)
    os.environ["OCR_DESK_DATA"] = str(work / "data-dewarp")  # its own store: the first window's batch is not restored
    settings = AppSettings(QSettings(str(work / "settings-dewarp.ini"), QSettings.Format.IniFormat))
    settings.dewarp_pages = True
    settings.stage = "flattened"
    win = MainWindow(settings)
    win.resize(1440, 900)
    win.show()
    deadline = time.monotonic() + 60
    while win.engine is None and win.engine_error is None and time.monotonic() < deadline:
        settle(app, 0.1)
    win.add_paths([photo])
    while win.runner.busy and time.monotonic() < deadline + 60:
        settle(app, 0.1)
    item = next(it for it in win.model.items if it.name == photo.name)
    win.tree.setCurrentIndex(win.model.index_of(item.id))
    win.compare.set_stage("flattened")
    settle(app, 3.0)
    win.toast.hide()
    win.grab().save(str(out / "dewarp.png"))
    print(out / "dewarp.png")
    win.close()
    return item.status.value == "done"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.inner and not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, __file__, "--inner",
               "--out", str(args.out)]
        return subprocess.call(cmd)
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen")
    return capture(args.out)


if __name__ == "__main__":
    sys.exit(main())
