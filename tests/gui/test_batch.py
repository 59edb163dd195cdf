"""Batch behaviour with the real engine: drops, bad input, responsiveness, cancel, close."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ocr_app.gui.items import Status
from tests.imagegen import cer, render_lines, save

from .conftest import EN, EN2, ZH, by_name, drop, wait_idle


def test_drop_files_and_folder_runs_batch(window, samples, qtbot):
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(window.runner.busy))
    timer.start(20)

    shown, hidden = drop(window, [samples["en"], samples["folder"], samples["en"]])
    assert shown and hidden
    names = [it.name for it in window.model.items]
    # the folder is scanned recursively for images only; the duplicate file is ignored
    assert sorted(names) == ["chinese.png", "invoice.png", "notes.jpg"]
    drop(window, [samples["folder"]])  # dropping the same folder again adds nothing
    assert len(window.model.items) == 3
    assert window.toast.isVisible() and "skipped 2" in window.toast.text()

    wait_idle(window)
    timer.stop()
    items = by_name(window)
    assert all(it.status is Status.DONE for it in items.values()), [(i.name, i.error) for i in items.values()]
    assert cer("\n".join(EN), items["invoice.png"].text()) < 0.05
    assert cer("".join(ZH), items["chinese.png"].text()) < 0.05
    assert cer("\n".join(EN2), items["notes.jpg"].text()) < 0.05
    assert items["invoice.png"].lines == 2 and items["invoice.png"].mean_confidence > 0.8
    # the GUI thread kept processing timer events while the workers ran
    assert sum(ticks) >= 5, ticks
    assert window.progress.value() == window.progress.maximum() == 3
    # the model exposes the columns the list shows
    row = window.model.index_of(items["invoice.png"].id).row()
    assert window.model.index(row, 1).data() == "done"
    assert window.model.index(row, 2).data() == "2"


def test_bad_files_fail_and_batch_continues(window, samples):
    window.add_paths([samples["zero"], samples["garbage"], samples["text"], samples["en"]])
    wait_idle(window)
    items = by_name(window)
    assert items["invoice.png"].status is Status.DONE
    for name in ("zero.png", "garbage.jpg", "readme.txt"):
        assert items[name].status is Status.FAILED
        assert items[name].error
    assert "empty" in items["zero.png"].error
    row = window.model.index_of(items["zero.png"].id).row()
    assert window.model.index(row, 1).data().startswith("failed: ")
    assert window.acts["retry"].isEnabled()


def test_cancel_mid_batch_stops_queue(window, tmp_path):
    paths = [save(render_lines([f"Cancel test page {i}", "Queued work"]), tmp_path / f"c{i}.png") for i in range(8)]
    window.add_paths(paths)
    assert len(window.runner.running) <= window.runner.pool.maxThreadCount()  # the rest wait in our queue
    assert window.acts["cancel"].isEnabled()
    window.acts["cancel"].trigger()
    wait_idle(window)
    statuses = [it.status for it in window.model.items]
    assert Status.QUEUED not in statuses and Status.RUNNING not in statuses
    assert statuses.count(Status.CANCELLED) >= 8 - window.runner.pool.maxThreadCount()
    # items that were running finished cleanly
    assert all(s in (Status.DONE, Status.CANCELLED) for s in statuses)
    # retry runs the cancelled ones
    window.acts["retry"].trigger()
    wait_idle(window)
    assert all(it.status is Status.DONE for it in window.model.items)


def test_close_mid_batch_exits_cleanly(qtbot, engine, settings, tmp_path, qtlog):
    from ocr_app.gui.main_window import MainWindow

    win = MainWindow(settings, engine=engine)
    win.show()
    paths = [save(render_lines([f"Closing page {i}"]), tmp_path / f"x{i}.png") for i in range(6)]
    win.add_paths(paths)
    qtbot.waitUntil(lambda: bool(win.runner.running), timeout=10000)
    assert win.close()
    assert win.runner.pool.activeThreadCount() == 0
    assert not win.runner.busy
    assert win.aux_pool.activeThreadCount() == 0
    win.deleteLater()
    QApplication.processEvents()
    assert not [r for r in qtlog.records if "QThread" in r.message]


def test_paste_image_from_clipboard(window):
    img = render_lines(["Pasted screenshot text"])
    from PySide6.QtGui import QImage

    from tests.imagegen import to_bytes

    QGuiApplication.clipboard().setImage(QImage.fromData(to_bytes(img)))
    window.tree.setFocus()
    window.acts["paste"].trigger()
    assert len(window.model.items) == 1
    wait_idle(window)
    item = window.model.items[0]
    assert item.path is None and item.data
    assert item.status is Status.DONE
    assert cer("Pasted screenshot text", item.text()) < 0.1


def test_multi_page_pdf_is_one_item_with_pages(window, tmp_path):
    pages = [render_lines(["First page heading"], width=700), render_lines(["Second page summary"], width=700)]
    pdf = tmp_path / "report.pdf"
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=100)
    window.add_paths([pdf])
    wait_idle(window)
    item = window.model.items[0]
    assert item.document and item.status is Status.DONE, item.error
    top = window.model.index_of(item.id)
    assert window.model.rowCount(top) == 2
    assert window.model.index(1, 0, top).data() == "Page 2"
    assert cer("First page heading", item.page_text(0)) < 0.1
    assert cer("Second page summary", item.page_text(1)) < 0.1
    # selecting a page shows that page
    window.tree.setCurrentIndex(window.model.index(1, 0, top))
    assert window.current() == (item, 1)
    assert cer("Second page summary", window.text_panel.text()) < 0.1


def test_remove_and_clear(window, samples):
    window.add_paths([samples["zero"], samples["garbage"]])
    wait_idle(window)
    window.tree.setCurrentIndex(window.model.index_of(window.model.items[0].id))
    window.acts["remove"].trigger()
    assert [it.name for it in window.model.items] == ["garbage.jpg"]
    window.add_paths([samples["zero"]])  # removed files can be added again
    assert len(window.model.items) == 2
    wait_idle(window)
    window.acts["clear"].trigger()
    assert not window.model.items and window.list_stack.currentIndex() == 0


def test_document_pages_stream_in_and_cancel_stops_between_pages(window, tmp_path):
    pages = [render_lines([f"Streamed page number {i}"], width=600) for i in range(1, 7)]
    pdf = tmp_path / "long.pdf"
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=100)
    seen, cancelled = [], []

    def on_page(item_id):
        item = window.model.get(item_id)
        seen.append((item.status, len(item.pages)))
        if len(seen) == 1 and item.status is Status.RUNNING and not cancelled:
            cancelled.append(True)
            # the first page is readable while the document still runs
            window.tree.setCurrentIndex(window.model.index(0, 0, window.model.index_of(item_id)))
            cancelled.append(window.text_panel.text())
            window.acts["cancel"].trigger()

    window.runner.page_added.connect(on_page)
    window.add_paths([pdf])
    wait_idle(window)
    item = window.model.items[0]
    assert seen[0] == (Status.RUNNING, 1)
    assert cer("Streamed page number 1", cancelled[1]) < 0.1
    assert item.status is Status.CANCELLED and 1 <= len(item.pages) < 6
    assert window.model.rowCount(window.model.index_of(item.id)) == len(item.pages)
    seen.clear()
    window.acts["retry"].trigger()
    wait_idle(window)
    assert [n for _status, n in seen] == [1, 2, 3, 4, 5, 6]  # the retry starts from the first page
    assert item.status is Status.DONE and len(item.pages) == 6
    assert cer("Streamed page number 6", item.page_text(5)) < 0.1


def test_same_file_by_two_names_and_folder_loops_added_once(window, tmp_path):
    folder = tmp_path / "pile"
    folder.mkdir()
    real = folder / "scan.png"
    real.write_bytes(b"")  # fails fast: this test is about the list, not OCR
    (folder / "alias.png").symlink_to(real)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    assert window.add_paths([folder, real, tmp_path / "pile" / ".." / "pile" / "scan.png"]) == 1
    assert [it.name for it in window.model.items] in (["alias.png"], ["scan.png"])
    wait_idle(window)
    window.acts["clear"].trigger()
    assert window.add_paths([real]) == 1  # cleared files can come back
    wait_idle(window)
