"""Umi-OCR compatible endpoint and the `layout` parameter of /ocr: real engine, generated
pages, raw HTTP on loopback sockets."""

from __future__ import annotations

import base64
import http.client
import json
import socket

import cv2
import pytest

from ocr_app.bench.page_kinds import output_cer, page
from ocr_app.engine import LAYOUT_MODES
from ocr_app.server import start_server
from ocr_app.server.umi import PARSERS, arrange, joined
from tests.imagegen import render_lines, to_bytes
from tests.server.test_api import TOKEN, call, multipart
from tests.structured import three_paragraphs

UMI_END = ("", " ", "\n")


@pytest.fixture(scope="module")
def two_columns():
    generated = page("2 columns en", seed=3)
    return generated, cv2.imencode(".png", generated.image)[1].tobytes()


def umi(handle, payload: dict | bytes, headers: dict[str, str] | None = None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return call(handle, "POST", "/api/ocr", body, {"Content-Type": "application/json", **(headers or {})})


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_dict_reply_has_umis_documented_shape(server, two_columns):
    generated, png = two_columns
    status, reply, _ = umi(server, {"base64": b64(png)})  # no options: every one at its default
    assert status == 200 and reply["code"] == 100
    assert isinstance(reply["time"], float) and isinstance(reply["timestamp"], float)
    assert reply["data"] and all(set(item) == {"text", "score", "box", "end"} for item in reply["data"])
    for item in reply["data"]:
        assert item["end"] in UMI_END and 0 < item["score"] <= 1
        assert len(item["box"]) == 4 and all(len(pt) == 2 and all(isinstance(v, int) for v in pt)
                                             for pt in item["box"])
    text = "".join(item["text"] + item["end"] for item in reply["data"])
    assert output_cer(generated.text, text) <= 0.03  # columns in reading order, not interleaved


@pytest.mark.parametrize("parser", ["multi_para", "multi_line", "multi_none", "single_line", "single_code", "none"])
def test_text_format_for_each_parser(server, two_columns, parser):
    generated, png = two_columns
    status, reply, _ = umi(server, {"base64": b64(png), "options": {"tbpu.parser": parser, "data.format": "text"}})
    assert status == 200 and reply["code"] == 100 and isinstance(reply["data"], str)
    _, as_dict, _ = umi(server, {"base64": b64(png), "options": {"tbpu.parser": parser}})
    assert reply["data"] == "".join(item["text"] + item["end"] for item in as_dict["data"])
    lines = [ln for ln in reply["data"].split("\n") if ln]
    if parser.startswith("multi") or parser == "single_code":
        assert output_cer(generated.text, reply["data"]) <= 0.03
    if parser == "multi_para":
        assert len(lines) == 4  # two paragraphs per column, each one line
    elif parser == "multi_none":
        assert len(lines) == 1
    elif parser == "multi_line":
        assert len(lines) == generated.text.count("\n") + 1
    elif parser == "single_line":  # a row across the page is one line: the columns run side by side
        assert len(lines) < generated.text.count("\n") + 1


def test_ignore_area_drops_lines_inside_it(server, two_columns):
    generated, png = two_columns
    h, w = generated.image.shape[:2]
    _, left, _ = umi(server, {"base64": b64(png), "options": {"tbpu.ignoreArea": [[[w // 2, 0], [w, h]]]}})
    _, whole, _ = umi(server, {"base64": b64(png)})
    assert 0 < len(left["data"]) < len(whole["data"])
    assert all(max(p[0] for p in item["box"]) < w // 2 + 20 for item in left["data"])


def test_blank_image_is_code_101(server):
    blank = to_bytes(render_lines(["x"], fg=255))
    status, reply, _ = umi(server, {"base64": b64(blank), "options": {"data.format": "text"}})
    assert status == 200 and reply["code"] == 101 and isinstance(reply["data"], str)


@pytest.mark.parametrize(("payload", "code"), [
    (b"{not json", 800),
    (b"", 801),
    ({"image": "x"}, 802),
    ({"base64": "aGVsbG8=", "options": [1]}, 803),
    ({"base64": "aGVsbG8=", "options": {"tbpu.parser": "columns"}}, 804),
    ({"base64": "aGVsbG8=", "options": {"data.format": "xml"}}, 804),
    ({"base64": "aGVsbG8=", "options": {"tbpu.ignoreArea": [[1, 2]]}}, 804),
    ({"base64": "not base64 at all!"}, 300),
    ({"base64": b64(b"garbage, not an image" * 4)}, 301),
])
def test_bad_requests_answer_a_failure_code_and_a_reason(server, payload, code):
    status, reply, _ = umi(server, payload)
    assert status == 200 and reply["code"] == code
    assert isinstance(reply["data"], str) and reply["data"]
    if code == 301:
        assert reply["error_kind"] == "not_an_image"


def test_get_options_lists_parsers_and_formats(server):
    status, opts, _ = call(server, "GET", "/api/ocr/get_options")
    assert status == 200
    assert [v for v, _title in opts["tbpu.parser"]["optionsList"]] == list(PARSERS)
    assert opts["tbpu.parser"]["default"] == "multi_line"  # the server's layout, "lines"
    assert opts["data.format"]["default"] == "dict" and opts["tbpu.ignoreArea"]["default"] == []
    assert all({"title", "default", "type"} <= set(o) for o in opts.values())


def test_same_security_and_limits_as_ocr(engine):
    with start_server(engine, "127.0.0.1", 0, token=TOKEN) as handle:
        payload = {"base64": b64(to_bytes(render_lines(["Hello"])))}
        assert umi(handle, payload)[0] == 401
        assert call(handle, "GET", "/api/ocr/get_options")[0] == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert umi(handle, payload, auth)[1]["code"] == 100
        status, reply, _ = umi(handle, payload, auth | {"Origin": "http://evil.example"})
        assert status == 403 and reply["code"] == 403
        assert umi(handle, payload, auth | {"Host": "evil.example"})[0] == 403
        head = b"POST /api/ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN.encode()
        # raw HTTP, headers only: a body over the limit, or chunked, is refused before any is read
        for extra, status in ((b"Content-Length: 25000000", 413), (b"Transfer-Encoding: chunked", 411)):
            with socket.create_connection((handle.host, handle.port), timeout=10) as sock:
                sock.sendall(head + b"\r\n" + extra + b"\r\n\r\n")
                resp = http.client.HTTPResponse(sock)
                resp.begin()
                reply = json.loads(resp.read())
            assert resp.status == status and reply["code"] == status and reply["success"] is False


# ---- our own /ocr: the layout parameter and the structure of each line -------------------


def test_layout_parameter_in_each_form(server, two_columns):
    _, png = two_columns
    json_body = {"image_base64": b64(png)}
    form, ctype = multipart({"image": ("page.png", png, "image/png")})
    status, reply, _ = call(server, "POST", "/ocr", png)
    assert status == 200
    assert reply["layout"] == "lines" and reply["full_text"].count("\n\n") == 3
    paragraphs = {
        "query": call(server, "POST", "/ocr?layout=paragraphs", png)[1],
        "json": call(server, "POST", "/ocr", json.dumps(json_body | {"layout": "paragraphs"}).encode(),
                     {"Content-Type": "application/json"})[1],
        "form": call(server, "POST", "/ocr", *_with_field(form, ctype, "layout", "paragraphs"))[1],
    }
    for how, got in paragraphs.items():
        assert got["layout"] == "paragraphs", how
        assert len(got["full_text"].split("\n")) == 4, how
    assert call(server, "POST", "/ocr?layout=raw", png)[1]["full_text"] != reply["full_text"]


def _with_field(body: bytes, ctype: str, name: str, value: str) -> tuple[bytes, dict[str, str]]:
    boundary = ctype.split("boundary=", 1)[1]
    extra = f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode()
    return extra + body, {"Content-Type": ctype}


def test_unknown_layout_is_400_before_any_work(server):
    status, reply, _ = call(server, "POST", "/ocr?layout=columns", to_bytes(render_lines(["Hello"])))
    assert status == 400 and "layout" in reply["message"]


def test_lines_carry_the_structure(server, two_columns):
    _, png = two_columns
    _, reply, _ = call(server, "POST", "/ocr", png)
    assert reply["orientation"] == 0
    for ln in reply["lines"]:
        assert {"block", "paragraph", "row", "end", "indent", "vertical"} <= set(ln)
        assert ln["end"] in UMI_END
    assert len({ln["block"] for ln in reply["lines"]}) >= 2


def test_server_layout_setting_is_the_default(engine, two_columns):
    _, png = two_columns
    with start_server(engine, "127.0.0.1", 0, layout="paragraphs") as handle:
        _, reply, _ = call(handle, "POST", "/ocr", png)
        assert reply["layout"] == "paragraphs"
        _, opts, _ = call(handle, "GET", "/api/ocr/get_options")
        assert opts["tbpu.parser"]["default"] == "multi_para"


def test_parsers_join_as_our_modes_do():
    from ocr_app.engine import OcrResult

    lines = three_paragraphs()
    res = OcrResult(source="t", lines=lines)
    assert joined(arrange(lines, "multi_para")) == res.text_as("paragraphs") + "\n"
    assert joined(arrange(lines, "single_line")) == res.text_as("raw") + "\n"
    assert joined(arrange(lines, "single_code")) == res.text_as("code") + "\n"
    assert joined(arrange(lines, "multi_line")) == res.text_as("lines").replace("\n\n", "\n") + "\n"
    assert joined(arrange(lines, "multi_none")) == "A first paragraph ends here. Second 9.00 中文第一行第二行\n"
    assert all(end in UMI_END for p in PARSERS for _ln, _t, end in arrange(lines, p))
    assert set(LAYOUT_MODES) == {"lines", "paragraphs", "raw", "code"}
