"""Calibration of the low-confidence highlight: is what the window marks what is wrong?

`python -m ocr_app.bench.calibration GT_DIR PRED.jsonl [--thresholds 0.1,0.15,0.4]`

The window highlights each character whose doubt (`char_doubt`, ctc.char_doubt) reaches a
threshold. For a set of pages with ground truth, each read character (spaces aside, after
NFKC and case folding, as the scorer compares them) is aligned to the truth by edit
distance and counted wrong when it was substituted or inserted. Per threshold d, for the
doubt (marked when doubt >= d) and, for comparison, the older rule on the character's
confidence (`char_confidences`, marked when confidence < 1 - d; d = 0.15 is the window's
old 0.85):
- precision: the share of highlighted characters that are wrong (is a mark worth a look?)
- recall: the share of wrong characters that are highlighted (can a user trust the rest?)
Characters the reader left out cannot be highlighted; they are counted apart ("missed").
A JSONL without `char_doubt` (an older build) gets 1 - confidence in its place.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

THRESHOLDS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
SIGNALS = ("doubt", "confidence")
MAX_LINE_ERRORS = 0.5  # a read line this far from the truth under it is another line


@dataclass
class _Line:
    left: float
    right: float
    top: float
    bottom: float
    text: str  # normalised, spaces removed
    confs: list[float]
    doubts: list[float]


def _line(box: list[list[float]], text: str, confs: list[float], doubts: list[float] | None = None) -> _Line:
    """A read line normalised as the scorer does it, each character keeping its confidence
    and doubt (a character NFKC expands gives each piece its values)."""
    confs = list(confs) + [1.0] * (len(text) - len(confs))
    if doubts is None or len(doubts) != len(text):
        doubts = [1.0 - c for c in confs]
    chars, out, doubt = [], [], []
    for ch, c, d in zip(text, confs, doubts, strict=False):
        for piece in unicodedata.normalize("NFKC", ch).casefold():
            if not piece.isspace():
                chars.append(piece)
                out.append(float(c))
                doubt.append(float(d))
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    return _Line(min(xs), max(xs), min(ys), max(ys), "".join(chars), out, doubt)


def wrong_chars(truth: str, read: str) -> tuple[list[bool], int]:
    """For each character of `read`, whether the cheapest alignment to `truth` substitutes
    or inserts it; and how many characters of `truth` were left out."""
    n, m = len(truth), len(read)
    dist = [[0] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        dist[0][j] = j
    for i in range(1, n + 1):
        row, prev, t = dist[i], dist[i - 1], truth[i - 1]
        row[0] = i
        for j in range(1, m + 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (t != read[j - 1]))
    wrong, missed = [False] * m, 0
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and dist[i][j] == dist[i - 1][j - 1] + (truth[i - 1] != read[j - 1]):
            wrong[j - 1] = truth[i - 1] != read[j - 1]
            i, j = i - 1, j - 1
        elif j > 0 and dist[i][j] == dist[i][j - 1] + 1:
            wrong[j - 1] = True
            j -= 1
        else:
            missed += 1
            i -= 1
    return wrong, missed


@dataclass
class Calibration:
    chars: int
    wrong: int
    missed: int
    # signal → threshold → (highlighted, highlighted and wrong)
    marked: dict[str, dict[float, tuple[int, int]]]

    def precision(self, t: float, signal: str = "doubt") -> float:
        hi, hit = self.marked[signal][t]
        return hit / hi if hi else 0.0

    def recall(self, t: float, signal: str = "doubt") -> float:
        return self.marked[signal][t][1] / self.wrong if self.wrong else 0.0


def marks(line: _Line, signal: str, t: float) -> list[bool]:
    """Which characters the rule highlights at doubt threshold t."""
    if signal == "doubt":
        return [d >= t for d in line.doubts]
    return [c < 1.0 - t for c in line.confs]


def _truth(csv_path: Path) -> list[_Line]:
    """The truth lines of one page (8 coordinates, then the text, as score.py reads them)."""
    out = []
    for raw in csv_path.read_text(encoding="utf-8-sig").splitlines():
        row = raw.split(",", 8)
        try:
            coords = [float(v) for v in row[:8]]
        except ValueError:
            continue
        if len(row) == 9:
            out.append(_line([[coords[i], coords[i + 1]] for i in range(0, 8, 2)], row[8], []))
    return out


def _overlaps(a: _Line, b: _Line) -> bool:
    """Same printed line: the boxes share most of the shorter one's height and some width."""
    v = min(a.bottom, b.bottom) - max(a.top, b.top)
    return v >= 0.5 * max(1.0, min(a.bottom - a.top, b.bottom - b.top)) and min(a.right, b.right) > max(a.left,
                                                                                                         b.left)


