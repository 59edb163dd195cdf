"""JSON: everything the engine produced, for programs (boxes, confidences, timings)."""

from __future__ import annotations

import json

from ..engine import Origin
from .export_doc import ExportDoc

SCHEMA = "ocr-desk/1"


def page_dict(doc: ExportDoc, i: int) -> dict:
    res = doc.pages[i]
    edit = doc.edited(i)
    out: dict = {
        "page": doc.page_label(i),
        "source": res.source,
        "text": doc.page_text(i),
        "edited": edit is not None,
        "image_size": list(res.image_size),
        "mean_confidence": round(res.mean_confidence, 4),
        "origin": res.origin.value,  # "ocr", "text_layer" (a born-digital PDF page) or "cache"
        "from_text_layer": res.origin is Origin.TEXT_LAYER,  # kept for readers of ocr-desk/1
        "timings": {k: round(float(v), 1) for k, v in res.timings.items()},
        "cached": res.cached,
        "error": res.error,
        "error_kind": res.error_kind.value if res.error_kind is not None else None,
        "lines": [ln.to_dict() for ln in res.lines],
    }
    if edit is not None:
        out["recognized_text"] = res.text
    return out


def to_json(docs: list[ExportDoc]) -> str:
    data = {
        "format": SCHEMA,
        "documents": [
            {"name": doc.name, "page_count": len(doc.pages),
             "pages": [page_dict(doc, i) for i in range(len(doc.pages))]}
            for doc in docs
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
