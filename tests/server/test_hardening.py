"""Issue 19's HTTP findings, each reproduced on a raw socket: deadlines for slow clients,
the connection limit and listen backlog, the body budget, Origin / Sec-Fetch-Site, Host,
token bytes, duplicate lengths, methods, nested JSON, and remote binds needing a token."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from urllib.parse import urlsplit

import psutil
import pytest

from ocr_app.server import main, start_server
from tests.server.test_api import call, multipart, png

MB = 1024 * 1024


def raw(handle, request: bytes, timeout: float = 10) -> tuple[int, dict, http.client.HTTPResponse]:
    """Send bytes as they are; parse the reply."""
    u = urlsplit(handle.url)
    with socket.create_connection((u.hostname, u.port), timeout=timeout) as sock:
        sock.sendall(request)
        resp = http.client.HTTPResponse(sock, method=request.split(b" ", 1)[0].decode())
        resp.begin()
        body = resp.read()
    return resp.status, (json.loads(body) if body else {}), resp


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """True once the server has closed the connection (recv gives b"" or a reset)."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionError:
        pass
    return True


# ---- item 8: small protocol holes --------------------------------------------------------


def test_deeply_nested_json_is_400_not_500(server):
    body = b'{"image_base64": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    status, reply, _ = call(server, "POST", "/ocr", body, {"Content-Type": "application/json"})
    assert status == 400 and "nested" in reply["message"]


def test_non_ascii_token_is_compared_as_utf8_bytes(engine):
    token = "pässwörd-密码"
    with start_server(engine, "127.0.0.1", 0, token=token) as handle:
        ok = raw(handle, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                 + token.encode("utf-8") + b"\r\nConnection: close\r\n\r\n")
        wrong = raw(handle, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + token.encode("latin-1", "replace") + b"\r\nConnection: close\r\n\r\n")
    assert ok[0] == 200 and wrong[0] == 401


@pytest.mark.parametrize("lengths", [(b"5", b"5"), (b"5", b"7"), (b"+5",), (b"5 5",)],
                         ids=["same-twice", "different", "signed", "two-numbers"])
def test_duplicate_or_odd_content_length_is_400(server, lengths):
    head = b"".join(b"Content-Length: " + n + b"\r\n" for n in lengths)
    status, reply, resp = raw(server, b"POST /ocr HTTP/1.1\r\nHost: 127.0.0.1\r\n" + head + b"\r\nhello")
    assert status == 400 and "Content-Length" in reply["message"]
    assert resp.getheader("Connection") == "close"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD"])
def test_other_methods_are_405_with_allow(server, method):
    status, _, resp = raw(server, f"{method} /ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    assert status == 405 and resp.getheader("Allow") == "GET, POST"


def test_missing_or_doubled_host_header_is_refused(server):
    assert raw(server, b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n")[0] == 400
    assert raw(server, b"GET /health HTTP/1.0\r\n\r\n")[0] == 400
    assert raw(server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n"
                       b"Connection: close\r\n\r\n")[0] == 400


# ---- item 4: cross-origin requests ------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost:1"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
], ids=["other-site", "null", "other-port", "fetch-cross-site", "fetch-same-site"])
def test_cross_origin_posts_are_refused_before_any_work(server, headers):
    data = png(["Cross origin 66"])
    body, ctype = multipart({"image": ("a.png", data, "image/png")})
    before = server.service.engine.cache.stats()
    for payload, kind in ((body, ctype), (data, "text/plain")):
        status, reply, _ = call(server, "POST", "/ocr", payload, {"Content-Type": kind, **headers})
        assert status == 403 and "refused" in reply["message"]
    assert call(server, "GET", "/health", headers=headers)[0] == 403
    after = server.service.engine.cache.stats()
    assert (after["hits"], after["misses"]) == (before["hits"], before["misses"])  # no timing to read


def test_same_origin_and_non_browser_posts_pass(server):
    data = png(["Same origin 77"])
    own = f"http://127.0.0.1:{server.port}"
    assert call(server, "POST", "/ocr", data, {"Origin": own, "Sec-Fetch-Site": "same-origin"})[0] == 200
    assert call(server, "POST", "/ocr", data, {"Sec-Fetch-Site": "none"})[0] == 200
    assert call(server, "POST", "/ocr", data)[0] == 200  # curl, scripts: no browser headers
    # anyone may link to the page itself
    assert call(server, "GET", "/", headers={"Sec-Fetch-Site": "cross-site"})[0] == 200


def test_configured_cors_origin_passes(engine):
    with start_server(engine, "127.0.0.1", 0, cors_origin="http://localhost:3000") as handle:
        ok = call(handle, "GET", "/health", headers={"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"})
        other = call(handle, "GET", "/health", headers={"Origin": "http://localhost:3001"})
    assert ok[0] == 200 and other[0] == 403


# ---- item 5: remote binds ---------------------------------------------------------------


