"""Umi-OCR compatible API: `POST /api/ocr` and `GET /api/ocr/get_options`, in the shapes
Umi-OCR documents (docs/http/api_ocr.md in hiroi-sora/Umi-OCR), so scripts written for
Umi-OCR run against OCR Desk unchanged. No HTTP here: the handler routes, checks and sends.

Umi's answer carries its outcome in `code` (100 text found, 101 none, anything else a
failure with `data` the reason) under HTTP 200; the refusals that protect the server
(Host, Origin, token, size, time, busy) keep their HTTP statuses (handler.py).

Umi's layout parsers map onto the engine's structure (the lines come laid out already, so a
parser only picks an order and the separators): `multi_*` keep the column-aware reading
order, `single_*` and `none` read the page row by row across it (our "raw" order); `*_para`
joins each paragraph into one line (our "paragraphs"), `*_line` ends every line with a line
break (our "lines", without the blank line between paragraphs: Umi's `end` is only ever
"", " " or "\\n"), `*_none` joins everything into one line, `single_code` is our "code"
(indentation kept), `none` gives each line on its own in row order. `data.format: "text"`
is the lines' `text + end` joined, as Umi builds it.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ocr_app.engine import DEFAULT_LAYOUT, ErrorKind, Line, OcrResult

CODE_OK = 100
CODE_NO_TEXT = 101
CODE_UNKNOWN = 299  # an internal error (PaddleOCR-json's code)
CODE_BASE64 = 300  # the base64 string does not decode
CODE_IMAGE = 301  # the bytes are not an image we can read (the reply's `error_kind` says why)
CODE_BAD_JSON, CODE_EMPTY, CODE_NO_BASE64, CODE_OPTIONS_TYPE, CODE_OPTIONS = 800, 801, 802, 803, 804
NO_TEXT = 'No text found in image. Path: "base64"'


@dataclass(frozen=True)
class Parser:
    title: str
    order: str  # "reading" (column-aware) or "rows" (row by row across the page)
    style: str  # "para", "line", "none" (one flow), "code", "each" (every line its own)


PARSERS: dict[str, Parser] = {
    "multi_para": Parser("Multi-column: one line per paragraph (layout \"paragraphs\")", "reading", "para"),
    "multi_line": Parser("Multi-column: every line (layout \"lines\")", "reading", "line"),
    "multi_none": Parser("Multi-column: no line breaks", "reading", "none"),
    "single_para": Parser("Single column: one line per paragraph", "rows", "para"),
    "single_line": Parser("Single column: every row (layout \"raw\")", "rows", "line"),
    "single_none": Parser("Single column: no line breaks", "rows", "none"),
    "single_code": Parser("Code: indentation kept (layout \"code\")", "reading", "code"),
    "none": Parser("No layout: each line on its own, row by row", "rows", "each"),
}
# The parser a request without `tbpu.parser` gets: the one matching the server's layout setting.
PARSER_FOR_LAYOUT = {"lines": "multi_line", "paragraphs": "multi_para", "raw": "single_line", "code": "single_code"}
FORMATS = ("dict", "text")


class UmiError(Exception):
    """A request Umi would answer with a failure code (HTTP 200, `data` the reason)."""

    def __init__(self, code: int, message: str, kind: ErrorKind | None = None):
        super().__init__(message)
        self.code, self.message, self.kind = code, message, kind


@dataclass
class UmiRequest:
    data: bytes
    parser: str
    format: str
    ignore: list[tuple[float, float, float, float]]  # tbpu.ignoreArea as (x0, y0, x1, y1)


def default_parser(layout: str = DEFAULT_LAYOUT) -> str:
    return PARSER_FOR_LAYOUT.get(layout, "multi_line")


def get_options(layout: str = DEFAULT_LAYOUT) -> dict:
    """The parameter definitions, in get_options' shape (title, toolTip, default, type,
    optionsList). Recognition itself is the server's settings: Umi's `ocr.*` engine
    options are accepted and ignored."""
    return {
        "tbpu.parser": {
            "title": "Layout parser",
            "toolTip": "how the text blocks are ordered and joined",
            "default": default_parser(layout),
            "optionsList": [[name, p.title] for name, p in PARSERS.items()],
            "type": "enum",
        },
        "tbpu.ignoreArea": {
            "title": "Ignore areas",
            "toolTip": "a list of rectangles [[left x, top y], [right x, bottom y]]; lines wholly inside one "
                       "are dropped",
            "default": [],
            "type": "var",
        },
        "data.format": {
            "title": "Data format",
            "toolTip": "what [\"data\"] holds: dict (text, score, box, end per line) or text (plain text)",
            "default": "dict",
            "optionsList": [["dict", "a dict per line with its position"], ["text", "plain text"]],
            "type": "enum",
        },
    }


def parse_request(body: bytes, layout: str = DEFAULT_LAYOUT) -> UmiRequest:
    """The JSON body → the image bytes and options; UmiError with Umi's codes otherwise."""
    try:
        doc = json.loads(body) if body.strip() else None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise UmiError(CODE_BAD_JSON, f"the request is not valid JSON: {str(exc)[:200]}") from exc
    if not doc:
        raise UmiError(CODE_EMPTY, "the request is empty")
    if not isinstance(doc, dict) or "base64" not in doc:
        raise UmiError(CODE_NO_BASE64, "the request has no \"base64\" field")
    options = doc.get("options", {})
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise UmiError(CODE_OPTIONS_TYPE, "\"options\" must be a dict")
    parser = options.get("tbpu.parser", default_parser(layout))
    if parser not in PARSERS:
        raise UmiError(CODE_OPTIONS, f"tbpu.parser: unknown value {str(parser)[:40]!r}; "
                                     f"choose one of {', '.join(PARSERS)}")
    fmt = options.get("data.format", "dict")
    if fmt not in FORMATS:
        raise UmiError(CODE_OPTIONS, f"data.format: unknown value {str(fmt)[:40]!r}; choose dict or text")
    value = doc["base64"]
    if not isinstance(value, str):
        raise UmiError(CODE_BASE64, "\"base64\" must be a string")
    if value.startswith("data:") and "," in value:
        value = value.split(",", 1)[1]  # Umi wants no prefix; a data: URL is forgiven
    try:
        data = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UmiError(CODE_BASE64, f"Base64 decode failed: {exc}") from exc
    if not data:
        raise UmiError(CODE_BASE64, "Base64 decode failed: the string is empty")
    return UmiRequest(data, parser, fmt, _ignore_areas(options.get("tbpu.ignoreArea") or []))


