"""JSON: everything the engine produced, for programs (boxes, confidences, timings), and
the page's structure: `orientation`, the text's `layout`, and `blocks` → `paragraphs` →
`lines` (indices into the page's `lines`, each of which carries its `end` separator)."""

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
        "lines": [{**ln.to_dict(), "edited": edited} for ln, edited in doc.lines(i)],
    }
    if edit is not None:
        out["recognized_text"] = res.text
    out["orientation"] = res.orientation  # degrees clockwise the page lay at; boxes are the file's pixels
    out["layout"] = doc.layout
    out["blocks"] = blocks(out["lines"])
    return out


def blocks(lines: list[dict]) -> list[dict]:
    """The page's lines grouped as the engine laid them out, in reading order: blocks of
    paragraphs of line indices, each paragraph with its text joined by the lines' `end`."""
    out: list[dict] = []
    for index, ln in enumerate(lines):
        if not out or out[-1]["block"] != ln.get("block", 0):
            out.append({"block": ln.get("block", 0), "paragraphs": []})
        paras = out[-1]["paragraphs"]
        if not paras or paras[-1]["paragraph"] != ln.get("paragraph", 0):
            paras.append({"paragraph": ln.get("paragraph", 0), "lines": [], "text": ""})
        para = paras[-1]
        if para["lines"]:
            prev = lines[para["lines"][-1]]
            sep = prev.get("end", "\n")
            if sep == "" and para["text"].endswith("-") and ln.get("text", "")[:1].islower():
                para["text"] = para["text"][:-1]  # a word split at the line end, rejoined
            para["text"] += sep if sep in ("", " ") else "\n"
        para["lines"].append(index)
        para["text"] += ln.get("text", "")
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
