"""What the user sees and takes away from a finished batch: side-by-side, text, copy, export."""

from __future__ import annotations

import csv
import json
import os

import pytest
from PySide6.QtCore import QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ocr_app.gui.export_dialog import ExportChoice
from ocr_app.gui.items import Status
from tests.imagegen import cer

from .conftest import EN, ZH, by_name, wait_for, wait_idle


@pytest.fixture(scope="module")
def done_window(qapp, engine, samples, tmp_path_factory):
    """One finished batch shared by the read-only checks below (saves engine time)."""
    from ocr_app.gui.main_window import MainWindow
    from ocr_app.gui.settings import AppSettings

    ini = tmp_path_factory.mktemp("settings") / "s.ini"
    os.environ["OCR_DESK_DATA"] = str(tmp_path_factory.mktemp("store"))  # its own empty history store
    win = MainWindow(AppSettings(QSettings(str(ini), QSettings.Format.IniFormat)), engine=engine)
    win.resize(1280, 800)
    win.show()
    win.add_paths([samples["en"], samples["zh"]])
    wait_idle(win)
    assert all(it.status is Status.DONE for it in win.model.items)
    yield win
    win.close()


def select(win, name: str):
    item = by_name(win)[name]
    win.tree.setCurrentIndex(win.model.index_of(item.id))
    wait_for(lambda: win.detail.shown == (item.id, 0) and not win.compare.original.pixmap_item.pixmap().isNull()
             and win.compare.stack.currentIndex() == 1)
    return item


def test_side_by_side_views(done_window):
    win = done_window
    item = select(win, "invoice.png")
    res = item.pages[0]
    view = win.compare
    assert view.original.image_size() == res.image_size
    # the preprocessed image shares the original's coordinates, whatever stage is shown
    for stage in ("gray", "equalized", "binary", "flattened"):
        view.set_stage(stage)
        assert not view.processed.pixmap_item.pixmap().isNull(), stage
        assert view.processed.scene().sceneRect() == view.original.scene().sceneRect()
    assert win.settings.stage == "flattened"
    # zoom and pan stay in sync
    view.actual_size()
    assert view.original.zoom() == pytest.approx(1.0)
    view.zoom_in()
    assert view.processed.zoom() == pytest.approx(view.original.zoom()) == pytest.approx(1.25)
    view.original.horizontalScrollBar().setValue(view.original.horizontalScrollBar().maximum())
    assert view.processed.horizontalScrollBar().value() == view.original.horizontalScrollBar().value()
    view.fit()
    assert view.processed.zoom() == pytest.approx(view.original.zoom())
    # one box per recognised line
    assert len(view.original.boxes) == len(res.lines) == 2


def test_reading_order_labels_sit_beside_their_boxes_not_over_the_text(done_window):
    """Each "block.line" tag ends just before the edge its line starts from, at any zoom: it never covers
    the first letters (it used to sit on the box's top-left corner)."""
    win = done_window
    select(win, "invoice.png")
    compare = win.compare
    view = compare.original
    for zoom_step in (compare.fit, compare.zoom_in, compare.zoom_in):
        zoom_step()
        for box, tag in zip(view.boxes, view.order_labels, strict=True):
            assert tag.isVisible()
            box_rect = view.mapFromScene(box.sceneBoundingRect()).boundingRect()
            tag_rect = tag.deviceTransform(view.viewportTransform()).mapRect(tag.boundingRect()).toAlignedRect()
            assert tag_rect.right() <= box_rect.left() + 1, (tag_rect, box_rect)
            assert box_rect.top() <= tag_rect.center().y() <= box_rect.bottom()
            assert tag_rect.height() < 40  # screen-sized at every zoom


def test_a_label_with_no_room_before_its_line_goes_above_it(qapp):
    """A price box close behind its item box: a tag before the price would cover the item's last letters,
    so it sits above the price's start instead; both tags cover no line at any zoom."""
    from PySide6.QtGui import QImage

    from ocr_app.engine import Line
    from ocr_app.gui.image_view import ImageView

    view = ImageView()
    view.resize(900, 600)
    page = QImage(800, 400, QImage.Format.Format_RGB32)
    page.fill(Qt.GlobalColor.white)
    view.set_image(page)
    item_box = [[100, 100], [400, 100], [400, 130], [100, 130]]
    price_box = [[406, 100], [480, 100], [480, 130], [406, 130]]
    view.set_boxes([Line(box=b, text=t, confidence=0.99) for b, t in ((item_box, "Orange juice"), (price_box, "4.20"))])
    for zoom in (0.5, 1.0, 2.0):
        view.set_zoom(zoom)
        boxes = [view.mapFromScene(box.sceneBoundingRect()).boundingRect() for box in view.boxes]
        tags = [tag.deviceTransform(view.viewportTransform()).mapRect(tag.boundingRect()).toAlignedRect()
                for tag in view.order_labels]
        assert not any(tag.intersects(box.adjusted(1, 1, -1, -1)) for tag in tags for box in boxes), (zoom, tags)
        assert tags[0].right() <= boxes[0].left() + 1  # room before the item
        assert tags[1].bottom() <= boxes[1].top() + 1 and abs(tags[1].left() - boxes[1].left()) <= 3  # above


