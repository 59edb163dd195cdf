"""Page-level OCR metrics, same definitions as the evaluation scorer we are judged by.

CER: edit distance of the page text with all spaces removed (lines ordered into rows by
their boxes) over the ground truth length. Word F1: multiset F1 of whitespace tokens, so
dropped or invented spaces count as errors. Text is NFKC-normalised and case-folded.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path


class _L:
    def __init__(self, box: list[list[float]], text: str):
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        self.left, self.top, self.bottom, self.text = min(xs), min(ys), max(ys), text


def page_text(lines: list[_L]) -> str:
    """Rows as the scorer forms them: by centre height, a line joins the last row when its
    centre falls inside that row's first line's vertical span."""
    rows: list[list[_L]] = []
    for ln in sorted((ln for ln in lines if ln.text.strip()), key=lambda ln: (ln.top + ln.bottom) / 2):
        centre = (ln.top + ln.bottom) / 2
        if rows and rows[-1][0].top <= centre <= rows[-1][0].bottom:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return "\n".join(" ".join(ln.text.strip() for ln in sorted(r, key=lambda ln: ln.left)) for r in rows)


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def edit_distance(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer(expected: str, actual: str) -> float:
    """Character error rate of one text against another, ignoring whitespace and case."""
    a = "".join(expected.split()).casefold()
    b = "".join(actual.split()).casefold()
    return edit_distance(a, b) / max(1, len(a))


def _box(coords: list[float]) -> list[list[float]]:
    return [[coords[i], coords[i + 1]] for i in range(0, 8, 2)]


def load_truth(csv_path: Path) -> list[_L]:
    lines = []
    for raw in csv_path.read_text(encoding="utf-8-sig").split("\n"):
        raw = raw.rstrip("\r")
        row = raw.split(",", 8)
        try:
            lines.append(_L(_box([float(v) for v in row[:8]]), norm(row[8])))
        except (ValueError, IndexError):
            continue
    return lines


def write_truth(csv_path: Path, lines: list) -> None:
    """Ground truth in the layout `load_truth` and the scorer read: per line its 4x2 corners
    (rounded to whole pixels), then its text verbatim; `lines` holds (corners, text) pairs."""
    rows = [",".join(str(round(float(v))) for v in corners.reshape(-1)) + "," + text for corners, text in lines]
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def score_folder(folder: Path, jsonl: Path) -> dict:
    preds = {}
    for raw in jsonl.read_text(encoding="utf-8").split("\n"):
        if raw.strip():
            obj = json.loads(raw)
            preds[Path(obj["image"]).name] = obj
    tp = n_gt = n_pred = edits = chars = 0
    for csv_path in sorted(folder.glob("*.csv")):
        images = [p for p in folder.glob(csv_path.stem + ".*") if p.suffix.lower() != ".csv"]
        obj = preds.get(images[0].name if images else csv_path.stem, {})
        truth = load_truth(csv_path)
        pred = [_L(ln["box"], norm(ln["text"])) for ln in obj.get("lines", [])]
        gw = Counter(w for ln in truth for w in ln.text.split())
        pw = Counter(w for ln in pred for w in ln.text.split())
        tp += sum((gw & pw).values())
        n_gt += sum(gw.values())
        n_pred += sum(pw.values())
        g = page_text(truth).replace(" ", "")
        edits += edit_distance(g, page_text(pred).replace(" ", ""))
        chars += len(g)
    prec = tp / n_pred if n_pred else 0.0
    rec = tp / n_gt if n_gt else 0.0
    return {"images": len(list(folder.glob("*.csv"))), "cer": edits / chars if chars else 0.0,
            "word_f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0}
