"""`python main.py history search QUERY` (and `forget-all`): the history store from a terminal.

Everything the window and `main.py ocr` read is kept in the local store (ocr_app/store),
unless history is switched off; this prints the hits: file, date, page and the text
around the hit, with the hit marked [like this] (or in bold on a terminal).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from ..store import HistoryStore, StoreError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ocr-desk history", description="Search or forget the local history.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("search", help="find text read before (any run, window or CLI)")
    s.add_argument("query", nargs="+", help="words to find (Chinese or English; every word must occur)")
    s.add_argument("--limit", type=int, default=20, help="at most this many hits (default: 20)")
    s.add_argument("--json", action="store_true", help="one JSON object per hit")
    sub.add_parser("forget-all", help="delete the whole history")
    sub.add_parser("stats", help="items, pages and bytes in the store")
    return p


def _marked(snippet: str, marks: list[tuple[int, int]], bold: bool) -> str:
    out, pos = [], 0
    open_, close = ("\033[1m", "\033[0m") if bold else ("[", "]")
    for start, end in marks:
        if start < pos:
            continue
        out += [snippet[pos:start], open_, snippet[start:end], close]
        pos = end
    out.append(snippet[pos:])
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        store = HistoryStore()
    except (StoreError, OSError) as exc:
        print(f"history: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "forget-all":
            store.forget_all()
            print("history: forgotten", file=sys.stderr)
            return 0
        if args.command == "stats":
            print(json.dumps(store.stats()))
            return 0
        began = time.perf_counter()
        hits = store.search(" ".join(args.query), limit=args.limit)
        ms = (time.perf_counter() - began) * 1000
        bold = sys.stdout.isatty()
        for hit in hits:
            if args.json:
                print(json.dumps({"file": hit.path or hit.name, "page": hit.page, "date": hit.updated,
                                  "snippet": hit.snippet, "marks": hit.marks, "id": hit.uid}, ensure_ascii=False))
                continue
            page = f"  page {hit.page}" if hit.page else ""
            stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(hit.updated))
            print(f"{hit.path or hit.name}{page}  {stamp}\n    {_marked(hit.snippet, hit.marks, bold)}")
        print(f"history: {len(hits)} hit(s) in {ms:.0f} ms", file=sys.stderr)
        return 0 if hits else 1
    finally:
        store.close()