def test_box_and_text_line_linked(done_window, qtbot):
    win = done_window
    item = select(win, "invoice.png")
    view = win.compare.original
    # click the second box: its line is selected in the text
    box = view.boxes[1]
    centre = view.mapFromScene(box.polygon().boundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert view.selected_box == 1
    assert win.text_panel.editor.textCursor().selectedText() == item.pages[0].lines[1].text
    # click into the first line of text: its box is highlighted
    cursor = win.text_panel.editor.textCursor()
    cursor.setPosition(2)
    win.text_panel.editor.setTextCursor(cursor)
    assert view.selected_box == 0
    assert view.boxes[0].pen().color().name() == "#2f7de1"


def test_timings_and_low_confidence_marks(done_window):
    win = done_window
    select(win, "chinese.png")
    shown = win.text_panel.timings.text()
    for word in ("preprocess", "detect", "recognise", "total"):
        assert word in shown
    assert cer("".join(ZH), win.text_panel.text()) < 0.05


def test_copy_selected_edited_and_all(done_window):
    win = done_window
    clipboard = QGuiApplication.clipboard()
    item = select(win, "invoice.png")
    win.tree.setFocus()
    win.acts["copy"].trigger()
    assert clipboard.text() == item.text()
    assert cer("\n".join(EN), clipboard.text()) < 0.05
    assert win.toast.isVisible()
    # an edit is kept for the item and used by copy
    editor = win.text_panel.editor
    at = editor.toPlainText().index("4521")
    cursor = editor.textCursor()
    cursor.setPosition(at)
    cursor.setPosition(at + 4, cursor.MoveMode.KeepAnchor)
    cursor.insertText("4522")  # typed over: the line keeps its box
    assert item.edited[0][0].text.startswith("TAX INVOICE No. 4522") and item.edited[0][0].source == 0
    select(win, "chinese.png")
    select(win, "invoice.png")
    assert win.text_panel.text().startswith("TAX INVOICE No. 4522")
    win.tree.setFocus()
    win.acts["copy"].trigger()
    assert clipboard.text().startswith("TAX INVOICE No. 4522")
    # all finished items, with file-name headers
    win.acts["copy_all"].trigger()
    text = clipboard.text()
    assert "=== invoice.png ===" in text and "=== chinese.png ===" in text
    assert "4522" in text and cer("".join(ZH), text.split("=== chinese.png ===")[1]) < 0.1
    # selection of text in the editor copies just that
    win.text_panel.editor.setFocus()
    cursor = win.text_panel.editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(3, cursor.MoveMode.KeepAnchor)
    win.text_panel.editor.setTextCursor(cursor)
    win.acts["copy"].trigger()
    assert clipboard.text() == "TAX"
    item.edited.clear()


def export(win, tmp_path, fmt: str, combined: bool = True):
    win.last_export, win.last_export_error = [], None
    target = tmp_path / (f"all.{fmt}" if combined else f"per-{fmt}")
    win.export(ExportChoice(fmt, False, combined, target), [it for it in win.model.items])
    wait_for(lambda: bool(win.last_export) or win.last_export_error is not None, 60)
    return win.last_export


@pytest.mark.parametrize("fmt", ["txt", "md", "json", "csv", "pdf"])
def test_export_formats(done_window, tmp_path, fmt):
    win = done_window
    written = export(win, tmp_path, fmt)
    assert win.last_export_error is None
    assert written == [tmp_path / f"all.{fmt}"]
    path = written[0]
    if fmt in ("txt", "md"):
        text = path.read_text(encoding="utf-8")
        assert "invoice.png" in text and "chinese.png" in text
        for item in win.model.items:
            assert all(line in text for line in item.text().splitlines()), (item.name, text)
    elif fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        blob = json.dumps(data, ensure_ascii=False)
        assert "TAX INVOICE" in blob and "单次推理内使用多线程加速" in blob
    elif fmt == "csv":
        rows = list(csv.reader(path.open(encoding="utf-8-sig")))
        cells = " ".join(" ".join(r) for r in rows)
        assert "invoice.png" in cells and "Total amount: 38.90" in cells
    else:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        assert len(pdf) == 2
        text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        assert cer("\n".join(EN), text.split("基")[0]) < 0.1
        assert cer("".join(ZH), text[text.index("基"):]) < 0.1


def test_export_one_file_per_item_and_unwritable_target(done_window, tmp_path):
    win = done_window
    written = export(win, tmp_path, "txt", combined=False)
    assert sorted(p.name for p in written) == ["chinese.txt", "invoice.txt"]
    assert "38.90" in (tmp_path / "per-txt" / "invoice.txt").read_text(encoding="utf-8")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    win.last_export, win.last_export_error = [], None
    win.export(ExportChoice("txt", False, True, blocked / "out.txt"), list(win.model.items))
    wait_for(lambda: bool(win.last_export) or win.last_export_error is not None, 30)
    assert win.last_export_error and not win.last_export
    assert win._error_box.isVisible()
    win._error_box.close()


def test_empty_state_and_about_info(done_window):
    win = done_window
    assert win.list_stack.currentIndex() == 1
    assert "Ready" in win.engine_label.text()
    assert all(act.toolTip() for act in win.acts.values())
    assert all(not act.shortcut().isEmpty() for act in win.acts.values())


def test_low_confidence_characters_highlighted(done_window):
    """Characters the recogniser was unsure of get a background; confident ones do not."""
    from ocr_app.engine import Line, OcrResult

    win = done_window
    item = select(win, "invoice.png")
    real = item.pages[0]
    unsure = Line(box=real.lines[0].box, text="AB", confidence=0.7, char_confidences=[0.99, 0.4])
    win.text_panel.show_result(OcrResult(source="x", lines=[unsure], image_size=real.image_size))
    doc = win.text_panel.editor.document()
    formats = [doc.findBlockByNumber(0).begin()]
    backgrounds = []
    it = formats[0]
    while not it.atEnd():
        frag = it.fragment()
        backgrounds.append((frag.text(), frag.charFormat().background().style() != Qt.BrushStyle.NoBrush))
        it += 1
    assert backgrounds == [("A", False), ("B", True)]
    select(win, "chinese.png")


def test_wheel_zoom_keeps_views_in_sync(done_window, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent

    win = done_window
    select(win, "invoice.png")
    view = win.compare.original
    before = view.zoom()
    centre = QPointF(view.viewport().width() / 2, view.viewport().height() / 2)
    event = QWheelEvent(centre, view.viewport().mapToGlobal(centre), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom() == pytest.approx(before * 1.15**2)
    assert win.compare.processed.zoom() == pytest.approx(view.zoom())
    assert win.compare.zoom_label.text() == f"{view.zoom() * 100:.0f} %"


def test_delete_key_in_editor_never_removes_items(done_window, qtbot):
    win = done_window
    select(win, "invoice.png")
    count = len(win.model.items)
    win.text_panel.editor.setFocus()
    cursor = win.text_panel.editor.textCursor()
    cursor.setPosition(0)
    win.text_panel.editor.setTextCursor(cursor)
    qtbot.keyClick(win.text_panel.editor, Qt.Key.Key_Delete)
    assert len(win.model.items) == count
    item = by_name(win)["invoice.png"]
    assert item.edited[0][0].text == item.pages[0].lines[0].text[1:] and item.edited[0][0].source == 0
    item.edited.clear()


def test_about_dialog_shows_version_and_model(done_window):
    import ocr_app

    win = done_window
    seen = {}

    def grab_and_close():
        box = QApplication.activeModalWidget()
        seen["text"] = box.text() if box is not None else ""
        if box is not None:
            box.close()

    QTimer.singleShot(200, grab_and_close)
    win.acts["about"].trigger()
    assert ocr_app.__version__ in seen["text"]
    assert str(win.engine.info()["rec"]) in seen["text"]


def test_signal_emits_keep_true_alive(done_window):
    """PySide6 6.12 on Python 3.11 loses a reference to True per emit (see qtfix); the
    window's emits must not drain it, or the process aborts later with bool_dealloc."""
    import sys

    view = done_window.compare.original
    before = sys.getrefcount(True)
    for _ in range(300):
        view.fit()  # emits zoom_changed + view_moved, which fan out to the other view
    assert sys.getrefcount(True) - before > -50


def test_ctrl_c_keys_copy_item_or_selected_text(done_window, qtbot):
    win = done_window
    select(win, "chinese.png")
    item = select(win, "invoice.png")
    win.raise_()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)  # shortcuts need it
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    editor = win.text_panel.editor
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.clearSelection()
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == item.text()  # nothing selected: the whole item
    cursor.setPosition(0)
    cursor.setPosition(3, cursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == editor.toPlainText()[:3]  # a selection: just that
