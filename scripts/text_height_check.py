"""Check the page text-height estimate (engine/text_scale.py) against ground truth.

Usage: python scripts/text_height_check.py GT_DIR... [--per-image]

GT_DIR holds IMAGE + IMAGE_STEM.csv (rows `x1,y1,...,x4,y4,text`). Per set it prints the
estimate against the GT line heights (median and 10th percentile of each page's lines),
their ratio and correlation, the estimate's cost, and the detector input area it leads to.
Ground truth is used here only, never by the engine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ocr_app.engine.detect import DetectorConfig, TextDetector
from ocr_app.engine.text_scale import page_text_height


def gt_line_heights(csv_path: Path) -> np.ndarray:
    heights = []
    for raw in csv_path.read_text(encoding="utf-8-sig").splitlines():
        row = raw.split(",", 8)
        try:
            p = np.array([float(v) for v in row[:8]]).reshape(4, 2)
        except ValueError:
            continue
        heights.append((np.linalg.norm(p[3] - p[0]) + np.linalg.norm(p[2] - p[1])) / 2)
    return np.array(heights)


class _NoSession:
    def get_inputs(self):
        return [type("I", (), {"name": "x"})()]


def check(gt_dir: Path, per_image: bool) -> None:
    det = TextDetector(_NoSession(), DetectorConfig())  # input sizes only, no inference
    rows = []
    for csv_path in sorted(gt_dir.glob("*.csv")):
        imgs = [p for p in gt_dir.glob(csv_path.stem + ".*") if p.suffix.lower() != ".csv"]
        gt = gt_line_heights(csv_path)
        if not imgs or not len(gt):
            continue
        img = cv2.imread(str(imgs[0]))
        t = time.perf_counter()
        est = page_text_height(img)
        ms = (time.perf_counter() - t) * 1000
        h, w = img.shape[:2]
        old = det.input_size(h, w)
        new = det.input_size(h, w, img)
        rows.append((imgs[0].name, est, float(np.median(gt)), float(np.percentile(gt, 10)), ms, old, new))
        if per_image:
            e = "None" if est is None else f"{est:5.1f}"
            print(f"  {imgs[0].name:22s} est {e:>5s}  gt median {np.median(gt):5.1f}  p10 {np.percentile(gt, 10):5.1f}"
                  f"  det {old[0]}x{old[1]} -> {new[0]}x{new[1]}  {ms:.1f} ms")
    found = [r for r in rows if r[1] is not None]
    est = np.array([r[1] for r in found])
    med = np.array([r[2] for r in found])
    p10 = np.array([r[3] for r in found])
    ms = np.array([r[4] for r in rows])
    area_old = np.array([r[5][0] * r[5][1] for r in rows]) / 1e6
    area_new = np.array([r[6][0] * r[6][1] for r in rows]) / 1e6
    shrunk = int((area_new < area_old).sum())
    print(f"{gt_dir.name}: {len(rows)} pages, estimate on {len(found)}, shrunk {shrunk}")
    if len(found) > 1:
        for name, ref in (("gt median", med), ("gt p10", p10)):
            ratio = est / ref
            print(f"  est / {name:9s}: median {np.median(ratio):.2f}  min {ratio.min():.2f}  max {ratio.max():.2f}"
                  f"  corr {np.corrcoef(est, ref)[0, 1]:.2f}")
    print(f"  estimate cost: median {np.median(ms):.1f} ms, max {ms.max():.1f} ms")
    print(f"  detector input: median {np.median(area_old):.2f} -> {np.median(area_new):.2f} MP,"
          f" total {area_old.sum():.1f} -> {area_new.sum():.1f} MP")


def main(argv: list[str]) -> int:
    dirs = [Path(a) for a in argv if not a.startswith("--")]
    if not dirs:
        print(__doc__)
        return 2
    for d in dirs:
        check(d, "--per-image" in argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
