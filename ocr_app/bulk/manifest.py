"""manifest.json: what an output folder holds, rewritten atomically after every shard.

Readers take the shard list from here (or glob `shards/part-*.jsonl`: the same set, the
manifest at most one shard behind after a kill). `complete` is true once a run finished
with every planned page in a shard.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..export import atomic_write_text
from .shards import ShardInfo

FORMAT = "ocr-desk-bulk/1"
NAME = "manifest.json"


class Manifest:
    def __init__(self, out: Path, settings: dict[str, Any], settings_id: str, shards: list[ShardInfo],
                 run: dict[str, Any]):
        self.path = out / NAME
        self.settings = settings
        self.settings_id = settings_id
        self.shards = list(shards)
        self.run = run
        self.runs = self._previous_runs()
        self.complete = False

    def _previous_runs(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        runs = data.get("runs") if isinstance(data, dict) else None
        return runs if isinstance(runs, list) else []

    def add(self, shard: ShardInfo) -> None:
        self.shards.append(shard)
        self.save()

    def save(self) -> None:
        records = sum(s.records for s in self.shards)
        failed = sum(s.failed for s in self.shards)
        data = {
            "format": FORMAT,
            "complete": self.complete,
            "settings_id": self.settings_id,
            "settings": self.settings,
            "records": records,
            "failed": failed,
            "shards": [{"path": f"shards/{s.name}", **{k: v for k, v in asdict(s).items() if k != "name"}}
                       for s in self.shards],
            "runs": [*self.runs, self.run],
        }
        atomic_write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
