"""GUI fixtures: real windows on the offscreen platform, the session's real engine, and
images with known text drawn at test time."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from tests.imagegen import render_lines, save

EN = ["TAX INVOICE No. 4521", "Total amount: 38.90"]
ZH = ["基于轮廓检测自动校正倾斜", "单次推理内使用多线程加速"]
EN2 = ["Meeting notes 12 May", "Budget approved"]


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict[str, Path]:
    """A file, a folder tree (with a non-image that folder scans must skip) and bad files."""
    root = tmp_path_factory.mktemp("gui_samples")
    out = {
        "en": save(render_lines(EN), root / "invoice.png"),
        "zh": save(render_lines(ZH), root / "folder" / "nested" / "chinese.png"),
        "en2": save(render_lines(EN2), root / "folder" / "notes.jpg", quality=95),
    }
    (root / "folder" / "readme.txt").write_text("not an image")
    bad = root / "bad"
    bad.mkdir()
    (bad / "zero.png").write_bytes(b"")
    (bad / "garbage.jpg").write_bytes(b"\xff\xd8 this is not really a jpeg" * 20)
    out["folder"] = root / "folder"
    out["zero"] = bad / "zero.png"
    out["garbage"] = bad / "garbage.jpg"
    out["text"] = root / "folder" / "readme.txt"
    return out


@pytest.fixture
def settings(tmp_path):
    from ocr_app.gui.settings import AppSettings

    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def window(qtbot, engine, settings, tmp_path_factory, monkeypatch):
    from ocr_app.gui.main_window import MainWindow

    monkeypatch.setenv("OCR_DESK_DATA", str(tmp_path_factory.mktemp("store")))  # an empty history store
    win = MainWindow(settings, engine=engine)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win
    win.close()


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Spin the event loop until `condition()` holds (for fixtures outliving one test's qtbot)."""
    app = QApplication.instance()
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("condition not met in time")
        app.processEvents()
        time.sleep(0.01)


def wait_idle(win, timeout: float = 90.0) -> None:
    wait_for(lambda: not win.runner.busy, timeout)
    QApplication.instance().processEvents()


def drop(win, paths: list[Path]) -> tuple[bool, bool]:
    """Drag `paths` over the window and drop them, as a file manager would.

    Returns (highlight shown during the drag, highlight hidden after the drop)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPoint(win.width() // 2, win.height() // 2)
    with warnings.catch_warnings():  # PySide flags the QPoint overload, the only one Qt offers
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(win, enter)
    shown = win.drop_overlay.isVisible() and enter.isAccepted()
    event = QDropEvent(pos.toPointF(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(win, event)
    return shown, not win.drop_overlay.isVisible()


def by_name(win) -> dict:
    return {item.name: item for item in win.model.items}
