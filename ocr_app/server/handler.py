"""HTTP layer: routing, Host/Origin/token checks, size and time limits, JSON replies.
No OCR logic here.

Checks run cheapest-first and before the body is read: Host (DNS-rebinding guard: only
the configured names), the site a browser says the request comes from (a web page on
another origin may not make a visitor's browser post here; the page at `/` is same-origin),
token, then Content-Length against the size limit, then a place in the body budget
(limits.py). A reply sent without reading the body closes the connection so unread bytes
are never parsed as a new request.
"""

from __future__ import annotations

import contextlib
import hmac
import io
import ipaddress
import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from . import umi
from .limits import IDLE_TIMEOUT_S, DeadlineReader
from .page import PAGE_HTML
from .replies import error_json
from .uploads import HttpError, Upload, extract

if TYPE_CHECKING:
    from .http_server import OcrHTTPServer

MB = 1024 * 1024
DIGITS = re.compile(r"[0-9]{1,19}")
# Browsers name the requesting site; "none" is the user's own action (typed URL, bookmark).
SAME_SITE_FETCH = frozenset({"same-origin", "none"})
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
    timeout = IDLE_TIMEOUT_S  # seconds per socket read or write
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid the 40 ms delayed-ACK stall

    def setup(self) -> None:
        super().setup()
        # Reads go through a deadline: a client trickling one byte per timeout cannot hold a thread forever.
        self.rfile.close()
        self._reader = DeadlineReader(self.connection, self.server.idle_timeout)
        self.rfile = io.BufferedReader(self._reader, 64 * 1024)
        self._release_body = None

    def handle_one_request(self) -> None:
        self._reader.deadline = time.monotonic() + self.server.header_timeout
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):  # client went away mid-reply: nothing to answer
            self.close_connection = True
        finally:
            if self._release_body is not None:  # the body's place in the budget, once replied
                self._release_body()
                self._release_body = None

    def parse_request(self) -> bool:
        self._body_done = False  # per request: one handler serves a whole keep-alive connection
        ok = super().parse_request()
        self._reader.deadline = None  # headers are in; the body has its own deadline
        return ok

    def handle_expect_100(self) -> bool:
        """`Expect: 100-continue` (curl, for big uploads): refuse before the client sends the body."""
        try:
            self._check_host()
            self._check_site()
            self._check_token()
            self._check_length()
        except HttpError as exc:
            self._json(exc.status, error_json(exc.message), exc.headers)
            return False
        return super().handle_expect_100()

    # ---- routes ----------------------------------------------------------------------

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        try:
            self._check_host()
            if path in ("/", "/index.html"):  # any site may link to the page: it is only a page
                self._send(200, PAGE_HTML.encode("utf-8"), "text/html; charset=utf-8")
            elif path == "/health":
                self._check_site()
                self._check_token()
                self._json(200, self.server.service.health())
            elif path == "/api/ocr/get_options":
                self._check_site()
                self._check_token()
                self._json(200, umi.get_options(self.server.service.layout))
            else:
                raise HttpError(404, f"no such endpoint: {path}")
        except HttpError as exc:
            self._json(exc.status, error_json(exc.message), exc.headers)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        try:
            self._check_host()
            if path == "/api/ocr":
                self._umi_ocr()
                return
            if path != "/ocr":
                raise HttpError(404, f"no such endpoint: {path}")
            self._check_site()
            self._check_token()
            layout = parse_qs(url.query).get("layout", [None])[-1]
            body = self._read_body()
            upload = extract(self.headers.get("Content-Type", ""), body)
            del body
            reply = self.server.service.ocr(upload, layout)
        except HttpError as exc:
            self.server.service.count(ok=False)
            self._json(exc.status, error_json(exc.message, exc.kind), exc.headers)
            return
        except Exception as exc:  # a bug must still give the client JSON, and keep the server up
            self.server.service.count(ok=False)
            sys.stderr.write(f"ocr server: internal error on {path}: {exc!r}\n")
            self._json(500, error_json(f"internal error: {type(exc).__name__}"))
            return
        self.server.service.count(ok=True)
        self._json(200, reply)

    def _umi_ocr(self) -> None:
        """Umi-OCR's `POST /api/ocr`: the same checks and limits as /ocr, which answer with
        their HTTP status; what Umi itself reports (bad request, unreadable image, no text)
        is a `code` under HTTP 200, as Umi answers."""
        service = self.server.service
        started = time.time()
        try:
            self._check_site()
            self._check_token()
            body = self._read_body()
            request = umi.parse_request(body, service.layout)
            del body
            got = service.read(Upload(request.data, "", ""))
            reply = umi.reply(got.results, request, got.started, got.ms / 1000)
        except umi.UmiError as exc:
            service.count(ok=False)
            self._json(200, umi.failure(exc.code, exc.message, exc.kind, started))
            return
        except HttpError as exc:
            service.count(ok=False)
            if exc.kind is not None:  # the engine refused the input: Umi's failure code
                self._json(200, umi.failure(umi.code_for(exc.kind), exc.message, exc.kind, started))
            else:  # a refusal that protects the server keeps its status; Umi's fields ride along
                self._json(exc.status, error_json(exc.message) | {"code": exc.status, "data": exc.message},
                           exc.headers)
            return
        except Exception as exc:  # a bug must still answer, and keep the server up
            service.count(ok=False)
            sys.stderr.write(f"ocr server: internal error on /api/ocr: {exc!r}\n")
            self._json(200, umi.failure(umi.CODE_UNKNOWN, f"internal error: {type(exc).__name__}", None, started))
            return
        service.count(ok=True)
        self._json(200, reply)

    def do_OPTIONS(self) -> None:
        """CORS preflight, only answered when the server was started with a CORS origin."""
        if not self.server.cors_origin:
            self._not_allowed()
            return
        self.send_response(204)
        self._cors_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_allowed(self) -> None:
        """405 with the methods there are (501 stays for methods HTTP does not know)."""
        allow = "GET, POST, OPTIONS" if self.server.cors_origin else "GET, POST"
        self._json(405, error_json(f"method {self.command} not allowed"), {"Allow": allow})

    do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_allowed

    # ---- checks ----------------------------------------------------------------------

    def _check_host(self) -> None:
        """DNS-rebinding guard: the Host a browser sends is the name it resolved, so a
        foreign domain pointed at this address is refused; so is a request with no Host."""
        if not self.server.check_host:
            return
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or not hosts[0].strip():
            raise HttpError(400, "exactly one Host header is required")
        if not self.server.host_allowed(_host_of(hosts[0].strip())):
            raise HttpError(403, "Host header names no address of this server (DNS rebinding guard)")

    def _check_site(self) -> None:
        """Refuse what a browser marks as sent by a page from another origin (Origin, or
        Sec-Fetch-Site when there is no Origin); clients without these headers are not
        browsers and pass. The CORS origin the server was started with is let through."""
        origin = (self.headers.get("Origin") or "").strip()
        cors = self.server.cors_origin
        if origin:
            if origin == cors or self._is_own_origin(origin):
                return
            raise HttpError(403, f"cross-origin request refused (Origin: {origin[:100]})")
        site = (self.headers.get("Sec-Fetch-Site") or "").strip().lower()
        if site and site not in SAME_SITE_FETCH:
            raise HttpError(403, f"cross-site request refused (Sec-Fetch-Site: {site[:40]})")

    def _is_own_origin(self, origin: str) -> bool:
        parts = urlsplit(origin)
        host = (self.headers.get("Host") or "").strip().lower()
        return parts.scheme == "http" and bool(host) and parts.netloc.lower() == host

    def _check_token(self) -> None:
        token = self.server.token
        if not token:
            return
        got = self.headers.get("Authorization", "")
        scheme, _, value = got.partition(" ")
        # Header bytes arrive decoded as Latin-1; their raw bytes are what the client sent (UTF-8).
        sent = value.strip().encode("latin-1", "replace")
        if scheme.lower() != "bearer" or not hmac.compare_digest(sent, token.encode("utf-8")):
            raise HttpError(401, "missing or wrong token: send 'Authorization: Bearer <token>'")

    def _check_length(self) -> int:
        """Declared body size, refused (411/400/413) before a byte of the body is read."""
        if "Transfer-Encoding" in self.headers:  # chunked or worse: never guess where the body ends
            raise HttpError(411, "chunked uploads are not supported: send Content-Length")
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return 0
        if len(values) > 1:  # two lengths is the request-smuggling shape: never pick one
            raise HttpError(400, "more than one Content-Length header")
        raw = values[0].strip()
        if not DIGITS.fullmatch(raw):
            raise HttpError(400, f"bad Content-Length: {raw[:40]!r}")
        length = int(raw)
        limit = self.server.max_body
        if length > limit:
            raise HttpError(413, f"upload too large ({length / MB:.1f} MB > {limit / MB:g} MB limit)")
        return length

    def _read_body(self) -> bytes:
        """The body, once it has a place in the budget, within the body deadline."""
        length = self._check_length()
        if not length:
            return b""
        release = self.server.budget.acquire(length, self.server.body_timeout)
        if release is None:
            raise HttpError(503, "server busy: too many uploads at once, try again later",
                            headers={"Retry-After": "5"})
        self._release_body = release
        self._reader.deadline = time.monotonic() + self.server.body_timeout
        try:
            body = self.rfile.read(length)
        except TimeoutError as exc:
            limit = self.server.body_timeout
            raise HttpError(408, f"upload too slow: the body must arrive within {limit:g} s") from exc
        except ConnectionError as exc:
            raise HttpError(400, f"upload interrupted: {exc}") from exc
        finally:
            self._reader.deadline = None
        self._body_done = True
        if len(body) < length:
            raise HttpError(400, f"incomplete upload ({len(body)} of {length} bytes)")
        return body

    # ---- replies ---------------------------------------------------------------------

    def _json(self, status: int, payload: dict, extra: dict[str, str] | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        extra = dict(extra or {})
        if status == 401:
            extra["WWW-Authenticate"] = "Bearer"
        self._send(status, body, "application/json; charset=utf-8", extra)

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        if not getattr(self, "_body_done", False) and self._has_body():
            self.close_connection = True
        self.connection.settimeout(self.server.idle_timeout)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if ctype.startswith("text/html"):
            self.send_header("Content-Security-Policy",
                             "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                             "img-src data: blob:; connect-src 'self'; frame-ancestors 'none'")
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
