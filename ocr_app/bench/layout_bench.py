"""`python -m ocr_app.bench.layout_bench [--seeds N]`: reading order on generated pages of
each layout kind (bench/page_kinds.py), one table: kind, CER of the text in output order
with the layout (default mode) and without it ("raw" mode, the old single-column order),
and the ms that page orientation and layout add to each page."""

from __future__ import annotations

import argparse
import statistics
import sys

from ..engine import Engine, EngineConfig
from .page_kinds import KINDS, output_cer, page
from .system_info import cpu_header


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ocr_app.bench.layout_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="pages per kind (default 3)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    engine = Engine(EngineConfig(threads=args.threads))
    print(cpu_header())
    print()
    print("| kind | pages | CER in output order | CER without layout | orient + layout ms (median) |")
    print("|---|---|---|---|---|")
    worst = 0.0
    for kind in KINDS:
        cers, raw, added = [], [], []
        for seed in range(args.seeds):
            generated = page(kind, seed)
            res = engine.run(generated.image, use_cache=False)
            cers.append(output_cer(generated.text, res.text))
            raw.append(output_cer(generated.text, res.text_as("raw")))
            added.append(res.timings.get("orient", 0.0) + res.timings.get("layout", 0.0))
        worst = max(worst, statistics.mean(cers))
        print(f"| {kind} | {args.seeds} | {100 * statistics.mean(cers):.1f} % | {100 * statistics.mean(raw):.1f} % "
              f"| {statistics.median(added):.1f} |")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