def calibrate(folder: Path, jsonl: Path, thresholds: tuple[float, ...] = THRESHOLDS) -> Calibration:
    """Each read line is aligned to the truth lines its box overlaps (in x order), so the
    rows' order cannot make right characters count as wrong. Read lines over no truth
    line (text the truth leaves out, or ink read as text), or differing from it in more
    than half their characters (the truth's line is another), are left out of the counts."""
    preds = {}
    for raw in jsonl.read_text(encoding="utf-8").split("\n"):
        if raw.strip():
            obj = json.loads(raw)
            preds[Path(obj["image"]).name] = obj
    chars = wrong_total = missed_total = 0
    marked = {s: {t: [0, 0] for t in thresholds} for s in SIGNALS}
    for csv_path in sorted(folder.glob("*.csv")):
        images = [p for p in folder.glob(csv_path.stem + ".*") if p.suffix.lower() != ".csv"]
        obj = preds.get(images[0].name if images else csv_path.stem, {})
        truth = _truth(csv_path)
        for ln in obj.get("lines", []):
            if ln.get("kind", "text") != "text":
                continue
            read = _line(ln["box"], ln["text"], ln.get("char_confidences") or [], ln.get("char_doubt"))
            under = sorted((t for t in truth if _overlaps(read, t)), key=lambda t: t.left)
            if not under or not read.text:
                continue
            truth_text = "".join(t.text for t in under)
            wrong, missed = wrong_chars(truth_text, read.text)
            if sum(wrong) + missed > MAX_LINE_ERRORS * max(len(truth_text), len(read.text)):
                continue  # not the line the truth describes (a merged neighbour, unlabelled text)
            chars += len(read.text)
            wrong_total += sum(wrong)
            missed_total += missed
            for s in SIGNALS:
                for t in thresholds:
                    low = marks(read, s, t)
                    marked[s][t][0] += sum(low)
                    marked[s][t][1] += sum(lo and w for lo, w in zip(low, wrong, strict=True))
    return Calibration(chars, wrong_total, missed_total,
                       {s: {t: (a, b) for t, (a, b) in m.items()} for s, m in marked.items()})


def table(name: str, cal: Calibration) -> str:
    rows = [f"**{name}**: {cal.chars} characters read, {cal.wrong} wrong, {cal.missed} missed", "",
            "| d | doubt >= d: marked | precision | recall | confidence < 1-d: marked | precision | recall |",
            "|---|---|---|---|---|---|---|"]
    for t in cal.marked["doubt"]:
        cells = [f"{t:.2f}"]
        for s in SIGNALS:
            hi = cal.marked[s][t][0]
            cells += [f"{hi} ({100 * hi / max(1, cal.chars):.1f} %)", f"{cal.precision(t, s):.2f}",
                      f"{cal.recall(t, s):.2f}"]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ocr_app.bench.calibration", description=__doc__.split("\n")[0])
    parser.add_argument("gt_dir", type=Path)
    parser.add_argument("pred", type=Path, help="JSONL from `main.py ocr DIR --jsonl OUT`")
    parser.add_argument("--thresholds", default=",".join(str(t) for t in THRESHOLDS),
                        help="doubt levels d (the confidence rule is read at 1 - d)")
    args = parser.parse_args(argv)
    thresholds = tuple(float(t) for t in args.thresholds.split(","))
    print(table(args.gt_dir.name, calibrate(args.gt_dir, args.pred, thresholds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
