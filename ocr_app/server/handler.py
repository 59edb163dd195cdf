"""HTTP layer: routing, token, Host check, size limit, JSON replies. No OCR logic here.

Checks run cheapest-first and before the body is read: Host (DNS-rebinding guard on a
loopback bind), token, then Content-Length against the size limit. A reply sent without
reading the body closes the connection so unread bytes are never parsed as a new request.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import sys
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .page import PAGE_HTML
from .replies import error_json
from .uploads import HttpError, extract

if TYPE_CHECKING:
    from .http_server import OcrHTTPServer

MB = 1024 * 1024
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


def is_loopback_host(host: str) -> bool:
    """True for names/addresses that can only reach this machine."""
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_of(header: str) -> str:
    """'127.0.0.1:8000' / '[::1]:8000' / 'localhost' → the host part."""
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class OcrRequestHandler(BaseHTTPRequestHandler):
    server: OcrHTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive: scripts sending many images reuse one connection
    server_version = "OCRDesk"
    timeout = 30  # seconds per socket read: a stalled client cannot hold a thread forever
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid the 40 ms delayed-ACK stall

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):  # client went away mid-reply: nothing to answer
            self.close_connection = True

    def parse_request(self) -> bool:
        self._body_done = False  # per request: one handler serves a whole keep-alive connection
        return super().parse_request()

    def handle_expect_100(self) -> bool:
        """`Expect: 100-continue` (curl, for big uploads): refuse before the client sends the body."""
        try:
            self._check_host()
            self._check_token()
            self._check_length()
        except HttpError as exc:
            self._json(exc.status, error_json(exc.message))
            return False
        return super().handle_expect_100()

    # ---- routes ----------------------------------------------------------------------

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        try:
            self._check_host()
            if path in ("/", "/index.html"):
                self._send(200, PAGE_HTML.encode("utf-8"), "text/html; charset=utf-8")
            elif path == "/health":
                self._check_token()
                self._json(200, self.server.service.health())
            else:
                raise HttpError(404, f"no such endpoint: {path}")
        except HttpError as exc:
            self._json(exc.status, error_json(exc.message))

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        try:
            self._check_host()
            if path != "/ocr":
                raise HttpError(404, f"no such endpoint: {path}")
            self._check_token()
            body = self._read_body()
            upload = extract(self.headers.get("Content-Type", ""), body)
            reply = self.server.service.ocr(upload)
        except HttpError as exc:
            self.server.service.count(ok=False)
            self._json(exc.status, error_json(exc.message, exc.kind))
            return
        except Exception as exc:  # a bug must still give the client JSON, and keep the server up
            self.server.service.count(ok=False)
            sys.stderr.write(f"ocr server: internal error on {path}: {exc!r}\n")
            self._json(500, error_json(f"internal error: {type(exc).__name__}"))
            return
        self.server.service.count(ok=True)
        self._json(200, reply)

    def do_OPTIONS(self) -> None:
        """CORS preflight, only answered when the server was started with a CORS origin."""
        if not self.server.cors_origin:
            self._json(405, error_json("method not allowed"))
            return
        self.send_response(204)
        self._cors_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # ---- checks ----------------------------------------------------------------------

    def _check_host(self) -> None:
        if not self.server.check_host:
            return
        host = self.headers.get("Host")
        if host and not is_loopback_host(_host_of(host)):
            raise HttpError(403, "Host header is not a loopback name (DNS rebinding guard)")

    def _check_token(self) -> None:
        token = self.server.token
        if not token:
            return
        got = self.headers.get("Authorization", "")
        scheme, _, value = got.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            raise HttpError(401, "missing or wrong token: send 'Authorization: Bearer <token>'")

    def _check_length(self) -> int:
        """Declared body size, refused (411/400/413) before a byte of the body is read."""
        if "Transfer-Encoding" in self.headers:  # chunked or worse: never guess where the body ends
            raise HttpError(411, "chunked uploads are not supported: send Content-Length")
        raw = self.headers.get("Content-Length")
        if raw is None:
            return 0
        try:
            length = int(raw)
            if length < 0:
                raise ValueError(raw)
        except ValueError as exc:
            raise HttpError(400, f"bad Content-Length: {raw!r}") from exc
        limit = self.server.max_body
        if length > limit:
            raise HttpError(413, f"upload too large ({length / MB:.1f} MB > {limit / MB:g} MB limit)")
        return length

    def _read_body(self) -> bytes:
        length = self._check_length()
        if not length:
            return b""
        try:
            body = self.rfile.read(length)
        except (TimeoutError, ConnectionError) as exc:
            raise HttpError(400, f"upload interrupted: {exc}") from exc
        self._body_done = True
        if len(body) < length:
            raise HttpError(400, f"incomplete upload ({len(body)} of {length} bytes)")
        return body

    # ---- replies ---------------------------------------------------------------------

    def _json(self, status: int, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        extra = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        self._send(status, body, "application/json; charset=utf-8", extra)

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        if not getattr(self, "_body_done", False) and self._has_body():
            self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if ctype.startswith("text/html"):
            self.send_header("Content-Security-Policy",
                             "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                             "img-src data: blob:; connect-src 'self'")
        self._cors_headers()
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _has_body(self) -> bool:
        headers = getattr(self, "headers", None)
        if headers is None:
            return True  # request could not be parsed: do not trust the connection
        return headers.get("Content-Length", "0").strip() not in ("", "0") or "Transfer-Encoding" in headers

    def _cors_headers(self) -> None:
        if self.server.cors_origin:
            self.send_header("Access-Control-Allow-Origin", self.server.cors_origin)
            self.send_header("Vary", "Origin")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own errors (malformed request line, unknown method) as JSON too."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._json(code, error_json(message or self.responses.get(code, ("error",))[0]))

    def log_message(self, format: str, *args) -> None:
        if self.server.log_requests:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")
