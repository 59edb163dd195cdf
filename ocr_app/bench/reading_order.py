"""Reading-order error of OCR output: `python -m ocr_app.bench.reading_order GT_DIR PRED.jsonl [...]`.

The scorer's CER orders each side's lines by their boxes, so it cannot see the order a user
gets when copying the text. This reads the predicted lines in the order the JSONL gives them
(OCR Desk's reading order) and the truth's lines in its CSV's order, and reports the edit
distance of the two character sequences (whitespace and case ignored, NFKC) over the truth's
length, per folder with its worst page. The truth's order is only as good as the CSV's: on
sets labelled roughly in reading order the absolute value includes that roughness, so compare
two predictions on the same set.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .metrics import edit_distance, load_truth, norm

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp")


def _chars(texts: list[str]) -> str:
    return "".join("".join(norm(t).split()) for t in texts)


def order_error(folder: Path, jsonl: Path) -> tuple[float, dict[str, float]]:
    """(error over the folder, error per page) of the JSONL's line order against the truth's."""
    preds = {}
    for raw in jsonl.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            obj = json.loads(raw)
            preds[Path(obj["image"]).name] = [ln.get("text", "") for ln in obj.get("lines", [])]
    edits = total = 0
    pages: dict[str, float] = {}
    for csv_path in sorted(folder.glob("*.csv")):
        image = next((p.name for p in sorted(folder.glob(csv_path.stem + ".*")) if p.suffix.lower() in IMAGE_SUFFIXES),
                     csv_path.stem)
        truth = _chars([ln.text for ln in load_truth(csv_path)])
        read = _chars(preds.get(image, []))
        page_edits = edit_distance(truth, read)
        edits, total = edits + page_edits, total + len(truth)
        pages[image] = page_edits / max(1, len(truth))
    return edits / max(1, total), pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ocr_app.bench.reading_order", description=__doc__.split("\n")[0])
    parser.add_argument("gt_dir", type=Path)
    parser.add_argument("pred", type=Path, nargs="+", help="JSONL from `main.py ocr DIR --jsonl OUT`")
    args = parser.parse_args(argv)
    print("| predictions | pages | reading-order error | worst page |")
    print("|---|---|---|---|")
    for pred in args.pred:
        error, pages = order_error(args.gt_dir, pred)
        worst = max(pages, key=pages.get) if pages else "-"
        print(f"| {pred.name} | {len(pages)} | {100 * error:.2f} % | {worst} ({100 * pages.get(worst, 0):.1f} %) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