def test_remote_bind_needs_a_token_and_keeps_the_host_check(engine):
    with pytest.raises(ValueError, match="token"):
        start_server(engine, "0.0.0.0", 0, allow_remote=True)
    with start_server(engine, "0.0.0.0", 0, token="tk", allow_remote=True, host_names=("ocr.lan",)) as handle:
        port = handle.port
        auth = "Authorization: Bearer tk\r\nConnection: close\r\n\r\n"
        rebound = raw(handle, f"GET /health HTTP/1.1\r\nHost: attacker.example:{port}\r\n{auth}".encode())
        named = raw(handle, f"GET /health HTTP/1.1\r\nHost: ocr.lan:{port}\r\n{auth}".encode())
        local = raw(handle, f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}".encode())
        hostname = raw(handle, f"GET /health HTTP/1.1\r\nHost: {socket.gethostname()}\r\n{auth}".encode())
    assert rebound[0] == 403
    assert named[0] == local[0] == hostname[0] == 200


def test_token_file_and_generated_token(tmp_path, capsys):
    from ocr_app.server.serve_command import build_parser, read_token

    path = tmp_path / "token"
    path.write_text("from-a-file\nignored\n")
    assert read_token(build_parser().parse_args(["--token-file", str(path)])) == "from-a-file"
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(SystemExit):
        main(["--token-file", str(tmp_path / "empty")])
    assert "token" in capsys.readouterr().err
    assert build_parser().parse_args(["--allow-remote"]).host is None  # → 0.0.0.0 in main


# ---- item 7 and 3: slow clients, connections, backlog, bodies ---------------------------


def test_trickled_headers_are_cut_at_the_header_deadline(engine):
    with start_server(engine, "127.0.0.1", 0, header_timeout=1.0) as handle, \
            socket.create_connection(("127.0.0.1", handle.port)) as sock:
        started = time.monotonic()
        request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
        cut = False
        for byte in request:  # each byte well inside the per-read timeout
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                cut = True
                break
            time.sleep(0.1)
            if time.monotonic() - started > 4:
                break
        assert cut or closed_within(sock, 3)
        assert time.monotonic() - started < 3.5


def test_stalled_body_gets_408_at_the_body_deadline(engine):
    with start_server(engine, "127.0.0.1", 0, body_timeout=1.0) as handle, \
            socket.create_connection(("127.0.0.1", handle.port), timeout=5) as sock:
        sock.sendall(b"POST /ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n" + b"x" * 10)
        started = time.monotonic()
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        assert resp.status == 408 and time.monotonic() - started < 3


def test_connections_over_the_limit_get_503_at_once(engine):
    with start_server(engine, "127.0.0.1", 0, max_connections=4) as handle:
        idle = [socket.create_connection(("127.0.0.1", handle.port)) for _ in range(4)]
        try:
            time.sleep(0.3)
            status, reply, _ = raw(handle, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout=3)
            assert status == 503 and "connections" in reply["message"]
        finally:
            for sock in idle:
                sock.close()
        time.sleep(0.3)
        assert call(handle, "GET", "/health")[0] == 200


def test_burst_of_connects_waits_for_no_syn_retry(server):
    """A listen backlog of 5 made part of a burst wait a whole SYN retransmit (1 s)."""
    socks, slowest = [], 0.0
    try:
        for _ in range(200):
            started = time.monotonic()
            socks.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
            slowest = max(slowest, time.monotonic() - started)
    finally:
        for sock in socks:
            sock.close()
    assert slowest < 0.9, slowest


def test_stalled_large_uploads_do_not_buffer_and_small_ones_still_pass(engine):
    """12 uploads of 8 MB that stop 0.5 MB short: only `workers` of them are read into
    memory; the rest wait unread, and a small upload is served at once meanwhile."""
    with start_server(engine, "127.0.0.1", 0, max_concurrent=2) as handle:
        known = png(["Small and served 12"])
        assert call(handle, "POST", "/ocr", known)[0] == 200
        payload = memoryview(bytes(8 * MB - MB // 2))  # one buffer for all senders: count the server only
        rss = psutil.Process().memory_info().rss
        socks = []

        def stall() -> None:
            sock = socket.create_connection(("127.0.0.1", handle.port), timeout=3)
            socks.append(sock)
            sock.sendall(b"POST /ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n" % (8 * MB))
            with contextlib.suppress(OSError):  # the server does not read it: the kernel buffers fill
                sock.sendall(payload)

        threads = [threading.Thread(target=stall, daemon=True) for _ in range(12)]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join(10)
            time.sleep(0.5)
            started = time.monotonic()
            assert call(handle, "POST", "/ocr", known)[0] == 200
            assert time.monotonic() - started < 2
            grown = (psutil.Process().memory_info().rss - rss) / MB
            assert grown < 45, f"RSS grew {grown:.0f} MB"  # was ~90 MB: every body buffered
        finally:
            for sock in socks:
                sock.close()
