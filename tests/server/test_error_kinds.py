"""HTTP status from the engine's error kind (one table, no English parsing), and the
additive `error_kind` / `origin` fields. Real engine, generated files, loopback sockets."""

from __future__ import annotations

import re

import pytest

from ocr_app.engine import ErrorKind
from ocr_app.server.replies import STATUS_BY_KIND, status_for
from tests.documents.test_documents import born_digital_pdf
from tests.imagegen import render_lines, to_bytes
from tests.server.test_api import _png_header_only, call, png


def test_table_names_every_kind_and_only_client_or_size_statuses():
    assert set(STATUS_BY_KIND) == set(ErrorKind)
    assert {status_for(k) for k in (ErrorKind.TOO_LARGE, ErrorKind.OUT_OF_MEMORY)} == {413}
    assert {status_for(k) for k in (ErrorKind.NOT_AN_IMAGE, ErrorKind.UNSUPPORTED)} == {415}
    for kind in (ErrorKind.EMPTY, ErrorKind.DAMAGED, ErrorKind.PASSWORD, ErrorKind.NOT_FOUND,
                 ErrorKind.NOT_REGULAR, ErrorKind.INTERNAL):
        assert status_for(kind) == 400
    assert status_for(None) == 400


def _encrypted(pdf: bytes) -> bytes:
    """The same PDF declared encrypted with a user password (pdfium then refuses it)."""
    enc = ("/Encrypt << /Filter /Standard /V 1 /R 2 /P -44 /O <" + "a5" * 32 + "> /U <" + "3c" * 32 + "> >> "
           "/ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] ")
    out, n = re.subn(rb"trailer\s*<<", b"trailer\n<< " + enc.encode(), pdf)
    assert n == 1
    return out


def _scanned_pdf(text: str) -> bytes:
    return to_bytes(render_lines([text]).convert("RGB"), "PDF", resolution=100)


@pytest.mark.parametrize("make,kind,status", [
    (lambda: _png_header_only(20000, 20000), ErrorKind.TOO_LARGE, 413),
    (lambda: b"plain words, not a picture at all " * 4, ErrorKind.NOT_AN_IMAGE, 415),
    (lambda: png(["Cut in half 1234"])[:300], ErrorKind.DAMAGED, 400),
    (lambda: _encrypted(_scanned_pdf("Locked page 9")), ErrorKind.PASSWORD, 400),
    (lambda: b"%PDF-1.7\n" + b"garbage " * 200, ErrorKind.DAMAGED, 400),
], ids=["too-large", "not-an-image", "damaged-png", "password-pdf", "damaged-pdf"])
def test_status_follows_the_error_kind(server, make, kind, status):
    code, reply, _ = call(server, "POST", "/ocr", make(), {"Content-Type": "application/octet-stream"})
    assert (code, reply["error_kind"]) == (status, kind.value), reply
    assert reply["success"] is False and reply["message"]


def test_unsupported_pdf_in_a_build_without_documents_is_415(server):
    service = server.service
    service.pdf = False  # what a build without ocr_app.documents reports
    try:
        code, reply, _ = call(server, "POST", "/ocr", _scanned_pdf("No PDF here"))
    finally:
        service.pdf = True
    assert (code, reply["error_kind"]) == (415, "unsupported")


def test_results_carry_their_origin(server, tmp_path):
    data = png(["Origin field 5150"])
    first = call(server, "POST", "/ocr", data)[1]
    again = call(server, "POST", "/ocr", data)[1]
    assert (first["origin"], again["origin"]) == ("ocr", "cache")
    assert "error_kind" not in first
    pdf = born_digital_pdf(tmp_path / "born.pdf", [["Typed in a word processor"]]).read_bytes()
    code, reply, _ = call(server, "POST", "/ocr", pdf)
    assert code == 200, reply
    assert reply["pages"][0]["origin"] == "text_layer"
    assert reply["pages"][0]["text"] == ["Typed in a word processor"]
