"""User preferences persisted with QSettings, read and written through the one settings
schema (`ocr_app.options.OPTIONS`): keys, types, defaults, choices and ranges are declared
there once, for the CLI, the server and this window alike. Window geometry and the last
folders used are not user options, so they stay plain keys here.

Defaults avoid oversubscribing the CPU: a pool of 1–2 workers, each engine call using
physical cores / pool threads, since ONNX Runtime already parallelises one image.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from ocr_app import options
from ocr_app.options import CLI, GUI, OPTIONS, option


def default_engine_threads(pool: int | None = None) -> int:
    """Threads per image when the user chose "automatic": the cores shared by the pool."""
    return max(1, options.physical_cores() // (pool or options.default_pool_size()))


def engine_option_names() -> tuple[str, ...]:
    """The options an Engine is built from: the engine group's options the CLI has too
    (the window's pool size is in that group for its old key, but is not the engine's)."""
    return tuple(o.name for o in OPTIONS if o.group == "engine" and CLI in o.scopes)


class Setting:
    """A property of AppSettings backed by one schema option (read coerced, written coerced)."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, obj: AppSettings | None, owner: type | None = None) -> Any:
        return self if obj is None else obj.get(self.name)

    def __set__(self, obj: AppSettings, value: Any) -> None:
        obj.set(self.name, value)


class AppSettings:
    """Typed access to the QSettings store; every value is the schema's type, and a missing
    or unusable stored value reads as the schema's default."""

    def __init__(self, store: QSettings | None = None):
        self.store = store or QSettings()

    def get(self, name: str) -> Any:
        opt = option(name)
        raw = self.store.value(opt.key)
        return opt.default_value() if raw is None else opt.coerce(raw)

    def set(self, name: str, value: Any) -> None:
        opt = option(name)
        self.store.setValue(opt.key, opt.coerce(value))

    def values(self) -> dict[str, Any]:
        """Every option the window has, by name."""
        return {o.name: self.get(o.name) for o in OPTIONS if GUI in o.scopes}

    def engine_values(self) -> dict[str, Any]:
        """What `options.engine_config` takes, with "automatic" threads resolved for the pool."""
        values = {name: self.get(name) for name in engine_option_names()}
        values["threads"] = self.engine_threads
        return values

    # engine (and its post-processors) and how files are read
    model_set = Setting("model_set")
    precision = Setting("precision")
    use_cls = Setting("use_cls")
    flatten_pages = Setting("flatten_pages")
    dewarp_pages = Setting("dewarp_pages")
    min_confidence = Setting("min_confidence")
    amounts = Setting("amounts")
    spacing = Setting("spacing")
    glyphs = Setting("glyphs")
    script = Setting("script")
    codes = Setting("codes")
    use_text_layer = Setting("use_text_layer")
    pool_size = Setting("pool_size")
    engine_threads_raw = Setting("threads")  # 0: automatic

    @property
    def engine_threads(self) -> int:
        """0 in the store means "automatic" (physical cores / pool)."""
        value = self.get("threads")
        return value if value > 0 else default_engine_threads(self.pool_size)

    @engine_threads.setter
    def engine_threads(self, value: int) -> None:
        self.set("threads", value)

    # view
    stage = Setting("stage")
    theme = Setting("theme")
    language = Setting("language")

    # server
    server_port = Setting("port")

    # quick capture (ocr_app/capture)
    hotkey = Setting("hotkey")  # global capture shortcut in Qt's portable form; "" = none
    keep_in_tray = Setting("keep_in_tray")  # closing the window leaves OCR Desk running in the tray
    add_captures = Setting("add_captures")  # captures also join the batch list
    start_minimised = Setting("start_minimised")

    # history (ocr_app/store)
    keep_history = Setting("keep_history")
    history_days = Setting("history_days")
    layout = Setting("layout")  # text layout mode of the text panel, Copy and Export

    # not user options: folders and window
    def last_folder(self, kind: str) -> str:
        value = self.store.value(f"folders/{kind}", "")
        return value if isinstance(value, str) else ""

    def set_last_folder(self, kind: str, folder: str) -> None:
        self.store.setValue(f"folders/{kind}", folder)

    @property
    def geometry(self) -> QByteArray | None:
        value = self.store.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self.store.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        value = self.store.value("window/state")
        return value if isinstance(value, QByteArray) else None

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self.store.setValue("window/state", value)

    def sync(self) -> None:
        self.store.sync()
