"""Bulk OCR on a Ray cluster: `python main.py bulk SRC... --out DIR`.

The same engine and job runner as `main.py ocr`, spread over Ray actors that each hold one
warm `Engine`; one task per page, so a big PDF does not serialise the run. Output is JSONL
shards (the CLI's record plus `source`, `page`, `key`) and a manifest; a run that stops is
started again with the same command and skips every page already in a shard. Ray is an
optional extra (requirements-cluster.txt): nothing here imports it until a run starts.
See docs/bulk.md.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from .bulk_command import main as bulk_main

    return bulk_main(argv)


__all__ = ["main"]
