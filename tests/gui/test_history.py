"""Issue 18 in the real window (offscreen Qt, the session's engine, generated images):
line edits reach every export, the batch survives closing and a SIGKILL, Clear is undoable,
the editor keeps Tab and Esc to itself, and the layout mode re-renders without OCR."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication

from ocr_app.gui.export_dialog import ExportChoice
from ocr_app.gui.items import Status
from tests.gui.conftest import by_name, wait_for, wait_idle
from tests.imagegen import render_lines, save

ROOT = Path(__file__).resolve().parents[2]
RECEIPT = ["CORNER CAFE 12", "Total amount: 38.90"]


def _select(win, name: str):
    item = by_name(win)[name]
    win.tree.setCurrentIndex(win.model.index_of(item.id))
    return item


def _type_over(editor, old: str, new: str) -> None:
    at = editor.toPlainText().index(old)
    cursor = editor.textCursor()
    cursor.setPosition(at)
    cursor.setPosition(at + len(old), cursor.MoveMode.KeepAnchor)
    cursor.insertText(new)


def _export(win, fmt: str, target: Path) -> Path:
    win.last_export, win.last_export_error = [], None
    win.export(ExportChoice(fmt, False, True, target), list(win.model.items))
    wait_for(lambda: bool(win.last_export) or win.last_export_error is not None, 60)
    assert win.last_export_error is None
    return target


@pytest.fixture
def receipt(tmp_path) -> Path:
    return save(render_lines(RECEIPT), tmp_path / "receipt.png")


def test_a_line_edit_reaches_every_export(window, qtbot, receipt, tmp_path):
    import pypdfium2 as pdfium

    window.add_paths([receipt])
    wait_idle(window)
    item = _select(window, "receipt.png")
    editor = window.text_panel.editor
    _type_over(editor, "CORNER", "KORNER")
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # a new row: what is typed there is an added line
    qtbot.keyClicks(editor, "Added note")
    edits = item.edited[0]
    assert [e.source for e in edits] == [0, 1, None]
    assert edits[0].text.startswith("KORNER") and edits[2].text == "Added note"
    assert not item.edits_exported

    txt = _export(window, "txt", tmp_path / "r.txt").read_text(encoding="utf-8")
    assert "KORNER" in txt and "CORNER" not in txt and "Added note" in txt
    window.acts["copy_all"].trigger()
    assert QGuiApplication.clipboard().text() == txt
    md = _export(window, "md", tmp_path / "r.md").read_text(encoding="utf-8")
    assert "KORNER" in md and "Added note" in md

    data = json.loads(_export(window, "json", tmp_path / "r.json").read_text(encoding="utf-8"))
    page = data["documents"][0]["pages"][0]
    first, second, added = page["lines"]
    assert page["edited"] and "KORNER" in page["text"] and "CORNER" in page["recognized_text"]
    assert first["edited"] and first["text"].startswith("KORNER") and len(first["box"]) == 4
    assert 0 < first["confidence"] <= 1 and not second["edited"] and second["char_confidences"]
    assert added["edited"] and added["box"] == [] and added["text"] == "Added note"

    raw = _export(window, "csv", tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(raw.splitlines()))
    assert [r["edited"] for r in rows] == ["1", "0", "1"]
    assert rows[0]["text"].startswith("KORNER") and float(rows[0]["x3"]) > float(rows[0]["x1"])
    assert float(rows[0]["confidence"]) > 0.5 and rows[2]["x1"] == ""

    pdf = pdfium.PdfDocument(str(_export(window, "pdf", tmp_path / "r.pdf")))
    layer = pdf[0].get_textpage().get_text_range()
    assert "KORNER" in layer and "CORNER" not in layer  # the text layer carries the edit, in its box
    assert item.edits_exported


def test_files_given_at_start_are_not_restored_a_second_time(window, receipt):
    """`ocr-desk FILE` queues FILE before the models load, and the store already holds it when the last
    batch is put back (on load): the list keeps one of it, read once."""
    window.add_paths([receipt])
    wait_idle(window)
    assert [it.name for it in window.model.items] == ["receipt.png"]
    window.restore_batch()
    wait_idle(window)
    assert [(it.name, it.status) for it in window.model.items] == [("receipt.png", Status.DONE)]


def test_close_and_reopen_restores_list_edits_and_selection(qtbot, engine, settings, tmp_path, monkeypatch):
    from ocr_app.gui.main_window import MainWindow

    first = save(render_lines(RECEIPT), tmp_path / "receipt.png")
    moved = save(render_lines(["Meeting notes 12 May"]), tmp_path / "notes.png")
    win = MainWindow(settings, engine=engine)
    qtbot.addWidget(win)
    win.add_paths([first, moved])
    wait_idle(win)
    item = _select(win, "receipt.png")
    _type_over(win.text_panel.editor, "CORNER", "KORNER")
    _select(win, "notes.png")
    recognised = by_name(win)["notes.png"].pages[0].text
    win.close()  # as Ctrl+Q: everything is already in the store
    moved.rename(tmp_path / "elsewhere.png")

    runs = []
    monkeypatch.setattr(engine, "run", lambda *a, **k: runs.append(a) or pytest.fail("no OCR on restore"))
    again = MainWindow(settings, engine=engine)
    qtbot.addWidget(again)
    items = by_name(again)
    assert list(items) == ["receipt.png", "notes.png"]
    assert all(it.status is Status.DONE for it in items.values()) and not again.runner.busy
    assert items["receipt.png"].edited[0][0].text.startswith("KORNER")
    assert items["notes.png"].missing and items["notes.png"].pages[0].text == recognised
    assert again.current()[0] is items["notes.png"]  # the selection came back
    assert "source missing" in again.model.data(again.model.index_of(items["notes.png"].id).siblingAtColumn(1))
    _select(again, "receipt.png")
    assert again.text_panel.text().startswith("KORNER") and item.id != items["receipt.png"].id
    assert not runs
    again.close()


def test_sigkill_mid_batch_then_restore(qtbot, engine, tmp_path):
    """The real window in a child process is killed with SIGKILL after 3 of 6 items: a new
    window shows every finished page (and the edit) and reads the rest."""
    import os
    import signal

    sys.path.insert(0, str(ROOT / "scripts"))
    from history_crash import EDIT, make_images

    files = make_images(tmp_path / "images", 6)
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(map(str, files)))
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "history_crash.py"), "--child", str(listing),
                             str(tmp_path / "child.ini")], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    finished = []
    for line in proc.stdout:
        if line.startswith("done "):
            finished.append(line[5:].strip())
            if len(finished) == 3:
                os.kill(proc.pid, signal.SIGKILL)
                break
    assert proc.wait(30) == -signal.SIGKILL

    from ocr_app.gui.main_window import MainWindow
    from ocr_app.gui.settings import AppSettings

    win = MainWindow(AppSettings(QSettings(str(tmp_path / "child.ini"), QSettings.Format.IniFormat)), engine=engine)
    qtbot.addWidget(win)
    items = by_name(win)
    done = {name for name, it in items.items() if it.status is Status.DONE}
    assert set(finished) <= done  # nothing the window had finished is lost
    assert items[finished[0]].edited[0][0].text == EDIT
    assert len(items) == 6
    wait_idle(win, 120)
    assert all(it.status is Status.DONE and "Crash test page" in it.pages[0].text for it in win.model.items)
    win.close()


def test_clear_asks_about_unexported_edits_and_undo_brings_items_back(window, receipt, tmp_path):
    other = save(render_lines(["Budget approved"]), tmp_path / "budget.png")
    window.add_paths([receipt, other])
    wait_idle(window)
    _select(window, "receipt.png")
    _type_over(window.text_panel.editor, "CORNER", "KORNER")
    asked = []
    window.confirm = lambda title, text: asked.append(text) or False
    window.acts["clear"].trigger()
    assert asked and len(window.model.items) == 2  # declined: nothing happens
    window.confirm = lambda title, text: True
    window.acts["clear"].trigger()
    assert not window.model.items and window.acts["undo"].isEnabled()
    window.acts["undo"].trigger()
    items = by_name(window)
    assert list(items) == ["receipt.png", "budget.png"]
    assert items["receipt.png"].edited[0][0].text.startswith("KORNER")
    # Remove is undoable too, and the item returns to its row
    window.tree.setCurrentIndex(window.model.index_of(items["receipt.png"].id))
    window.acts["remove"].trigger()
    assert [it.name for it in window.model.items] == ["budget.png"]
    window.acts["undo"].trigger()
    assert [it.name for it in window.model.items] == ["receipt.png", "budget.png"]
    window.add_paths([receipt])  # still known: not added twice
    assert len(window.model.items) == 2


def test_tab_leaves_the_editor_and_esc_never_cancels(window, qtbot, tmp_path):
    files = [save(render_lines([f"Keyboard page {n}"]), tmp_path / f"k{n}.png") for n in range(4)]
    window.add_paths(files[:1])
    wait_idle(window)
    _select(window, "k0.png")
    editor = window.text_panel.editor
    window.activateWindow()
    editor.setFocus()
    before = editor.toPlainText()
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert "\t" not in editor.toPlainText() and editor.toPlainText() == before
    assert not editor.hasFocus()
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert "\t" in editor.toPlainText()  # Ctrl+Tab types a tab for whoever needs one
    window.add_paths(files[1:])
    assert window.runner.busy
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert window.runner.busy and not any(it.status is Status.CANCELLED for it in window.model.items)
    wait_idle(window)
    assert all(it.status is Status.DONE for it in window.model.items)


def test_minimum_size_keeps_file_names_visible(window, receipt):
    window.add_paths([receipt])
    wait_idle(window)
    window.resize(900, 600)
    window.main_split.setSizes([1, 2000])  # however the splitter is dragged
    QGuiApplication.processEvents()
    assert window.batch_panel.width() >= 240 and window.tree.columnWidth(0) >= 150  # names stay readable
    assert window.tree.isColumnHidden(4)  # the ms column gave way
    window.resize(1600, 900)
    window.main_split.setSizes([700, 900])
    QGuiApplication.processEvents()
    assert not window.tree.isColumnHidden(4) and not window.tree.isColumnHidden(1)


def test_layout_mode_switch_rerenders_without_ocr(window, engine, tmp_path, monkeypatch):
    from ocr_app.options import LAYOUT_MODES

    path = save(render_lines(["First line of a paragraph that goes on", "and its second line here"]),
                tmp_path / "para.png")
    window.add_paths([path])
    wait_idle(window)
    item = _select(window, "para.png")
    monkeypatch.setattr(engine, "run", lambda *a, **k: pytest.fail("a mode switch must not run OCR"))
    box = window.text_panel.mode_box
    for mode in LAYOUT_MODES:
        box.setCurrentIndex(box.findData(mode))
        assert window.settings.layout == mode
        assert window.text_panel.text() == item.pages[0].text_as(mode)
        window.tree.setFocus()
        window.acts["copy"].trigger()
        assert QGuiApplication.clipboard().text().rstrip("\n") == item.pages[0].text_as(mode)
    box.setCurrentIndex(box.findData("paragraphs"))
    _type_over(window.text_panel.editor, "second", "2nd")
    assert item.edited[0][1].source == 1  # a paragraph's lines stay separate lines with their boxes
    box.setCurrentIndex(box.findData("lines"))
    assert "2nd" in window.text_panel.text()
    window.compare.order_btn.setChecked(True)
    wait_for(lambda: bool(window.compare.original.order_labels), 30)
    assert len(window.compare.original.order_labels) == len(item.pages[0].lines)
    window.compare.order_btn.setChecked(False)
    assert not any(tag.isVisible() for tag in window.compare.original.order_labels)