def _ignore_areas(value: object) -> list[tuple[float, float, float, float]]:
    """tbpu.ignoreArea checked as Umi checks it: each item [[x1, y1], [x2, y2]]."""
    if not isinstance(value, list):
        raise UmiError(CODE_OPTIONS, "tbpu.ignoreArea must be a list of [[x1,y1],[x2,y2]]")
    out = []
    for area in value:
        ok = (isinstance(area, list) and len(area) == 2
              and all(isinstance(pt, list) and len(pt) == 2 for pt in area)
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) for pt in area for v in pt))
        if not ok:
            raise UmiError(CODE_OPTIONS, f"tbpu.ignoreArea: each item must be [[x1,y1],[x2,y2]], got {area!r:.80}")
        (x0, y0), (x1, y1) = area
        out.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return out


def _ignored(line: Line, areas: Sequence[tuple[float, float, float, float]]) -> bool:
    xs = [p[0] for p in line.box]
    ys = [p[1] for p in line.box]
    return any(x0 <= min(xs) and max(xs) <= x1 and y0 <= min(ys) and max(ys) <= y1 for x0, y0, x1, y1 in areas)


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _flow(a: Line, b: Line) -> str:
    """What joins `a` to `b` when they run on in one line: the line's own separator inside a
    paragraph (CJK tight, Latin a space, a split word rejoined), else by their characters."""
    if a.paragraph == b.paragraph and a.end in ("", " "):
        return a.end
    left, right = a.text.rstrip()[-1:], b.text.lstrip()[:1]
    return "" if left and right and _is_cjk(left) and _is_cjk(right) else " "


def arrange(lines: Sequence[Line], parser: str) -> list[tuple[Line, str, str]]:
    """(line, its text, its `end`) in the parser's order, separators in Umi's set."""
    spec = PARSERS[parser]
    lines = [ln for ln in lines if ln.text]
    if spec.order == "rows":  # stable: reading order within a row, as layout's "raw" mode
        lines = [lines[k] for k in sorted(range(len(lines)), key=lambda k: lines[k].row)]
    out = []
    for k, ln in enumerate(lines):
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        prev = lines[k - 1] if k else None
        text = ln.text
        if nxt is None or spec.style == "each":
            end = "\n"
        elif spec.style == "none":
            end = " " if nxt.row == ln.row else _flow(ln, nxt)
        elif spec.order == "rows" and nxt.row == ln.row:
            end = " "  # one column: a row across the page is one line
        elif spec.style == "para":
            end = _flow(ln, nxt) if nxt.paragraph == ln.paragraph else "\n"
        else:  # "line", "code": rows of one paragraph on one line, every other break a newline
            end = " " if nxt.row == ln.row and nxt.paragraph == ln.paragraph else "\n"
        if spec.style == "code" and (prev is None or prev.row != ln.row or prev.paragraph != ln.paragraph):
            text = " " * ln.indent + text
        out.append((ln, text, end))
    return out


def joined(items: Sequence[tuple[Line, str, str]]) -> str:
    """`data.format: "text"`: each line's text and end, a word split at a line end rejoined."""
    parts = []
    for k, (_ln, text, end) in enumerate(items):
        nxt = items[k + 1][1] if k + 1 < len(items) else ""
        if end == "" and text.endswith("-") and len(text) > 1 and text[-2].isalpha() and nxt[:1].islower():
            text = text[:-1]
        parts.append(text + end)
    return "".join(parts)


def reply(results: Sequence[OcrResult], request: UmiRequest, started: float, seconds: float) -> dict:
    """Page results → Umi's answer (a document's pages one after another)."""
    lines = [ln for res in results if res.ok for ln in res.lines if not _ignored(ln, request.ignore)]
    items = arrange(lines, request.parser)
    base = {"time": round(seconds, 3), "timestamp": started}
    if not items:
        return {"code": CODE_NO_TEXT, "data": NO_TEXT} | base
    if request.format == "text":
        return {"code": CODE_OK, "data": joined(items)} | base
    # Whole pixels, as Umi's engines give them: typed clients may parse the corners as integers.
    data = [{"text": text, "score": ln.confidence, "box": [[round(x), round(y)] for x, y, *_ in ln.box], "end": end}
            for ln, text, end in items]
    return {"code": CODE_OK, "data": data} | base


def failure(code: int, message: str, kind: ErrorKind | None = None, started: float | None = None) -> dict:
    """A failed request in Umi's shape (`data` the reason); `error_kind` added when the
    engine refused the input."""
    out: dict = {"code": code, "data": message, "time": 0.0, "timestamp": started or time.time()}
    if kind is not None:
        out["error_kind"] = kind.value
    return out


def code_for(kind: ErrorKind | None) -> int:
    """Umi code for an input the engine refused (an image it cannot read, whatever the
    reason: the reply's `error_kind` tells them apart)."""
    return CODE_UNKNOWN if kind is None else CODE_IMAGE
