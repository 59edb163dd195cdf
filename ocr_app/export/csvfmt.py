"""CSV: one row per recognised line, for spreadsheets.

Written as UTF-8 with a BOM so Excel shows Chinese correctly. Edited lines keep their box
and confidence, with `edited` = 1; a line the user added has empty box cells.
"""

from __future__ import annotations

import csv
import io

from .export_doc import ExportDoc

HEADER = ["file", "page", "line", "text", "confidence", "kind",
          "x1", "y1", "x2", "y2", "x3", "y3", "x4", "y4", "edited"]


def _rows(doc: ExportDoc, i: int) -> list[list]:
    res = doc.pages[i]
    page = doc.page_label(i)
    rows = []
    for n, (ln, edited) in enumerate(doc.lines(i), 1):
        coords = [round(float(v), 1) for pt in ln.box for v in pt[:2]] if len(ln.box) == 4 else [""] * 8
        rows.append([doc.name, page, n, ln.text, f"{ln.confidence:.4f}", ln.kind, *coords, int(edited)])
    if not rows and res.error:
        rows.append([doc.name, page, 0, "", "", "error: " + res.error, *[""] * 8, 0])
    return rows


def to_csv(docs: list[ExportDoc]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    for doc in docs:
        for i in range(len(doc.pages)):
            writer.writerows(_rows(doc, i))
    return "\ufeff" + buf.getvalue()
