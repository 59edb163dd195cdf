"""Start/stop the server in a background thread, for the CLI, the window and the tests."""

from __future__ import annotations

import socket
import socketserver
import sys
import threading
from http.server import ThreadingHTTPServer

from ocr_app.engine import Engine

from .handler import OcrRequestHandler, is_loopback_host
from .limits import (
    BODY_TIMEOUT_S,
    HEADER_TIMEOUT_S,
    IDLE_TIMEOUT_S,
    LISTEN_BACKLOG,
    MAX_CONNECTIONS,
    BodyBudget,
)
from .service import OcrService

DEFAULT_MAX_BODY = 20 * 1024 * 1024
BUSY_REPLY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
              b"Connection: close\r\nContent-Length: 58\r\n\r\n"
              b'{"success": false, "message": "too many open connections"}')
WILDCARDS = frozenset({"0.0.0.0", "::", ""})


def _normal(host: str) -> str:
    return host.strip().strip("[]").lower().rstrip(".")


def own_names(host: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The names a Host header may carry for a server bound to `host`: the address itself,
    or every address of this machine for a wildcard bind, its host names, and `extra`."""
    names = {_normal(host), *(_normal(name) for name in extra)}
    if _normal(host) in WILDCARDS:
        try:
            import psutil

            names |= {_normal(a.address.split("%", 1)[0]) for addrs in psutil.net_if_addrs().values()
                      for a in addrs if a.family in (socket.AF_INET, socket.AF_INET6)}
        except (ImportError, OSError):
            pass
        hostname = socket.gethostname()
        names |= {_normal(hostname), _normal(hostname.split(".", 1)[0])}
    names -= WILDCARDS
    return frozenset(names)


class OcrHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer carrying the shared service and the request policy."""

    daemon_threads = True  # a stuck client never blocks shutdown
    request_queue_size = LISTEN_BACKLOG  # socketserver's 5 made bursts of connects wait 1 s for a SYN retry
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
                 max_body: int, cors_origin: str | None, log_requests: bool,
                 allowed_hosts: frozenset[str] = frozenset(), max_connections: int = MAX_CONNECTIONS,
                 large_bodies: int = 2, header_timeout: float = HEADER_TIMEOUT_S,
                 body_timeout: float = BODY_TIMEOUT_S, idle_timeout: float = IDLE_TIMEOUT_S):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.service = service
        self.token = token or None
        self.max_body = max_body
        self.check_host = True
        self.allowed_hosts = allowed_hosts
        self.cors_origin = cors_origin
        self.log_requests = log_requests
        self.header_timeout, self.body_timeout, self.idle_timeout = header_timeout, body_timeout, idle_timeout
        self.budget = BodyBudget(large_bodies)
        self._connections = threading.BoundedSemaphore(max_connections)
        super().__init__(address, OcrRequestHandler)

    def host_allowed(self, host: str) -> bool:
        return is_loopback_host(host) or _normal(host) in self.allowed_hosts

    def process_request(self, request, client_address) -> None:
        """One thread per connection, up to the limit; past it, a 503 at once and close."""
        if not self._connections.acquire(blocking=False):
            try:
                request.settimeout(0.5)
                request.sendall(BUSY_REPLY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._connections.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()


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
                 cors_origin: str | None = None, log_requests: bool = False, use_text_layer: bool = True,
                 host_names: tuple[str, ...] = (), max_connections: int = MAX_CONNECTIONS,
                 header_timeout: float = HEADER_TIMEOUT_S, body_timeout: float = BODY_TIMEOUT_S,
                 layout: str | None = None) -> ServerHandle:
    """Bind, start serving in a daemon thread, return once listening (port=0 picks a free port).

    Raises ValueError for a non-loopback host without allow_remote or without a token,
    OSError if the port is taken. `host_names` are names besides this machine's addresses
    that clients may use to reach a remote bind (the Host check is always on). `layout` is
    the text layout a request gets when it names none (default: the engine's).
    """
    loopback = is_loopback_host(host)
    if not loopback and not allow_remote:
        raise ValueError(f"refusing to listen on {host}: not a loopback address (use allow_remote)")
    if not loopback and not token:
        raise ValueError(f"refusing to listen on {host} without a token: other machines could use the API")
    service = OcrService(engine, max_concurrent=max_concurrent, use_text_layer=use_text_layer,
                         **({"layout": layout} if layout else {}))
    names = frozenset() if loopback else own_names(host, host_names)
    server = OcrHTTPServer((host, port), service, token=token, max_body=max_body, cors_origin=cors_origin,
                           log_requests=log_requests, allowed_hosts=names,
                           max_connections=max_connections, large_bodies=max_concurrent,
                           header_timeout=header_timeout, body_timeout=body_timeout)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name=f"ocr-server:{server.server_address[1]}", daemon=True)
    thread.start()
    return ServerHandle(server, thread)
