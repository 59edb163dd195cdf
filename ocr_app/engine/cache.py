"""Content-hash result cache: same bytes + same result-changing settings → same answer.

Bounded LRU in memory; optionally also JSON files on disk under the user cache folder
so results survive restarts. Thread-safe: workers share one cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from .result import OcrResult

# Bumped when `Line` gains a field consumers rely on (2: `char_doubt`): results stored by
# an older build then miss and are recomputed instead of coming back without it.
SCHEMA = 2


def content_key(data: bytes, settings: str) -> str:
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(b"\0" + settings.encode() + b"\0schema%d" % SCHEMA)
    return digest.hexdigest()


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _well_formed(result: OcrResult) -> bool:
    """Whether a result read back from JSON has the types consumers rely on (from_dict
    alone accepts e.g. `"timings": 5` or a box of 3 numbers, which then fail later)."""
    if result.error is not None or not isinstance(result.timings, dict):
        return False
    if not all(isinstance(k, str) and _number(v) for k, v in result.timings.items()):
        return False
    size = result.image_size
    if len(size) != 2 or not all(isinstance(v, int) and v >= 0 for v in size):
        return False
    for line in result.lines:
        box = line.box
        if not (isinstance(line.text, str) and _number(line.confidence) and isinstance(box, list) and len(box) == 4
                and all(isinstance(pt, list) and len(pt) == 2 and all(map(_number, pt)) for pt in box)
                and isinstance(line.char_confidences, list) and all(map(_number, line.char_confidences))
                and isinstance(line.char_doubt, list) and all(map(_number, line.char_doubt))
                and isinstance(line.kind, str)):
            return False
    return result.page is None or (isinstance(result.page, int) and result.page >= 1)


class ResultCache:
    def __init__(self, max_items: int = 256, disk_dir: Path | None = None):
        self.max_items = max_items
        self.disk_dir = disk_dir
        self._mem: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> OcrResult | None:
        with self._lock:
            data = self._mem.get(key)
            if data is not None:
                self._mem.move_to_end(key)
        if data is None and self.disk_dir is not None:
            data = self._read_disk(key)
            if data is not None:
                self._remember(key, data)
        result = self._convert(key, data) if data is not None else None
        with self._lock:
            if result is None:
                self.misses += 1
                return None
            self.hits += 1
        result.cached = True
        return result

    def _convert(self, key: str, data: object) -> OcrResult | None:
        """The stored result, or None (a miss, and the entry is dropped) when it is not one:
        a disk file from another version or a damaged one must be recomputed, not fail forever."""
        try:
            result = OcrResult.from_dict(data) if isinstance(data, dict) else None
            if result is not None and _well_formed(result):
                return result
        except Exception:  # any shape from_dict does not expect: KeyError, TypeError, ValueError…
            pass
        self._forget(key)
        return None

    def _forget(self, key: str) -> None:
        with self._lock:
            self._mem.pop(key, None)
        if self.disk_dir is not None:
            with contextlib.suppress(OSError):
                (self.disk_dir / f"{key}.json").unlink()

    def put(self, key: str, result: OcrResult) -> None:
        if result.error is not None or self.max_items <= 0:
            return
        data = result.to_dict()
        self._remember(key, data)
        if self.disk_dir is not None:
            self._write_disk(key, data)

    def _remember(self, key: str, data: dict) -> None:
        with self._lock:
            self._mem[key] = data
            self._mem.move_to_end(key)
            while len(self._mem) > self.max_items:
                self._mem.popitem(last=False)

    def _read_disk(self, key: str) -> dict | None:
        try:
            return json.loads((self.disk_dir / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write_disk(self, key: str, data: dict) -> None:
        try:
            self.disk_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.disk_dir, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False)
            os.replace(tmp, self.disk_dir / f"{key}.json")
        except OSError:
            pass  # a cache that cannot write is just a smaller cache

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0

    def stats(self) -> dict:
        with self._lock:
            return {"items": len(self._mem), "hits": self.hits, "misses": self.misses,
                    "hit_rate": round(self.hit_rate, 4)}

    def clear(self) -> None:
        with self._lock:
            self._mem.clear()
            self.hits = self.misses = 0
