"""Shape engine results into the API's JSON, and error kinds into HTTP statuses."""

from __future__ import annotations

from ocr_app.engine import DEFAULT_LAYOUT, ErrorKind, Line, OcrResult

PREPROCESS_STAGES = ("load", "render", "text_layer", "preprocess")  # everything before the models
MODEL_STAGES = ("detect", "classify", "recognize")

# Why an item failed → what the client did wrong. The engine's kinds are the contract; the
# English message is for people only. Everything an upload can cause is the client's (4xx):
# an INTERNAL failure has always answered 400 here (the image could not be read), kept so.
STATUS_BY_KIND: dict[ErrorKind, int] = {
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.OUT_OF_MEMORY: 413,
    ErrorKind.NOT_AN_IMAGE: 415,
    ErrorKind.UNSUPPORTED: 415,
    ErrorKind.NOT_FOUND: 400,
    ErrorKind.NOT_REGULAR: 400,
    ErrorKind.EMPTY: 400,
    ErrorKind.DAMAGED: 400,
    ErrorKind.PASSWORD: 400,
    ErrorKind.INTERNAL: 400,
}


def status_for(kind: ErrorKind | None) -> int:
    """HTTP status for a failed result (400 for a kind this table does not know yet)."""
    return STATUS_BY_KIND.get(kind, 400) if kind is not None else 400


def _ms(value: float) -> float:
    return round(float(value), 1)


def line_json(ln: Line) -> dict:
    """One line: what the old web service returned, plus the page structure (additive)."""
    return {"box": ln.box, "text": ln.text, "confidence": ln.confidence, "kind": ln.kind, "block": ln.block,
            "paragraph": ln.paragraph, "row": ln.row, "end": ln.end, "indent": ln.indent, "vertical": ln.vertical}


def result_json(res: OcrResult, layout: str = DEFAULT_LAYOUT) -> dict:
    """One successful image (or page) → the reply body the old web service returned, plus
    extras; `full_text` is the page's text in the `layout` mode."""
    timings = res.timings
    # A cache hit did no work this time: report the stages as 0, not the original run's numbers.
    pre = 0.0 if res.cached else sum(timings.get(k, 0.0) for k in PREPROCESS_STAGES)
    infer = 0.0 if res.cached else sum(timings.get(k, 0.0) for k in MODEL_STAGES)
    out = {
        "success": True,
        "text": [ln.text for ln in res.lines],
        "lines": [line_json(ln) for ln in res.lines],
        "full_text": res.text_as(layout),
        "layout": layout,
        "orientation": res.orientation,
        "time_cost_ms": _ms(timings.get("total", 0.0)),
        "preprocess_time_ms": _ms(pre),
        "model_infer_time_ms": _ms(infer),
        "cached": bool(res.cached),
        "origin": res.origin.value,
        "image_size": list(res.image_size),
    }
    if res.page is not None:
        out["page"] = res.page
    return out


def page_error_json(res: OcrResult, number: int) -> dict:
    return {"success": False, "page": res.page or number, "message": res.error,
            "error_kind": (res.error_kind or ErrorKind.INTERNAL).value}


def document_json(pages: list[OcrResult], total_ms: float, layout: str = DEFAULT_LAYOUT) -> dict:
    """A multi-page document: per-page results plus everything flattened in page order."""
    page_docs = []
    for number, res in enumerate(pages, 1):
        if res.ok:
            page_docs.append(result_json(res, layout) | {"page": res.page or number})
        else:
            page_docs.append(page_error_json(res, number))
    ok_pages = [p for p in page_docs if p["success"]]
    lines = [ln | {"page": p["page"]} for p in ok_pages for ln in p["lines"]]
    return {
        "success": True,
        "text": [ln["text"] for ln in lines],
        "lines": lines,
        "full_text": "\n\n".join(p["full_text"] for p in ok_pages),
        "layout": layout,
        "time_cost_ms": _ms(total_ms),
        "preprocess_time_ms": _ms(sum(p["preprocess_time_ms"] for p in ok_pages)),
        "model_infer_time_ms": _ms(sum(p["model_infer_time_ms"] for p in ok_pages)),
        "cached": bool(ok_pages) and all(p["cached"] for p in ok_pages),
        "pages": page_docs,
    }


def error_json(message: str, kind: ErrorKind | None = None) -> dict:
    out: dict = {"success": False, "message": message}
    if kind is not None:
        out["error_kind"] = kind.value
    return out
