"""Start/stop the local REST API (ocr_app.server) sharing the window's engine."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from . import optional
from .qtfix import emit


class ServerControl(QObject):
    state_changed = Signal(str)  # address when running, "" when stopped

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.handle = None

    @staticmethod
    def available() -> bool:
        server = optional.server()
        return server is not None and hasattr(server, "start_server")

    @property
    def url(self) -> str:
        return self.handle.url if self.handle is not None and getattr(self.handle, "running", True) else ""

    def start(self, engine, port: int) -> str:
        """Returns the address; raises OSError/RuntimeError with a user-facing reason."""
        server = optional.server()
        if server is None:
            raise RuntimeError("the API server is not installed in this build")
        if self.handle is not None:
            return self.url
        self.handle = server.start_server(engine, host="127.0.0.1", port=port)
        emit(self.state_changed, self.url)
        return self.url

    def stop(self) -> None:
        if self.handle is not None:
            try:
                self.handle.stop()
            finally:
                self.handle = None
                emit(self.state_changed, "")
