"""Application-level behaviour: startup without models, language, theme, settings, API server."""

from __future__ import annotations

import json
import socket
import urllib.request

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from ocr_app.gui import i18n, theme
from ocr_app.gui.settings import AppSettings

from .conftest import wait_for


def test_missing_models_show_clear_message(qtbot, engine, settings, tmp_path, monkeypatch):
    """The window appears first; a ModelError becomes a message naming the file and the fix."""
    from ocr_app import paths
    from ocr_app.gui.main_window import MainWindow

    missing = engine.info()["rec"]
    broken = tmp_path / "models"
    broken.mkdir()
    for entry in paths.models_dir().iterdir():  # the real models folder, minus the recogniser
        if entry.name != missing:
            (broken / entry.name).symlink_to(entry)
    monkeypatch.setenv("OCR_DESK_MODELS", str(broken))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    assert win.isVisible() and win.engine is None
    qtbot.waitUntil(lambda: win.engine_error is not None, timeout=20000)
    assert "provision" in win.engine_error and missing in win.engine_error
    assert "Traceback" not in win.engine_error
    assert "Models unavailable" in win.engine_label.text()
    assert win._error_box.isVisible()
    assert "provision" in win._error_box.informativeText()
    win._error_box.close()
    # files can still be queued; they wait for an engine instead of crashing
    win.add_paths([tmp_path / "later.png"])
    assert win.model.items[0].status.value == "queued"


def test_language_switch_to_chinese_and_back(window):
    try:
        assert i18n.install("zh_CN") == "zh_CN"
        QApplication.processEvents()
        assert window.acts["add_files"].text() == "添加文件…"
        assert window.menus["file"].title() == "文件(&F)"
        assert window.model.headerData(0, Qt.Orientation.Horizontal) == "文件"
        assert window.compare.original_title.text() == "原图"
    finally:
        i18n.install("en")
        QApplication.processEvents()
    assert window.acts["add_files"].text() == "Add files…"


def test_dark_mode_switch(window):
    app = QApplication.instance()
    try:
        window.acts["dark"].trigger()
        assert window.settings.theme == "dark" and theme.is_dark()
        assert app.palette().window().color().lightness() < 80
        window.acts["dark"].trigger()
        assert window.settings.theme == "light" and not theme.is_dark()
        assert app.palette().window().color().lightness() > 200
    finally:
        theme.apply(app, "light")


def test_settings_persist_across_restarts(qtbot, engine, tmp_path):
    from ocr_app.gui.main_window import MainWindow

    ini = str(tmp_path / "persist.ini")
    win = MainWindow(AppSettings(QSettings(ini, QSettings.Format.IniFormat)), engine=engine)
    qtbot.addWidget(win)
    win.show()
    win.resize(1111, 777)
    win.compare.set_stage("equalized")
    win.settings.precision = "fp32"
    win.settings.pool_size = 2
    win.settings.set_last_folder("open", str(tmp_path))
    win.close()
    again = AppSettings(QSettings(ini, QSettings.Format.IniFormat))
    assert (again.stage, again.precision, again.pool_size) == ("equalized", "fp32", 2)
    assert again.last_folder("open") == str(tmp_path)
    assert again.engine_threads >= 1
    win2 = MainWindow(again, engine=engine)
    qtbot.addWidget(win2)
    assert win2.compare.stage == "equalized"
    assert again.geometry is not None and win2.restoreGeometry(again.geometry)
    assert win2.runner.pool.maxThreadCount() == 2


def test_local_api_server_start_stop(window, engine):
    url = window.server.start(engine, 0)
    try:
        assert url.startswith("http://127.0.0.1:")
        assert url in window.server_label.text()
        with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=5) as reply:
            assert reply.status == 200
            json.loads(reply.read())
    finally:
        window.server.stop()
    assert window.server.url == "" and window.server_label.text() == ""


def test_settings_dialog_saves_and_controls_server(window, engine):
    from ocr_app.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window, window.settings, window.server, lambda: engine)
    with socket.socket() as probe:  # a port that is free right now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dialog.port.setValue(port)
    dialog._toggle_server()
    try:
        assert window.server.url.rstrip("/").endswith(f":{port}")
        assert "running" in dialog.server_state.text()
        assert dialog.server_button.text() == "Stop"
    finally:
        dialog._toggle_server()
    assert window.server.url == "" and dialog.server_state.text() == "stopped"
    dialog.pool.setValue(2)
    dialog.threads.setValue(1)
    dialog.precision.setCurrentIndex(dialog.precision.findData("fp32"))
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    assert dialog.model_set.findData(engine.info()["set"]) > 0  # sets come from the manifest
    dialog.model_set.setCurrentIndex(dialog.model_set.findData(engine.info()["set"]))
    dialog._save()
    s = window.settings
    assert (s.pool_size, s.engine_threads, s.precision, s.language) == (2, 1, "fp32", "zh_CN")
    assert s.model_set == engine.info()["set"]


def test_export_dialog_keeps_target_consistent(window, tmp_path):
    from ocr_app.gui.export_dialog import ExportDialog

    dialog = ExportDialog(window, str(tmp_path), has_selection=False, count_selected=0, count_all=3)
    assert dialog.all.isChecked() and not dialog.selected.isEnabled()
    dialog.fmt.setCurrentIndex(dialog.fmt.findData("csv"))
    assert dialog.target.text() == str(tmp_path / "ocr-export.csv")
    dialog.per_item.setChecked(True)
    assert dialog.target.text() == str(tmp_path)
    dialog.combined.setChecked(True)
    assert dialog.target.text() == str(tmp_path / "ocr-export.csv")
    dialog.per_item.setChecked(True)
    choice = dialog.choice()
    assert (choice.fmt, choice.combined, choice.selected_only, choice.target) == ("csv", False, False, tmp_path)


def test_changed_precision_loads_new_engine_in_background(window, engine, samples):
    before = window.engine_key()
    window.settings.precision = "fp32" if engine.info()["precision"] == "int8" else "int8"
    window.settings.pool_size = 2
    window.apply_settings(before)
    assert window.runner.pool.maxThreadCount() == 2
    assert window.engine is None and "Loading" in window.engine_label.text()
    window.add_paths([samples["en"]])  # queued meanwhile, run by the new engine
    wait_for(lambda: window.engine is not None and not window.runner.busy, 60)
    assert window.engine is not engine
    assert window.engine.info()["precision"] == window.settings.precision
    assert window.model.items[0].status.value == "done"
