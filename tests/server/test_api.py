"""REST API end to end: real engine, real generated images, real loopback sockets."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import struct
import threading
import uuid
import zlib
from urllib.parse import urlsplit

import pytest

from ocr_app.server import ServerHandle, main, start_server
from tests.imagegen import cer, render_lines, to_bytes

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def secured(engine):
    handle = start_server(engine, "127.0.0.1", 0, token=TOKEN)
    yield handle
    handle.stop()


def call(handle: ServerHandle, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict | str, http.client.HTTPResponse]:
    u = urlsplit(handle.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        raw = resp.read()
    finally:
        conn.close()
    ctype = resp.getheader("Content-Type", "")
    return resp.status, (json.loads(raw) if ctype.startswith("application/json") else raw.decode()), resp


def multipart(fields: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """{name: (filename, data, content type)} → (body, Content-Type header)."""
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, (filename, data, ctype) in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: {ctype}\r\n\r\n").encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def png(lines: list[str]) -> bytes:
    return to_bytes(render_lines(lines))


def assert_ocr_reply(reply: dict, lines: list[str]) -> None:
    assert reply["success"] is True
    assert cer("".join(lines), "".join(reply["text"])) < 0.1, reply["text"]
    assert len(reply["lines"]) == len(reply["text"])
    for ln, text in zip(reply["lines"], reply["text"], strict=True):
        assert ln["text"] == text
        assert len(ln["box"]) == 4 and all(len(pt) == 2 for pt in ln["box"])
        assert 0.0 < ln["confidence"] <= 1.0
    for key in ("time_cost_ms", "preprocess_time_ms", "model_infer_time_ms"):
        assert isinstance(reply[key], (int, float)) and reply[key] >= 0
    assert isinstance(reply["cached"], bool)


# ---- the three input forms --------------------------------------------------------------


def test_multipart_upload_recognised(server):
    lines = ["Multipart upload 4711", "发票号码 二零二四"]
    body, ctype = multipart({"image": ("scan.png", png(lines), "image/png")})
    status, reply, _ = call(server, "POST", "/ocr", body, {"Content-Type": ctype})
    assert status == 200, reply
    assert_ocr_reply(reply, lines)
    assert reply["cached"] is False
    assert reply["model_infer_time_ms"] > 0


def test_multipart_picks_image_field_among_others(server):
    lines = ["Second field wins 88"]
    body, ctype = multipart({"note": ("a.txt", b"not the image", "text/plain"),
                             "image": ("b.png", png(lines), "image/png")})
    status, reply, _ = call(server, "POST", "/ocr", body, {"Content-Type": ctype})
    assert status == 200, reply
    assert_ocr_reply(reply, lines)


def test_raw_body_upload_recognised(server):
    lines = ["Raw body bytes 2024"]
    status, reply, _ = call(server, "POST", "/ocr", png(lines), {"Content-Type": "image/png"})
    assert status == 200, reply
    assert_ocr_reply(reply, lines)


def test_raw_body_jpeg_without_content_type(server):
    lines = ["JPEG no header 915"]
    data = to_bytes(render_lines(lines).convert("RGB"), "JPEG", quality=92)
    status, reply, _ = call(server, "POST", "/ocr", data)
    assert status == 200, reply
    assert_ocr_reply(reply, lines)


def test_json_base64_upload_recognised(server):
    lines = ["Base64 JSON body 77"]
    payload = json.dumps({"image_base64": base64.b64encode(png(lines)).decode()}).encode()
    status, reply, _ = call(server, "POST", "/ocr", payload, {"Content-Type": "application/json"})
    assert status == 200, reply
    assert_ocr_reply(reply, lines)


def test_json_data_url_accepted(server):
    lines = ["Data URL form 31"]
    url = "data:image/png;base64," + base64.b64encode(png(lines)).decode()
    status, reply, _ = call(server, "POST", "/ocr", json.dumps({"image_base64": url}).encode(),
                            {"Content-Type": "application/json"})
    assert status == 200, reply
    assert_ocr_reply(reply, lines)


# ---- cache ------------------------------------------------------------------------------


def test_repeated_image_answered_from_cache(server):
    lines = ["Cache me twice 5150"]
    data = png(lines)
    before = call(server, "GET", "/health")[1]["cache"]
    s1, first, _ = call(server, "POST", "/ocr", data)
    s2, second, _ = call(server, "POST", "/ocr", data)
    assert (s1, s2) == (200, 200)
    assert first["cached"] is False and second["cached"] is True
    assert second["text"] == first["text"] and second["lines"] == first["lines"]
    assert second["model_infer_time_ms"] == 0.0
    after = call(server, "GET", "/health")[1]["cache"]
    assert after["hits"] == before["hits"] + 1
    assert after["hit_rate"] > 0


def test_same_image_in_other_input_form_is_a_cache_hit(server):
    data = png(["Form independent cache 64"])
    assert call(server, "POST", "/ocr", data)[1]["cached"] is False
    body, ctype = multipart({"image": ("x.png", data, "image/png")})
    status, reply, _ = call(server, "POST", "/ocr", body, {"Content-Type": ctype})
    assert status == 200 and reply["cached"] is True


# ---- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("body,headers", [
    (b"", {}),
    (b"", {"Content-Type": "image/png"}),
    (b'{"other": 1}', {"Content-Type": "application/json"}),
    (b'{"image_base64": ""}', {"Content-Type": "application/json"}),
    (b'{"image_base64": "@@not base64@@"}', {"Content-Type": "application/json"}),
    (b'{"image_base64": ', {"Content-Type": "application/json"}),
    (b"[1, 2]", {"Content-Type": "application/json"}),
], ids=["empty", "empty-typed", "json-no-key", "json-empty", "json-bad-b64", "json-broken", "json-list"])
def test_missing_or_bad_image_is_400(server, body, headers):
    status, reply, _ = call(server, "POST", "/ocr", body, headers)
    assert status == 400
    assert reply["success"] is False and reply["message"]


def test_multipart_without_image_field_is_400(server):
    body, ctype = multipart({"file": ("a.png", png(["wrong field"]), "image/png")})
    status, reply, _ = call(server, "POST", "/ocr", body, {"Content-Type": ctype})
    assert status == 400 and "image" in reply["message"]


def test_multipart_without_boundary_is_400(server):
    status, reply, _ = call(server, "POST", "/ocr", b"abc", {"Content-Type": "multipart/form-data"})
    assert status == 400 and reply["success"] is False


def test_truncated_image_is_400(server):
    data = png(["Cut short here"])
    status, reply, _ = call(server, "POST", "/ocr", data[: len(data) // 3])
    assert status == 400 and reply["success"] is False


@pytest.mark.parametrize("data", [b"hello, this is plain text, not a picture" * 3, b"%!PS-Adobe-3.0\n" + b"x" * 500,
                                  bytes(range(256)) * 4], ids=["text", "postscript", "binary"])
def test_not_an_image_is_415(server, data):
    status, reply, _ = call(server, "POST", "/ocr", data, {"Content-Type": "application/octet-stream"})
    assert status == 415, reply
    assert reply["success"] is False and "not an image" in reply["message"]


def test_content_length_over_limit_is_413_without_reading_body(server):
    """Only the headers are sent: the server must answer from Content-Length alone."""
    u = urlsplit(server.url)
    with socket.create_connection((u.hostname, u.port), timeout=10) as sock:
        sock.sendall(b"POST /ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                     b"Content-Length: 25000000\r\n\r\n")
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        reply = json.loads(resp.read())
    assert resp.status == 413
    assert reply["success"] is False and "too large" in reply["message"]
    assert resp.getheader("Connection") == "close"


def test_custom_size_limit_applies(engine):
    with start_server(engine, "127.0.0.1", 0, max_body=2000) as small:
        data = png(["A picture bigger than two kilobytes", "with a second line of text"])
        assert len(data) > 2000
        status, reply, _ = call(small, "POST", "/ocr", data)
        assert status == 413 and reply["success"] is False


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares huge dimensions but carries almost no data (a decompression bomb)."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_pixel_cap_is_413(server):
    status, reply, _ = call(server, "POST", "/ocr", _png_header_only(20000, 20000), {"Content-Type": "image/png"})
    assert status == 413, reply
    assert reply["success"] is False and "too large" in reply["message"]


def test_chunked_upload_is_411_and_connection_closed(server):
    u = urlsplit(server.url)
    with socket.create_connection((u.hostname, u.port), timeout=10) as sock:
        sock.sendall(b"POST /ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        resp.read()
    assert resp.status == 411
    assert resp.getheader("Connection") == "close"


def test_unknown_path_and_method_are_json_errors(server):
    status, reply, _ = call(server, "GET", "/nope")
    assert status == 404 and reply["success"] is False
    status, reply, _ = call(server, "POST", "/health", b"x")
    assert status == 404 and reply["success"] is False
    status, reply, resp = call(server, "DELETE", "/ocr")  # a method HTTP knows, not served here: 405
    assert status == 405 and reply["success"] is False and resp.getheader("Allow") == "GET, POST"
    status, reply, _ = call(server, "BREW", "/ocr")  # one it does not know: 501
    assert status == 501 and reply["success"] is False


def test_foreign_host_header_is_refused(server):
    """A web page whose domain was re-pointed at 127.0.0.1 (DNS rebinding) gets nothing."""
    status, reply, _ = call(server, "GET", "/health", headers={"Host": "attacker.example:8000"})
    assert status == 403 and reply["success"] is False
    status, _, _ = call(server, "GET", "/health", headers={"Host": f"localhost:{server.port}"})
    assert status == 200


# ---- token ------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"])
def test_bad_or_missing_token_is_401(secured, auth):
    headers = {"Authorization": auth} if auth else {}
    status, reply, resp = call(secured, "POST", "/ocr", png(["Token guarded"]), headers)
    assert status == 401
    assert reply["success"] is False and "token" in reply["message"]
    assert resp.getheader("WWW-Authenticate") == "Bearer"
    assert call(secured, "GET", "/health", headers=headers)[0] == 401


def test_right_token_is_accepted(secured):
    lines = ["Token accepted 42"]
    status, reply, _ = call(secured, "POST", "/ocr", png(lines), {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, reply
    assert_ocr_reply(reply, lines)
    assert call(secured, "GET", "/health", headers={"Authorization": f"bearer {TOKEN}"})[0] == 200


def test_page_is_served_without_token_so_user_can_enter_it(secured):
    status, page, _ = call(secured, "GET", "/")
    assert status == 200 and "Authorization" in page


# ---- health and page --------------------------------------------------------------------


def test_health_reports_models_threads_uptime_and_cache(server, engine):
    status, health, _ = call(server, "GET", "/health")
    assert status == 200 and health["success"] is True
    info = engine.info()
    assert health["models"]["det"] == info["det"] and health["models"]["rec"] == info["rec"]
    assert health["precision"] == info["precision"]
    assert health["threads"] == engine.threads
    assert health["uptime_s"] >= 0
    assert set(health["cache"]) >= {"items", "hits", "misses", "hit_rate"}
    assert 0.0 <= health["cache"]["hit_rate"] <= 1.0


def test_html_page_is_self_contained(server):
    status, page, resp = call(server, "GET", "/")
    assert status == 200
    assert resp.getheader("Content-Type").startswith("text/html")
    assert "<script>" in page and "fetch('/ocr'" in page and "<style>" in page
    assert "drop" in page and 'type="file"' in page
    for external in ("src=\"http", "href=\"http", "//cdn", "<link"):
        assert external not in page
    assert "default-src 'none'" in resp.getheader("Content-Security-Policy")


# ---- documents --------------------------------------------------------------------------


def test_pdf_upload_per_page_or_clear_refusal(server):
    pages = [render_lines(["PDF page one 111"]).convert("RGB"), render_lines(["PDF page two 222"]).convert("RGB")]
    data = to_bytes(pages[0], "PDF", save_all=True, append_images=pages[1:], resolution=100)
    status, reply, _ = call(server, "POST", "/ocr", data, {"Content-Type": "application/pdf"})
    health = call(server, "GET", "/health")[1]
    if not health["pdf"]:
        assert status == 415 and "PDF" in reply["message"]
        return
    assert status == 200, reply
    assert [p["page"] for p in reply["pages"]] == [1, 2]
    assert cer("PDF page one 111", "".join(reply["pages"][0]["text"])) < 0.1
    assert cer("PDF page two 222", "".join(reply["pages"][1]["text"])) < 0.1
    assert {ln["page"] for ln in reply["lines"]} == {1, 2}
    assert reply["page_count"] == 2 and reply["truncated"] is False


def _documents_available(server) -> bool:
    return call(server, "GET", "/health")[1]["pdf"]


def test_damaged_pdf_is_400(server):
    if not _documents_available(server):
        pytest.skip("ocr_app.documents not in this build")
    status, reply, _ = call(server, "POST", "/ocr", b"%PDF-1.7\n" + b"garbage " * 200)
    assert status == 400 and reply["success"] is False and reply["message"]


def test_multipage_tiff_gives_pages_single_frame_gives_plain_reply(server):
    first = render_lines(["TIFF frame one 71"]).convert("RGB")
    second = render_lines(["TIFF frame two 72"]).convert("RGB")
    multi = to_bytes(first, "TIFF", save_all=True, append_images=[second])
    single = to_bytes(render_lines(["Single TIFF 73"]).convert("RGB"), "TIFF")
    status, reply, _ = call(server, "POST", "/ocr", single)
    assert status == 200 and "pages" not in reply
    assert cer("Single TIFF 73", "".join(reply["text"])) < 0.1
    status, reply, _ = call(server, "POST", "/ocr", multi)
    assert status == 200, reply
    if not _documents_available(server):  # without the documents package: first frame only
        assert cer("TIFF frame one 71", "".join(reply["text"])) < 0.1
        return
    assert [p["page"] for p in reply["pages"]] == [1, 2]
    assert cer("TIFF frame two 72", "".join(reply["pages"][1]["text"])) < 0.1


def _two_page(fmt: str, one: str, two: str) -> bytes:
    pages = [render_lines([one]).convert("RGB"), render_lines([two]).convert("RGB")]
    return to_bytes(pages[0], fmt, save_all=True, append_images=pages[1:])


def test_truncated_multipage_tiff_is_400_not_500(server):
    data = _two_page("TIFF", "TIFF cut early 61", "TIFF cut early 62")
    status, reply, _ = call(server, "POST", "/ocr", data[: len(data) // 4])  # inside page 1's pixels
    assert status == 400, reply
    assert reply["success"] is False and "internal error" not in reply["message"]
    assert "truncated" in reply["message"] or "damaged" in reply["message"], reply


def test_multipage_tiff_cut_in_page_two_keeps_page_one(server):
    if not _documents_available(server):
        pytest.skip("ocr_app.documents not in this build")
    data = _two_page("TIFF", "TIFF page one 63", "TIFF page two 64")
    status, reply, _ = call(server, "POST", "/ocr", data[: len(data) * 3 // 4])
    assert status == 200, reply
    first, second = reply["pages"]
    assert first["success"] is True and cer("TIFF page one 63", "".join(first["text"])) < 0.1
    assert second["success"] is False and "truncated" in second["message"]
    assert "ocrdesk-" not in json.dumps(reply)


def test_damaged_document_messages_do_not_name_temp_files(server):
    if not _documents_available(server):
        pytest.skip("ocr_app.documents not in this build")
    status, reply, _ = call(server, "POST", "/ocr", b"%PDF-1.7\n" + b"garbage " * 200)
    assert status == 400, reply
    assert "ocrdesk-" not in reply["message"] and "/tmp" not in reply["message"].lower()
    assert reply["message"].startswith("uploaded PDF"), reply["message"]


# ---- connections, concurrency, lifecycle ------------------------------------------------


def test_keep_alive_connection_serves_several_requests(server):
    u = urlsplit(server.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        for text in ("Keep alive one 1", "Keep alive two 2"):
            conn.request("POST", "/ocr", body=png([text]))
            resp = conn.getresponse()
            reply = json.loads(resp.read())
            assert resp.status == 200
            assert cer(text, "".join(reply["text"])) < 0.1
        conn.request("POST", "/ocr", body=b"")  # an error must not break the connection either
        resp = conn.getresponse()
        assert resp.status == 400 and json.loads(resp.read())["success"] is False
        assert not resp.will_close
        conn.request("GET", "/health")
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["success"] is True
    finally:
        conn.close()


def test_concurrent_clients_get_their_own_answers(server):
    texts = [f"Parallel client {n} code {n * 37}" for n in range(6)]
    replies: dict[int, tuple[int, dict]] = {}

    def worker(i: int) -> None:
        status, reply, _ = call(server, "POST", "/ocr", png([texts[i]]))
        replies[i] = (status, reply)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(replies) == list(range(len(texts)))
    for i, (status, reply) in replies.items():
        assert status == 200
        assert cer(texts[i], "".join(reply["text"])) < 0.1, (texts[i], reply["text"])


def test_non_loopback_bind_refused_without_allow_remote(engine):
    with pytest.raises(ValueError, match="loopback"):
        start_server(engine, "0.0.0.0", 0)


def test_cli_refuses_remote_host_without_flag(capsys):
    assert main(["--host", "0.0.0.0", "--port", "0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_stop_closes_port_and_reports_not_running(engine):
    handle = start_server(engine, "127.0.0.1", 0)
    assert handle.running and handle.url.startswith("http://127.0.0.1:")
    assert call(handle, "GET", "/health")[0] == 200
    handle.stop()
    assert not handle.running
    with pytest.raises(OSError):
        call(handle, "GET", "/health")
    handle.stop()  # idempotent


def test_port_in_use_raises(engine, server):
    with pytest.raises(OSError):
        start_server(engine, "127.0.0.1", server.port)


def test_cors_preflight_only_when_enabled(engine, server):
    assert call(server, "OPTIONS", "/ocr")[0] == 405
    with start_server(engine, "127.0.0.1", 0, cors_origin="http://localhost:3000") as cors:
        status, _, resp = call(cors, "OPTIONS", "/ocr", headers={"Origin": "http://localhost:3000"})
        assert status == 204
        assert resp.getheader("Access-Control-Allow-Origin") == "http://localhost:3000"
        assert "Authorization" in resp.getheader("Access-Control-Allow-Headers")


def test_expect_100_continue_refused_before_body(server):
    """curl sends big uploads with `Expect: 100-continue`: the 413 must come instead of 100."""
    u = urlsplit(server.url)
    with socket.create_connection((u.hostname, u.port), timeout=10) as sock:
        sock.sendall(b"POST /ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 30000000\r\n"
                     b"Expect: 100-continue\r\n\r\n")
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        reply = json.loads(resp.read())
    assert resp.status == 413 and reply["success"] is False


def test_expect_100_continue_accepted_within_limit(server):
    lines = ["Expect continue ok 9"]
    data = png(lines)
    u = urlsplit(server.url)
    with socket.create_connection((u.hostname, u.port), timeout=60) as sock:
        sock.sendall(f"POST /ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(data)}\r\n"
                     "Expect: 100-continue\r\nConnection: close\r\n\r\n".encode())
        interim = sock.recv(64)
        assert interim.startswith(b"HTTP/1.1 100")
        sock.sendall(data)
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        reply = json.loads(resp.read())
    assert resp.status == 200
    assert_ocr_reply(reply, lines)


def test_json_sent_as_form_urlencoded_like_curl_d(server):
    lines = ["Curl dash d 303"]
    payload = json.dumps({"image_base64": base64.b64encode(png(lines)).decode()}).encode()
    status, reply, _ = call(server, "POST", "/ocr", payload, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, reply
    assert_ocr_reply(reply, lines)


def test_busy_server_answers_503_but_still_serves_cached_images(engine):
    with start_server(engine, "127.0.0.1", 0, max_concurrent=1) as handle:
        known = png(["Seen before 123"])
        assert call(handle, "POST", "/ocr", known)[0] == 200
        service = handle.service
        service.queue_timeout = 0.2
        service._slots.acquire()  # a long OCR job holds the only slot
        try:
            status, reply, _ = call(handle, "POST", "/ocr", png(["Never seen 456"]))
            assert status == 503 and reply["success"] is False
            status, reply, _ = call(handle, "POST", "/ocr", known)
            assert status == 200 and reply["cached"] is True
        finally:
            service._slots.release()
        assert call(handle, "POST", "/ocr", png(["Never seen 456"]))[0] == 200


def test_length_plus_transfer_encoding_is_refused(server):
    """Both headers at once is the request-smuggling shape: refuse rather than pick one."""
    u = urlsplit(server.url)
    with socket.create_connection((u.hostname, u.port), timeout=10) as sock:
        sock.sendall(b"POST /ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        resp.read()
    assert resp.status == 411
    assert resp.getheader("Connection") == "close"


def test_get_with_unread_body_closes_connection(server):
    u = urlsplit(server.url)
    with socket.create_connection((u.hostname, u.port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n\r\nGET ")
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        assert json.loads(resp.read())["success"] is True
    assert resp.getheader("Connection") == "close"


def test_ipv6_loopback_bind(engine):
    try:
        handle = start_server(engine, "::1", 0)
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with handle:
        assert handle.url.startswith("http://[::1]:")
        status, health, _ = call(handle, "GET", "/health")
        assert status == 200 and health["success"] is True
