"""Preferences: engine (precision, threads, pool), appearance, language, local API server."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .server_control import ServerControl
from .settings import AppSettings, default_engine_threads, default_threads


def model_sets() -> list[str]:
    """Model sets listed in the manifest (empty when the models are missing)."""
    try:
        from ocr_app.engine.models import model_set_names

        return model_set_names()
    except Exception:
        return []


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
        self.precision.addItem(self.tr("INT8 (fast, default)"), "int8")
        self.precision.addItem(self.tr("FP32 (reference accuracy)"), "fp32")
        self.precision.setCurrentIndex(max(0, self.precision.findData(settings.precision)))
        self.pool = QSpinBox()
        self.pool.setRange(1, 8)
        self.pool.setValue(settings.pool_size)
        self.pool.setToolTip(self.tr("Images processed at the same time. 1–2 is best: each image already uses "
                                     "several cores."))
        self.threads = QSpinBox()
        self.threads.setRange(0, 64)
        self.threads.setSpecialValueText(self.tr("Automatic"))
        self.threads.setValue(settings.engine_threads_raw)
        self.threads.setToolTip(self.tr("Threads per image (0 = physical cores / workers = %1)").replace(
            "%1", str(default_engine_threads(settings.pool_size))))
        engine_box = QGroupBox(self.tr("Recognition"))
        form = QFormLayout(engine_box)
        form.addRow(self.tr("Models:"), self.model_set)
        form.addRow(self.tr("Model precision:"), self.precision)
        form.addRow(self.tr("Parallel images:"), self.pool)
        form.addRow(self.tr("Threads per image:"), self.threads)
        cores = QLabel(self.tr("This computer has %1 physical cores.").replace("%1", str(default_threads())))
        cores.setObjectName("muted")
        form.addRow("", cores)

        self.theme = QComboBox()
        for key, label in (("system", self.tr("Follow system")), ("light", self.tr("Light")),
                           ("dark", self.tr("Dark"))):
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.language = QComboBox()
        for key, label in (("system", self.tr("Follow system")), ("en", "English"), ("zh_CN", "简体中文")):
            self.language.addItem(label, key)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        look_box = QGroupBox(self.tr("Appearance"))
        look = QFormLayout(look_box)
        look.addRow(self.tr("Theme:"), self.theme)
        look.addRow(self.tr("Language:"), self.language)

        self.port = QSpinBox()
        self.port.setRange(1024, 65535)
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

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(engine_box)
        layout.addWidget(look_box)
        layout.addWidget(server_box)
        layout.addWidget(buttons)

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
        s = self.settings
        s.model_set = self.model_set.currentData()
        s.precision = self.precision.currentData()
        s.pool_size = self.pool.value()
        s.engine_threads = self.threads.value()
        s.theme = self.theme.currentData()
        s.language = self.language.currentData()
        s.server_port = self.port.value()
        self.accept()
