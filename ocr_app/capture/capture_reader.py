"""Reading captured pixels in the app: the capture engine (capture_engine.py) on its own
pool thread, results by signal.

Its ONNX sessions are the batch engine's (sessions are per model file and process), so it
adds little memory. Its own single-thread pool means a capture never queues behind a batch.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QIODevice, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from ocr_app.gui.qtfix import emit

from .capture_engine import capture_config

if TYPE_CHECKING:  # onnxruntime loads on the pool thread, never on the GUI thread
    import numpy as np

    from ocr_app.engine import Engine, EngineConfig


def to_bgr(image: QImage) -> np.ndarray:
    """QImage → the engine's HxWx3 BGR array (one copy)."""
    import numpy as np

    img = image.convertToFormat(QImage.Format.Format_BGR888)
    h, w, stride = img.height(), img.width(), img.bytesPerLine()
    rows = np.frombuffer(img.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return rows[:, : w * 3].reshape(h, w, 3).copy()


def png_bytes(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


class EngineHolder:
    """Builds the capture engine once per base config, on whichever thread asks first."""

    def __init__(self, base_config: Callable[[], EngineConfig]):
        self.base_config = base_config
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._key: str | None = None

    def get(self) -> Engine:
        from ocr_app.engine import Engine

        config = capture_config(self.base_config())
        key = repr(config)
        with self._lock:
            if self._engine is None or key != self._key:
                self._engine, self._key = Engine(config), key
            return self._engine


class _Signals(QObject):
    done = Signal(int, object)  # request id, OcrResult
    ready = Signal()


class _ReadTask(QRunnable):
    def __init__(self, holder: EngineHolder, request: int, image: QImage | None, name: str, signals: _Signals):
        super().__init__()
        self.holder, self.request, self.image, self.name, self.signals = holder, request, image, name, signals

    def run(self) -> None:
        from ocr_app.engine import OcrResult

        try:
            engine = self.holder.get()
            if self.image is None:  # warm-up only
                emit(self.signals.ready)
                return
            result = engine.run(to_bgr(self.image), name=self.name)
        except Exception as exc:  # models missing, a bug: the user gets the reason, the app lives on
            traceback.print_exc()
            result = OcrResult(source=self.name, error=str(exc) or type(exc).__name__)
        emit(self.signals.done, self.request, result)


class CaptureRecognizer(QObject):
    """`read(image, name)` → request id; `done(id, OcrResult)` arrives on the GUI thread."""

    done = Signal(int, object)
    ready = Signal()

    def __init__(self, base_config: Callable[[], EngineConfig], parent: QObject | None = None):
        super().__init__(parent)
        self.holder = EngineHolder(base_config)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.pool.setExpiryTimeout(-1)  # keep the thread: a new one per capture costs a few ms
        self._signals = _Signals(self)
        self._signals.done.connect(self.done)
        self._signals.ready.connect(self.ready)
        self._next = 0

    def warm_up(self) -> None:
        """Load the engine now so the first capture does not wait for it."""
        self.pool.start(_ReadTask(self.holder, 0, None, "", self._signals))

    def read(self, image: QImage, name: str) -> int:
        self._next += 1
        self.pool.start(_ReadTask(self.holder, self._next, image, name, self._signals))
        return self._next

    def shutdown(self) -> None:
        self.pool.clear()
        self.pool.waitForDone()
