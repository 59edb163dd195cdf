"""Preferences: engine (precision, threads, pool), reading switches (post-processors, PDF
text layer), appearance, language, quick capture, local API server.

Choices, ranges and defaults come from the settings schema (`ocr_app.options`); this
dialog only adds the words people read.
"""

from __future__ import annotations

import contextlib
import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ocr_app import options
from ocr_app.options import option

from .qtfix import emit
from .server_control import ServerControl
from .settings import AppSettings, default_engine_threads


def model_sets() -> list[str]:
    """Model sets listed in the manifest (empty when the models are missing)."""
    try:
        from ocr_app.engine import model_set_names

        return model_set_names()
    except Exception:
        return []


def spin_range(name: str) -> tuple[int, int]:
    """A spin box's range: the option's own bounds from the schema."""
    opt = option(name)
    return int(opt.minimum or 0), int(opt.maximum if opt.maximum is not None else 1_000_000)


class PackInstall(QObject):
    """`ocr-desk provision --pack NAME` off the GUI thread: the same fetch, checksums and
    extraction (tooling/packs.py), reported back as `done(error or "")`."""

    done = Signal(str)

    def start(self, pack: str) -> None:
        threading.Thread(target=self._run, args=(pack,), name=f"pack-{pack}", daemon=True).start()

    def _run(self, pack: str) -> None:
        error = ""
        try:
            from ocr_app.tooling import packs

            packs.install(pack)
        except Exception as exc:  # PackError, a full disk, no network: said in the dialog
            error = str(exc) or type(exc).__name__
        # RuntimeError: the dialog was closed meanwhile; the pack is installed (or not) all the same
        with contextlib.suppress(RuntimeError):
            emit(self.done, error)


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None, settings: AppSettings, server: ServerControl, engine_getter):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(480)
        self.settings, self.server, self.engine_getter = settings, server, engine_getter

        self.model_set = QComboBox()
        self.model_set.addItem(self.tr("Default"), "")
        for name in model_sets():
            self.model_set.addItem(name, name)
        self.model_set.setCurrentIndex(max(0, self.model_set.findData(settings.model_set)))
        self.model_set.setToolTip(self.tr("Recognition models to use (installed under models/)"))
        self.precision = QComboBox()
        precision_labels = {"int8": self.tr("INT8 (fast, default)"), "fp32": self.tr("FP32 (reference accuracy)")}
        for key in option("precision").choices or ():
            self.precision.addItem(precision_labels.get(key, key.upper()), key)
        self.precision.setCurrentIndex(max(0, self.precision.findData(settings.precision)))
        self._precision_labels = precision_labels
        self.get_fp32 = QPushButton(self.tr("Add FP32 models…"))
        self.get_fp32.setToolTip(self.tr("Download the optional FP32 recogniser (about 27 MB) and check it"))
        self.get_fp32.clicked.connect(self._install_fp32)
        self.get_fp32.setVisible(False)
        self._pack = PackInstall(self)
        self._pack.done.connect(self._fp32_installed)
        self._mark_installed_precisions()
        self.model_set.currentIndexChanged.connect(self._mark_installed_precisions)
        self.pool = QSpinBox()
        self.pool.setRange(*spin_range("pool_size"))
        self.pool.setValue(settings.pool_size)
        self.pool.setToolTip(self.tr("Images processed at the same time. 1–2 is best: each image already uses "
                                     "several cores."))
        self.threads = QSpinBox()
        self.threads.setRange(*spin_range("threads"))
        self.threads.setSpecialValueText(self.tr("Automatic"))
        self.threads.setValue(settings.engine_threads_raw)
        self.threads.setToolTip(self.tr("Threads per image (0 = physical cores / workers = %1)").replace(
            "%1", str(default_engine_threads(settings.pool_size))))
        engine_box = QGroupBox(self.tr("Recognition"))
        form = QFormLayout(engine_box)
        form.addRow(self.tr("Models:"), self.model_set)
        precision_row = QHBoxLayout()
        precision_row.addWidget(self.precision, 1)
        precision_row.addWidget(self.get_fp32)
        form.addRow(self.tr("Model precision:"), precision_row)
        form.addRow(self.tr("Parallel images:"), self.pool)
        form.addRow(self.tr("Threads per image:"), self.threads)
        cores = QLabel(self.tr("This computer has %1 physical cores.").replace("%1", str(options.physical_cores())))
        cores.setObjectName("muted")
        form.addRow("", cores)

        self.theme = QComboBox()
        theme_labels = {"system": self.tr("Follow system"), "light": self.tr("Light"), "dark": self.tr("Dark")}
        for key in options.THEMES:
            self.theme.addItem(theme_labels.get(key, key), key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.language = QComboBox()
        language_labels = {"system": self.tr("Follow system"), "en": "English", "zh_CN": "简体中文"}
        for key in options.LANGUAGES:
            self.language.addItem(language_labels.get(key, key), key)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        look_box = QGroupBox(self.tr("Appearance"))
        look = QFormLayout(look_box)
        look.addRow(self.tr("Theme:"), self.theme)
        look.addRow(self.tr("Language:"), self.language)

        self.port = QSpinBox()
        self.port.setRange(*spin_range("port"))
        self.port.setSpecialValueText(self.tr("Any free port"))
        self.port.setValue(settings.server_port)
        self.server_button = QPushButton()
        self.server_button.clicked.connect(self._toggle_server)
        self.server_state = QLabel()
        self.server_state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        server_box = QGroupBox(self.tr("Local API server"))
        server_form = QFormLayout(server_box)
        row = QHBoxLayout()
        row.addWidget(self.port)
        row.addWidget(self.server_button)
        server_form.addRow(self.tr("Port (loopback only):"), row)
        server_form.addRow(self.tr("Status:"), self.server_state)
        self._show_server_state()

        reading_box = self._reading_box()
        capture_box = self._capture_box(parent)
        history_box = self._history_box(parent)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(engine_box)
        layout.addWidget(reading_box)
        layout.addWidget(look_box)
        layout.addWidget(capture_box)
        layout.addWidget(history_box)
        layout.addWidget(server_box)
        layout.addWidget(buttons)

    def _mark_installed_precisions(self) -> None:
        """A precision whose models are not on disk (the bundle ships INT8; FP32 is an optional pack)
        stays listed but cannot be chosen, and says how to add it; a choice that is not installed falls
        back to one that is, so OK never saves a precision the engine cannot load."""
        try:
            from ocr_app.engine import installed_precisions, pack_command

            installed = installed_precisions(self.model_set.currentData() or None)
        except Exception:  # no readable manifest: the window already says the models are missing
            return
        items = self.precision.model()
        for row in range(self.precision.count()):
            key = self.precision.itemData(row)
            item = items.item(row) if hasattr(items, "item") else None
            ready = key in installed
            self.precision.setItemText(row, self._precision_labels.get(key, key.upper()) if ready
                                       else self.tr("%1 (not installed)").replace("%1", key.upper()))
            self.precision.setItemData(row, None if ready else self.tr(
                "Not installed. Add these models with:\n%1").replace("%1", pack_command(key)), Qt.ToolTipRole)
            if item is not None:
                item.setEnabled(ready)
        if installed and self.precision.currentData() not in installed:  # e.g. FP32 chosen before the pack went
            self.precision.setCurrentIndex(self.precision.findData(installed[0]))
        self.get_fp32.setVisible("fp32" not in installed and self.precision.findData("fp32") >= 0)

    def _install_fp32(self) -> None:
        self.get_fp32.setEnabled(False)
        self.get_fp32.setText(self.tr("Downloading…"))
        self._pack.start("fp32")

    def _fp32_installed(self, error: str) -> None:
        self.get_fp32.setEnabled(True)
        self.get_fp32.setText(self.tr("Add FP32 models…"))
        self._mark_installed_precisions()
        if error:
            QMessageBox.warning(self, self.tr("FP32 models not added"), error)
        else:
            self.precision.setCurrentIndex(self.precision.findData("fp32"))

    def _history_box(self, parent: QWidget | None) -> QGroupBox:
        """History (ocr_app/store): on/off, how long, and forgetting it all; it never leaves
        this computer."""
        s = self.settings
        self.keep_history = QCheckBox(self.tr("Keep history: every page read and every edit, searchable later"))
        self.keep_history.setChecked(s.keep_history)
        self.history_days = QSpinBox()
        self.history_days.setRange(*spin_range("history_days"))
        self.history_days.setSpecialValueText(self.tr("Forever"))
        self.history_days.setSuffix(self.tr(" days"))
        self.history_days.setValue(s.history_days)
        forget = QPushButton(self.tr("Forget everything…"))
        self._history = getattr(parent, "history", None)
        forget.setEnabled(self._history is not None)
        forget.clicked.connect(self._forget_history)
        note = QLabel(self.tr("History stays on this computer; nothing is sent anywhere."))
        note.setObjectName("muted")
        box = QGroupBox(self.tr("History"))
        form = QFormLayout(box)
        form.addRow("", self.keep_history)
        form.addRow(self.tr("Keep for:"), self.history_days)
        form.addRow("", forget)
        form.addRow("", note)
        return box

    def _forget_history(self) -> None:
        answer = QMessageBox.question(self, self.tr("Forget everything?"),
                                      self.tr("All stored text, edits and the saved batch are deleted."))
        if answer == QMessageBox.StandardButton.Yes and self._history is not None:
            self._history.forget_all()
            self._history.flush()

    def _reading_box(self) -> QGroupBox:
        """How pages are read: the PDF text layer, the classifier, page flattening, the
        post-processors (each a switch in the schema, in the order they run) and the
        confidence below which lines are dropped."""
        labels = {
            "use_text_layer": self.tr("Use a born-digital PDF's own text instead of OCR"),
            "use_cls": self.tr("Turn upside-down lines (angle classifier)"),
            "orient_pages": self.tr("Turn pages that lie sideways upright"),
            "flatten_pages": self.tr("Flatten photographed pages (perspective correction)"),
            "dewarp_pages": self.tr("Unbend curled or folded page photos (dewarp pack)"),
            "amounts": self.tr("Repair money amounts"),
            "spacing": self.tr("Add word spaces where the ink shows a gap"),
            "glyphs": self.tr("Find free-standing colons and lone digits"),
            "script": self.tr("One Chinese script per page (Simplified where clear)"),
            "words": self.tr("Highlight less the Chinese characters that form a word"),
            "split": self.tr("Split lines at gaps as wide as a column gutter"),
            "page": self.tr("Highlight less the words the page reads surely elsewhere"),
            "codes": self.tr("Also read QR codes and barcodes"),
        }
        self.switches: dict[str, QCheckBox] = {}
        box = QGroupBox(self.tr("Reading"))
        form = QFormLayout(box)
        for name in ("use_text_layer", "use_cls", "orient_pages", "flatten_pages", "dewarp_pages",
                     *options.POST_ORDER):
            check = QCheckBox(labels.get(name, option(name).help))
            check.setChecked(bool(self.settings.get(name)))
            check.setToolTip(option(name).help)
            self.switches[name] = check
            if name == "dewarp_pages":
                form.addRow("", self._dewarp_row(check))
            else:
                form.addRow("", check)
        conf = option("min_confidence")
        self.min_confidence = QDoubleSpinBox()
        self.min_confidence.setRange(conf.minimum or 0.0, conf.maximum or 1.0)
        self.min_confidence.setSingleStep(0.05)
        self.min_confidence.setDecimals(2)
        self.min_confidence.setValue(self.settings.min_confidence)
        form.addRow(self.tr("Drop lines below confidence:"), self.min_confidence)
        return box

    def _dewarp_row(self, check: QCheckBox) -> QWidget:
        """The dewarp switch, with the button that adds its pack while it is not installed."""
        self.get_dewarp = QPushButton(self.tr("Add dewarp pack…"))
        self.get_dewarp.setToolTip(self.tr("Download UVDoc's page-dewarping model (55 MB download, 32 MB on "
                                           "disk), check and convert it"))
        self.get_dewarp.clicked.connect(self._install_dewarp)
        self._dewarp_pack = PackInstall(self)
        self._dewarp_pack.done.connect(self._dewarp_installed)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(check, 1)
        line.addWidget(self.get_dewarp)
        self._mark_dewarp()
        return row

    def _mark_dewarp(self) -> None:
        """The switch works only with the pack on disk; without it, it is off and says how to add it."""
        from ocr_app.engine import dewarp_installed, pack_command

        ready = dewarp_installed()
        check = self.switches["dewarp_pages"]
        check.setEnabled(ready)
        if not ready:
            check.setChecked(False)
            check.setToolTip(self.tr("Not installed. Add the pack with the button or with:\n%1").replace(
                "%1", pack_command("dewarp")))
        else:
            check.setToolTip(option("dewarp_pages").help)
        self.get_dewarp.setVisible(not ready)

    def _install_dewarp(self) -> None:
        self.get_dewarp.setEnabled(False)
        self.get_dewarp.setText(self.tr("Downloading…"))
        self._dewarp_pack.start("dewarp")

    def _dewarp_installed(self, error: str) -> None:
        self.get_dewarp.setEnabled(True)
        self.get_dewarp.setText(self.tr("Add dewarp pack…"))
        self._mark_dewarp()
        if error:
            QMessageBox.warning(self, self.tr("Dewarp pack not added"), error)
        else:
            self.switches["dewarp_pages"].setChecked(True)

    def _capture_box(self, parent: QWidget | None) -> QGroupBox:
        """Quick capture: the global shortcut (taken on OK, so a key another program holds is
        reported here), tray behaviour, batch list, start with the system."""
        from ocr_app.capture import autostart
        from ocr_app.capture.hotkey import GlobalHotkey
        from ocr_app.capture.tray import Tray

        s = self.settings
        self.capture = getattr(parent, "quick_capture", None)  # set by app.py; None in a bare window
        self.hotkey = QKeySequenceEdit(QKeySequence(s.hotkey, QKeySequence.SequenceFormat.PortableText))
        self.hotkey.setMaximumSequenceLength(1)
        self.hotkey.setClearButtonEnabled(True)
        self.hotkey.setToolTip(self.tr("Press the keys to use anywhere for a capture; clear to use none"))
        self.hotkey_state = QLabel()
        self.hotkey_state.setObjectName("muted")
        self.hotkey_state.setWordWrap(True)
        self.hotkey_state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = GlobalHotkey.platform_note()
        if note:
            self.hotkey.setEnabled(False)
            self.hotkey_state.setText(note)
        elif self.capture is not None and self.capture.hotkey_error:
            self.hotkey_state.setText(self.capture.hotkey_error)
        elif self.capture is not None and self.capture.hotkey.active:
            self.hotkey_state.setText(self.tr("Active: works in every program"))
        self.hotkey_state.setVisible(bool(self.hotkey_state.text()))

        self.keep_in_tray = QCheckBox(self.tr("Closing the window keeps OCR Desk in the tray"))
        self.keep_in_tray.setChecked(s.keep_in_tray)
        self.start_minimised = QCheckBox(self.tr("Start minimised to the tray"))
        self.start_minimised.setChecked(s.start_minimised)
        if not Tray.available():
            for box in (self.keep_in_tray, self.start_minimised):
                box.setEnabled(False)
                box.setToolTip(self.tr("This desktop has no system tray"))
        self.add_captures = QCheckBox(self.tr("Add captures to the batch list"))
        self.add_captures.setChecked(s.add_captures)
        self.autostart = QCheckBox(self.tr("Start OCR Desk when I log in"))
        self.autostart.setChecked(autostart.supported() and autostart.enabled())
        self.autostart.setEnabled(autostart.supported())
        if not autostart.supported():
            self.autostart.setToolTip(self.tr("Add OCR Desk under System Settings → General → Login Items"))

        box = QGroupBox(self.tr("Quick capture"))
        form = QFormLayout(box)
        form.addRow(self.tr("Global shortcut:"), self.hotkey)
        form.addRow("", self.hotkey_state)
        for check in (self.add_captures, self.keep_in_tray, self.start_minimised, self.autostart):
            form.addRow("", check)
        return box

    def _save_capture(self) -> bool:
        """False (and the reason shown) when the shortcut cannot be had."""
        from ocr_app.capture import autostart

        s = self.settings
        sequence = self.hotkey.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
        if self.hotkey.isEnabled() and self.capture is not None and (
                sequence != s.hotkey or self.capture.hotkey_error):
            error = self.capture.set_hotkey(sequence)
            if error:
                self.hotkey_state.setText(error)
                self.hotkey_state.setVisible(True)
                self.hotkey.setFocus()
                return False
        s.hotkey = sequence
        s.keep_in_tray = self.keep_in_tray.isChecked()
        s.start_minimised = self.start_minimised.isChecked()
        s.add_captures = self.add_captures.isChecked()
        if autostart.supported() and self.autostart.isChecked() != autostart.enabled():
            try:
                autostart.set_enabled(self.autostart.isChecked())
            except OSError as exc:
                QMessageBox.warning(self, self.tr("Start with the system"), str(exc))
        return True

    def _show_server_state(self) -> None:
        available = ServerControl.available()
        url = self.server.url
        self.server_button.setEnabled(available and self.engine_getter() is not None)
        self.server_button.setText(self.tr("Stop") if url else self.tr("Start"))
        if not available:
            self.server_state.setText(self.tr("not available in this build"))
        elif url:
            self.server_state.setText(self.tr("running at %1").replace("%1", f'<a href="{url}">{url}</a>'))
            self.server_state.setOpenExternalLinks(True)
        else:
            self.server_state.setText(self.tr("stopped"))
        self.port.setEnabled(not url)

    def _toggle_server(self) -> None:
        if self.server.url:
            self.server.stop()
        else:
            try:
                self.server.start(self.engine_getter(), self.port.value())
                self.settings.server_port = self.port.value()
            except Exception as exc:
                QMessageBox.warning(self, self.tr("Local API server"),
                                    self.tr("The server could not start: %1").replace("%1", str(exc)))
        self._show_server_state()

    def _save(self) -> None:
        if not self._save_capture():
            return
        s = self.settings
        s.model_set = self.model_set.currentData()
        s.precision = self.precision.currentData()
        s.pool_size = self.pool.value()
        s.engine_threads = self.threads.value()
        for name, check in self.switches.items():
            s.set(name, check.isChecked())
        s.min_confidence = self.min_confidence.value()
        s.theme = self.theme.currentData()
        s.language = self.language.currentData()
        s.server_port = self.port.value()
        s.keep_history = self.keep_history.isChecked()
        s.history_days = self.history_days.value()
        self.accept()
