"""User preferences persisted with QSettings, with defaults that fit the machine.

Defaults avoid oversubscribing the CPU: a pool of 1–2 workers, each engine call using
physical cores / pool threads, since ONNX Runtime already parallelises one image.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QSettings

STAGES = ("gray", "equalized", "binary", "flattened")
THEMES = ("system", "light", "dark")
LANGUAGES = ("system", "en", "zh_CN")


def default_threads() -> int:
    """Physical cores (what the engine uses by default); psutil is cheap to import, onnxruntime is not."""
    try:
        import psutil

        return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except ImportError:
        return max(1, os.cpu_count() or 1)


def default_pool_size() -> int:
    return 1 if default_threads() <= 2 else 2


def default_engine_threads(pool: int | None = None) -> int:
    return max(1, default_threads() // (pool or default_pool_size()))


class AppSettings:
    """Typed access to the QSettings store; every getter has a sane default."""

    def __init__(self, store: QSettings | None = None):
        self.store = store or QSettings()

    def _get(self, key: str, default, kind=str):
        value = self.store.value(key, default)
        try:
            if kind is bool:
                return value in (True, "true", "1", 1)
            return kind(value)
        except (TypeError, ValueError):
            return default

    def _set(self, key: str, value) -> None:
        self.store.setValue(key, value)

    # engine
    @property
    def precision(self) -> str:
        value = self._get("engine/precision", "int8")
        return value if value in ("int8", "fp32") else "int8"

    @precision.setter
    def precision(self, value: str) -> None:
        self._set("engine/precision", value)

    @property
    def model_set(self) -> str:
        return self._get("engine/model_set", "")

    @model_set.setter
    def model_set(self, value: str) -> None:
        self._set("engine/model_set", value)

    @property
    def pool_size(self) -> int:
        return max(1, min(8, self._get("engine/pool_size", default_pool_size(), int)))

    @pool_size.setter
    def pool_size(self, value: int) -> None:
        self._set("engine/pool_size", int(value))

    @property
    def engine_threads(self) -> int:
        """0 in the store means "automatic" (physical cores / pool)."""
        value = self._get("engine/threads", 0, int)
        return value if value > 0 else default_engine_threads(self.pool_size)

    @property
    def engine_threads_raw(self) -> int:
        return self._get("engine/threads", 0, int)

    @engine_threads.setter
    def engine_threads(self, value: int) -> None:
        self._set("engine/threads", int(value))

    # view
    @property
    def stage(self) -> str:
        value = self._get("view/stage", "binary")
        return value if value in STAGES else "binary"

    @stage.setter
    def stage(self, value: str) -> None:
        self._set("view/stage", value)

    @property
    def theme(self) -> str:
        value = self._get("view/theme", "system")
        return value if value in THEMES else "system"

    @theme.setter
    def theme(self, value: str) -> None:
        self._set("view/theme", value)

    @property
    def language(self) -> str:
        value = self._get("view/language", "system")
        return value if value in LANGUAGES else "system"

    @language.setter
    def language(self, value: str) -> None:
        self._set("view/language", value)

    # folders and window
    def last_folder(self, kind: str) -> str:
        return self._get(f"folders/{kind}", "")

    def set_last_folder(self, kind: str, folder: str) -> None:
        self._set(f"folders/{kind}", folder)

    @property
    def geometry(self) -> QByteArray | None:
        value = self.store.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._set("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        value = self.store.value("window/state")
        return value if isinstance(value, QByteArray) else None

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._set("window/state", value)

    # server
    @property
    def server_port(self) -> int:
        return self._get("server/port", 8000, int)

    @server_port.setter
    def server_port(self, value: int) -> None:
        self._set("server/port", int(value))

    # quick capture (ocr_app/capture); declared in ocr_app/options.py, group "capture"
    def _option(self, name: str):
        from ocr_app.options import option

        opt = option(name)
        return opt.coerce(self.store.value(opt.key, opt.default_value()))

    def _set_option(self, name: str, value) -> None:
        from ocr_app.options import option

        opt = option(name)
        self._set(opt.key, opt.coerce(value))

    @property
    def hotkey(self) -> str:
        """Global capture shortcut in Qt's portable form; "" = none."""
        return self._option("hotkey")

    @hotkey.setter
    def hotkey(self, value: str) -> None:
        self._set_option("hotkey", value)

    @property
    def keep_in_tray(self) -> bool:
        """Closing the window leaves OCR Desk running in the tray (where there is one)."""
        return self._option("keep_in_tray")

    @keep_in_tray.setter
    def keep_in_tray(self, value: bool) -> None:
        self._set_option("keep_in_tray", value)

    @property
    def add_captures(self) -> bool:
        """Captures also join the batch list (to edit or export them later)."""
        return self._option("add_captures")

    @add_captures.setter
    def add_captures(self, value: bool) -> None:
        self._set_option("add_captures", value)

    @property
    def start_minimised(self) -> bool:
        return self._option("start_minimised")

    @start_minimised.setter
    def start_minimised(self, value: bool) -> None:
        self._set_option("start_minimised", value)

    def sync(self) -> None:
        self.store.sync()
