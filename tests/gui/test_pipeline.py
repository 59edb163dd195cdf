"""The window on the one pipeline: its runs share the engine's result cache, looking at a
page never runs OCR, settings go through the schema, and Copy all is the TXT export.

Real engine and generated images; `engine.run` calls are counted from the cache's own
counters (every cached run is a hit or a miss), so nothing is mocked."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication

from ocr_app.engine import Origin
from ocr_app.gui.export_dialog import ExportChoice
from ocr_app.gui.items import Status
from ocr_app.options import GUI, OPTIONS
from tests.imagegen import render_lines, save

from .conftest import wait_for, wait_idle


def engine_runs(engine) -> int:
    stats = engine.cache.stats()
    return stats["hits"] + stats["misses"]


def select_page(win, item, page: int) -> None:
    index = win.model.index(page, 0, win.model.index_of(item.id)) if item.document else win.model.index_of(item.id)
    win.tree.setCurrentIndex(index)
    wait_for(lambda: win.detail.shown == (item.id, page) and win.compare.stack.currentIndex() == 1
             and not win.compare.processed.pixmap_item.pixmap().isNull(), 30)


def test_pdf_pages_are_viewed_without_running_ocr(window, engine, tmp_path):
    pages = [render_lines([f"Viewed page {i} of the report"], width=640) for i in range(1, 5)]
    pdf = tmp_path / "viewed.pdf"
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=100)
    window.add_paths([pdf])
    wait_idle(window)
    item = window.model.items[0]
    assert item.status is Status.DONE and len(item.pages) == 4
    runs = engine_runs(engine)
    for page in (0, 3, 1, 2, 0):  # back and forth, past the cached pictures too
        select_page(window, item, page)
        assert window.compare.original.image_size() == item.pages[page].image_size
        for stage in ("gray", "binary", "flattened"):
            window.compare.set_stage(stage)
            assert not window.compare.processed.pixmap_item.pixmap().isNull()
    window.detail.forget()  # pictures dropped: they are made again from the file, still without OCR
    select_page(window, item, 2)
    assert engine_runs(engine) == runs


def test_second_batch_of_the_same_images_is_all_cache_hits(window, engine, tmp_path):
    paths = [save(render_lines([f"Cache round {i}", "Second batch is free"]), tmp_path / f"r{i}.png")
             for i in range(4)]
    window.add_paths(paths)
    wait_idle(window)
    first = {it.name: it.text() for it in window.model.items}
    assert all(it.status is Status.DONE for it in window.model.items)
    assert all(it.pages[0].origin is Origin.OCR for it in window.model.items)
    misses = engine.cache.stats()["misses"]
    window.acts["clear"].trigger()
    window.add_paths(paths)
    wait_idle(window)
    assert engine.cache.stats()["misses"] == misses
    assert all(it.pages[0].origin is Origin.CACHE for it in window.model.items)
    assert {it.name: it.text() for it in window.model.items} == first
    # the window says so, and still shows the picture (made from the file, not the result)
    select_page(window, window.model.items[0], 0)
    assert "from cache" in window.text_panel.timings.text()


def _other_value(opt):
    if opt.choices:
        return next(c for c in opt.choices if c != opt.default_value())
    if opt.kind is bool:
        return not opt.default_value()
    if opt.kind is int:
        return int(opt.maximum if opt.maximum is not None else opt.default_value() + 1)
    if opt.kind is float:
        return 0.75
    return "Ctrl+Alt+P" if opt.name == "hotkey" else "ppocr_v4"


def test_settings_round_trip_through_the_schema(tmp_path):
    from ocr_app.gui.settings import AppSettings

    ini = str(tmp_path / "s.ini")
    fresh = AppSettings(QSettings(ini, QSettings.Format.IniFormat))
    gui = [o for o in OPTIONS if GUI in o.scopes]
    assert {o.name for o in gui} >= {"precision", "pool_size", "stage", "theme", "language", "port", "amounts",
                                     "spacing", "glyphs", "script", "codes", "use_text_layer", "hotkey"}
    assert fresh.values() == {o.name: o.default_value() for o in gui}
    wanted = {o.name: _other_value(o) for o in gui}
    for name, value in wanted.items():
        fresh.set(name, value)
    fresh.sync()
    store = QSettings(ini, QSettings.Format.IniFormat)
    again = AppSettings(store)
    assert again.values() == wanted
    assert all(store.contains(o.key) for o in gui)  # the schema's keys, nothing of our own
    # typed properties are the same values; rubbish in the store reads as the default
    assert (again.precision, again.server_port, again.add_captures) == (
        wanted["precision"], wanted["port"], wanted["add_captures"])
    store.setValue("engine/precision", "fp16")
    store.setValue("engine/pool_size", "lots")
    assert again.precision == "int8" and again.pool_size == OPTIONS[[o.name for o in OPTIONS].index(
        "pool_size")].default_value()


def test_settings_dialog_switches_reach_the_engine_config(window, qtbot):
    from ocr_app.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window, window.settings, window.server, lambda: window.engine)
    qtbot.addWidget(dialog)
    assert [dialog.precision.itemData(i) for i in range(dialog.precision.count())] == ["int8", "fp32"]
    assert set(dialog.switches) == {"use_text_layer", "use_cls", "orient_pages", "flatten_pages", "dewarp_pages",
                                    "amounts", "spacing", "glyphs", "script", "words", "split", "codes", "page"}
    assert all(check.text()[:1].isupper() for check in dialog.switches.values())  # labels, not CLI help
    before = window.engine_key()
    dialog.switches["codes"].setChecked(True)
    dialog.switches["spacing"].setChecked(False)
    dialog.switches["use_text_layer"].setChecked(False)
    dialog.switches["orient_pages"].setChecked(False)
    dialog.switches["page"].setChecked(False)
    dialog._save()
    assert window.settings.codes and not window.settings.spacing and not window.settings.use_text_layer
    config = window.engine_config()
    assert "codes" in config.post and "spacing" not in config.post and "amounts" in config.post
    assert "page" not in config.post
    assert not config.orient_pages
    assert window.engine_key() != before
    for name in ("codes", "spacing", "use_text_layer", "orient_pages", "page"):
        window.settings.set(name, next(o for o in OPTIONS if o.name == name).default_value())
    assert window.engine_key() == before


def test_copy_all_is_the_txt_export(window, tmp_path):
    pages = [render_lines(["Copy page one"], width=600), render_lines(["Copy page two"], width=600)]
    pdf = tmp_path / "two.pdf"
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=100)
    png = save(render_lines(["Single image text"]), tmp_path / "single.png")
    window.add_paths([pdf, png])
    wait_idle(window)
    from ocr_app.export.edits import EditLine

    window.model.items[1].edited[0] = [EditLine("Single image text, edited", 0)]
    window.acts["copy_all"].trigger()
    copied = QGuiApplication.clipboard().text()
    window.last_export, window.last_export_error = [], None
    window.export(ExportChoice("txt", False, True, tmp_path / "all.txt"), list(window.model.items))
    wait_for(lambda: bool(window.last_export) or window.last_export_error is not None, 30)
    exported = (tmp_path / "all.txt").read_text(encoding="utf-8")
    assert copied == exported
    assert "==== two.pdf ====" in copied and "--- Page 2 ---" in copied and "edited" in copied
    # one item copied alone is that item's own TXT export
    window.tree.setCurrentIndex(window.model.index_of(window.model.items[0].id))
    window.tree.setFocus()
    window.acts["copy"].trigger()
    window.export(ExportChoice("txt", False, True, tmp_path / "one.txt"), [window.model.items[0]])
    wait_for(lambda: (tmp_path / "one.txt").exists(), 30)
    assert QGuiApplication.clipboard().text() == (tmp_path / "one.txt").read_text(encoding="utf-8")
