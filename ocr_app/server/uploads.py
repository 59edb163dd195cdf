"""Get the uploaded file's bytes out of a request body, whichever of the three forms it uses.

Accepted: multipart/form-data with a field named `image`; JSON `{"image_base64": ...}`
(optionally a data: URL); anything else is taken as the raw file bytes. A text layout mode
may ride along as the form field or JSON key `layout` (the query string is the handler's).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from ocr_app.engine import ErrorKind

FIELD = "image"
LAYOUT_FIELD = "layout"


class HttpError(Exception):
    """A request we refuse; `status`, `message` (and the engine's `kind`, when it was the
    engine that refused) become the JSON error reply."""

    def __init__(self, status: int, message: str, kind: ErrorKind | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.headers = headers or {}


@dataclass
class Upload:
    data: bytes
    name: str  # the client's file name, "" when it gave none (messages then say "uploaded PDF")
    content_type: str  # declared type of the file itself (may be "")
    layout: str | None = None  # the `layout` form field or JSON key, unchecked (service.py checks it)


def extract(content_type: str, body: bytes) -> Upload:
    """Request Content-Type + body → the uploaded file; raises HttpError(400) if there is none."""
    ctype, params = parse_options_header(content_type or "")
    ctype_s = ctype.decode("latin-1").lower()
    if ctype_s == "multipart/form-data":
        return _from_multipart(body, params.get(b"boundary"))
    # curl -d sends JSON as x-www-form-urlencoded; a body starting with "{" is never an image.
    loose = ("", "text/plain", "application/x-www-form-urlencoded", "application/octet-stream")
    if ctype_s == "application/json" or (ctype_s in loose and body.lstrip()[:1] == b"{"):
        return _from_json(body)
    if not body:
        raise HttpError(400, "missing image: send it as multipart field 'image', as the raw body, "
                             "or as JSON {\"image_base64\": ...}")
    return Upload(body, "", ctype_s)


def _from_json(body: bytes) -> Upload:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpError(400, f"invalid JSON body: {exc}") from exc
    except RecursionError as exc:  # [[[[...]]]] a few thousand deep: the parser's stack, not ours to crash
        raise HttpError(400, "invalid JSON body: nested too deeply") from exc
    value = doc.get("image_base64") if isinstance(doc, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise HttpError(400, "missing image: JSON body needs a non-empty \"image_base64\" string")
    if value.startswith("data:") and "," in value:
        value = value.split(",", 1)[1]  # data:image/png;base64,....
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HttpError(400, f"image_base64 is not valid base64: {exc}") from exc
    name = doc.get("name") if isinstance(doc.get("name"), str) else ""
    layout = doc.get(LAYOUT_FIELD)
    if layout is not None and not isinstance(layout, str):
        raise HttpError(400, f"\"{LAYOUT_FIELD}\" must be a string")
    return Upload(data, name, "", layout)


class _PartCollector:
    """Callbacks for MultipartParser: keeps each part's headers and bytes in memory
    (the whole body is already bounded by the server's size limit)."""

    def __init__(self) -> None:
        self.parts: list[tuple[dict[bytes, bytes], bytearray]] = []
        self._field = bytearray()
        self._value = bytearray()

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: self._field.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self._value.extend(d[s:e]),
            "on_header_end": self._header_end,
            "on_part_data": lambda d, s, e: self.parts[-1][1].extend(d[s:e]),
        }

    def _begin(self) -> None:
        self.parts.append(({}, bytearray()))

    def _header_end(self) -> None:
        self.parts[-1][0][bytes(self._field).lower()] = bytes(self._value)
        self._field.clear()
        self._value.clear()


def _from_multipart(body: bytes, boundary: bytes | None) -> Upload:
    if not boundary:
        raise HttpError(400, "multipart body without a boundary")
    collector = _PartCollector()
    try:
        parser = MultipartParser(boundary, collector.callbacks())
        parser.write(body)
        parser.finalize()
    except MultipartParseError as exc:
        raise HttpError(400, f"malformed multipart body: {exc}") from exc
    upload: Upload | None = None
    layout: str | None = None
    for headers, data in collector.parts:
        _disp, opts = parse_options_header(headers.get(b"content-disposition", b""))
        if opts.get(b"name") == FIELD.encode() and upload is None:
            name = opts.get(b"filename", b"").decode("utf-8", "replace")
            ctype = parse_options_header(headers.get(b"content-type", b""))[0].decode("latin-1").lower()
            if not data:
                raise HttpError(400, f"missing image: multipart field '{FIELD}' is empty")
            upload = Upload(bytes(data), name, ctype)
        elif opts.get(b"name") == LAYOUT_FIELD.encode():
            layout = bytes(data[:64]).decode("utf-8", "replace").strip()
    if upload is None:
        raise HttpError(400, f"missing image: no multipart field named '{FIELD}'")
    upload.layout = layout
    return upload
