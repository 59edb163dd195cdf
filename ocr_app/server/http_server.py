"""Start/stop the server in a background thread, for the CLI, the window and the tests."""

from __future__ import annotations

import socket
import socketserver
import sys
import threading
from http.server import ThreadingHTTPServer

from ocr_app.engine import Engine

from .handler import OcrRequestHandler, is_loopback_host
from .service import OcrService

DEFAULT_MAX_BODY = 20 * 1024 * 1024


class OcrHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer carrying the shared service and the request policy."""

    daemon_threads = True  # a stuck client never blocks shutdown
    # On Windows SO_REUSEADDR lets a second process bind the same port: use exclusive use instead.
    allow_reuse_address = sys.platform != "win32"

    def server_bind(self) -> None:
        if sys.platform == "win32" and hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        # HTTPServer.server_bind would also call socket.getfqdn(), a reverse-DNS lookup that can
        # stall for seconds on badly configured machines; the name is never used here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def __init__(self, address: tuple[str, int], service: OcrService, *, token: str | None,
                 max_body: int, check_host: bool, cors_origin: str | None, log_requests: bool):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.service = service
        self.token = token or None
        self.max_body = max_body
        self.check_host = check_host
        self.cors_origin = cors_origin
        self.log_requests = log_requests
        super().__init__(address, OcrRequestHandler)


class ServerHandle:
    """A running server: `url`, `running`, `stop()`; also a context manager."""

    def __init__(self, server: OcrHTTPServer, thread: threading.Thread):
        self._server = server
        self._thread = thread
        host, port = server.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        self.host, self.port = host, port
        self.url = f"http://{shown}:{port}"

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def service(self) -> OcrService:
        return self._server.service

    def stop(self, timeout: float = 2.0) -> None:
        """Stop accepting, close the socket, join the serving thread (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_server(engine: Engine, host: str = "127.0.0.1", port: int = 8000, token: str | None = None, *,
                 allow_remote: bool = False, max_body: int = DEFAULT_MAX_BODY, max_concurrent: int = 2,
                 cors_origin: str | None = None, log_requests: bool = False,
                 use_text_layer: bool = True) -> ServerHandle:
    """Bind, start serving in a daemon thread, return once listening (port=0 picks a free port).

    Raises ValueError for a non-loopback host without allow_remote, OSError if the port is taken.
    """
    loopback = is_loopback_host(host)
    if not loopback and not allow_remote:
        raise ValueError(f"refusing to listen on {host}: not a loopback address (use allow_remote)")
    service = OcrService(engine, max_concurrent=max_concurrent, use_text_layer=use_text_layer)
    server = OcrHTTPServer((host, port), service, token=token, max_body=max_body, check_host=loopback,
                           cors_origin=cors_origin, log_requests=log_requests)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name=f"ocr-server:{server.server_address[1]}", daemon=True)
    thread.start()
    return ServerHandle(server, thread)
