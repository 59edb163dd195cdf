"""`python main.py capture`: read part of the screen from a terminal or a desktop shortcut.

    main.py capture                          select a region with the overlay
    main.py capture --region X,Y,W,H         that region, in device pixels
    main.py capture --full [--screen N]      a whole screen
    options: --screen N (region relative to screen N), --no-clipboard, --layout MODE, --json, --standalone

When OCR Desk is running the request goes to it and its warm engine answers (this
process imports neither Qt nor the engine: ~0.05 s of Python start-up, then the OCR).
Otherwise this process grabs and reads the screen itself, loading the models while the
user selects. The text goes to stdout and, unless --no-clipboard, to the clipboard.
Exit status: 0 text read, 1 nothing found or cancelled, 2 error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ocr_app import options

from . import handover

if TYPE_CHECKING:  # the hand-over path imports neither Qt nor the engine
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from ocr_app.engine import EngineConfig

    from .grab import Shot


def parse_region(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or values[2] <= 0 or values[3] <= 0:
        raise argparse.ArgumentTypeError("expected X,Y,W,H in device pixels, with W and H above 0")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py capture", description="Read text from the screen.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--region", type=parse_region, metavar="X,Y,W,H",
                       help="region in device pixels (desktop coordinates, or relative to --screen)")
    where.add_argument("--full", action="store_true", help="the whole screen (--screen, else the pointer's)")
    parser.add_argument("--screen", type=int, metavar="N", help="screen number, 0 = first")
    parser.add_argument("--no-clipboard", action="store_true", help="only print the text")
    layout = options.option("layout")
    parser.add_argument("--layout", choices=layout.choices, default=None,
                        help=f"{layout.help} (default: the app's setting)")
    parser.add_argument("--json", action="store_true", help="print the full answer as JSON")
    parser.add_argument("--standalone", action="store_true",
                        help="do not hand the request to a running OCR Desk")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    message = {"cmd": "capture", "region": args.region, "screen": args.screen, "full": args.full,
               "clipboard": not args.no_clipboard}
    reply = None if args.standalone else handover.request(message)
    if reply is None:
        reply = run_here(args)
    elif args.layout and isinstance(reply.get("texts"), dict) and args.layout in reply["texts"]:
        reply["text"] = reply["texts"][args.layout]  # the running app answers in every layout
    return report(reply, args.json)


def report(reply: dict, as_json: bool) -> int:
    if as_json:
        print(json.dumps(reply, ensure_ascii=False))
    elif reply.get("ok") and reply.get("text"):
        sys.stdout.write(reply["text"] + "\n")
    elif reply.get("ok"):
        sys.stderr.write("No text found in the region.\n")
    else:
        sys.stderr.write(f"Capture: {reply.get('error', 'failed')}\n")
    sys.stdout.flush()
    if reply.get("ok"):
        return 0 if reply.get("text") else 1
    return 1 if reply.get("cancelled") else 2


def _engine_config() -> EngineConfig:
    """The user's recognition settings, built as the window builds them (the schema)."""
    from PySide6.QtCore import QSettings

    from ocr_app.gui.settings import AppSettings

    # Named explicitly: this runs on the loading thread, maybe before main() names the app.
    return options.engine_config(AppSettings(QSettings("OCR Desk", "OCR Desk")).engine_values())


def _layout_setting() -> str:
    from PySide6.QtCore import QSettings

    from ocr_app.gui.settings import AppSettings

    return AppSettings(QSettings("OCR Desk", "OCR Desk")).get("layout")


def run_here(args: argparse.Namespace) -> dict:
    """Nothing running: grab, select and read in this process. The engine (NumPy, OpenCV,
    ONNX Runtime: most of a cold start) loads on a thread from the first moment, while
    this thread starts Qt, grabs the screen and runs the overlay."""
    from .capture_engine import EngineLoad

    loading = EngineLoad(_engine_config)

    from PySide6.QtCore import QCoreApplication, QRect

    import ocr_app

    QCoreApplication.setOrganizationName("OCR Desk")
    QCoreApplication.setApplicationName("OCR Desk")
    QCoreApplication.setApplicationVersion(ocr_app.__version__)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])

    from .capture_reader import to_bgr
    from .grab import CaptureError, cut, grab_all, grab_region, grab_screen, screen_by_index

    try:
        if args.region is not None:
            image = grab_region(QRect(*args.region), args.screen)
        elif args.full:
            screen = screen_by_index(args.screen) if args.screen is not None else app.primaryScreen()
            shot = grab_screen(screen).image
            image = cut(shot, QRect(0, 0, shot.width(), shot.height()))
        else:
            image = _select(app, grab_all(), args.screen)
            if image is None:
                loading.result()  # never exit while ONNX Runtime loads on the other thread (it aborts)
                return {"ok": False, "cancelled": True, "error": "capture cancelled"}
    except CaptureError as exc:
        loading.result()
        return {"ok": False, "error": str(exc)}
    engine, error = loading.result()
    if engine is None:
        return {"ok": False, "error": error}
    result = engine.run(to_bgr(image), name="capture")
    if result.error:
        return {"ok": False, "error": result.error}
    text = result.text_as(args.layout or _layout_setting())
    if text and not args.no_clipboard:
        # Stays after we exit where the desktop runs a clipboard manager (Qt hands it over).
        app.clipboard().setText(text)
    codes = [ln.text for ln in result.lines if getattr(ln, "kind", "text") != "text"]
    return {"ok": True, "text": text, "lines": len(result.lines), "codes": codes,
            "size": [image.width(), image.height()]}


def _select(app: QApplication, shots: list[Shot], screen: int | None) -> QImage | None:
    """Run the overlay until the user picks a region or cancels; the picked image or None."""
    from .grab import screen_by_index, screen_key
    from .overlay import RegionPicker

    if screen is not None:
        wanted = screen_by_index(screen)
        shots = [s for s in shots if s.screen_key == screen_key(wanted)]
    picked: dict = {}
    picker = RegionPicker(shots)
    picker.picked.connect(lambda image, _shot, _rect: (picked.setdefault("image", image), app.quit()))
    picker.cancelled.connect(app.quit)
    picker.show()
    app.exec()
    return picked.get("image")
