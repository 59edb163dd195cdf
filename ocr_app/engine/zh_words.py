"""Chinese words: which characters of a read line sit inside a dictionary word.

The recogniser judges each glyph alone. A character it doubts that forms a word with its
neighbours is read right far more often than wrong: a misread glyph seldom makes another
word with the characters beside it (docs/benchmarks.md, "Word support for the highlight").

The table is jieba's dictionary (MIT) cut to words of 2-4 CJK characters, which
provisioning writes to models/zh_words.u64 (tooling/provision.py): one sorted little-endian
uint64 key per word, each character's code point above U+3400 in its own 15 bits, so a line
is looked up with `np.searchsorted` and the table costs 8 bytes a word in memory.
"""

from __future__ import annotations

import stat
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..paths import models_dir
from .script_forms import CJK_FIRST, is_cjk

FILE = "zh_words.u64"
FIRST = ord(CJK_FIRST)  # is_cjk's range, Extension A to the Unified Ideographs: 27,648 code points in 15 bits
BITS = 15
SHORTEST, LONGEST = 2, 4
MAX_BYTES = 32 << 20  # jieba's table is 2.6 MB; a file far larger is not one (never read into memory)


def _code(ch: str) -> int:
    """A character's 15-bit code in a key, 0 for anything not CJK."""
    return ord(ch) - FIRST + 1 if is_cjk(ch) else 0


def _codes(text: str) -> np.ndarray:
    return np.array([_code(ch) for ch in text], dtype=np.uint64)


def _window_keys(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys of every run of `size` characters, and whether the run is all CJK."""
    starts = len(codes) - size + 1
    keys = np.zeros(starts, dtype=np.uint64)
    whole = np.ones(starts, dtype=bool)
    for k in range(size):
        part = codes[k:k + starts]
        keys |= part << np.uint64(BITS * k)
        whole &= part != 0
    return keys, whole


def keys_from_dictionary(text: str) -> np.ndarray:
    """Sorted unique keys of the words in a jieba-style dictionary ("word freq [tag]" lines),
    each word as written (jieba's are Simplified)."""
    found = set()
    for raw in text.splitlines():
        word = raw.split(" ", 1)[0].strip()
        if SHORTEST <= len(word) <= LONGEST and all(is_cjk(ch) for ch in word):
            found.add(sum(_code(ch) << (BITS * k) for k, ch in enumerate(word)))
    return np.array(sorted(found), dtype="<u8")


class WordTable:
    """Dictionary words of 2-4 CJK characters, as sorted keys."""

    def __init__(self, keys: np.ndarray):
        self.keys = np.asarray(keys, dtype=np.uint64)

    @classmethod
    def read(cls, path: Path) -> WordTable:
        """The table provisioning wrote; ValueError if the file is not one."""
        st = path.stat()
        size = st.st_size
        if not stat.S_ISREG(st.st_mode) or size == 0 or size % 8 or size > MAX_BYTES:
            raise ValueError(f"{path.name} is not a word table ({size} bytes)")
        keys = np.fromfile(path, dtype="<u8")
        if np.any(keys[1:] <= keys[:-1]):
            raise ValueError(f"{path.name} is not a sorted word table")
        return cls(keys)

    def __len__(self) -> int:
        return len(self.keys)

    def inside_words(self, text: str) -> list[bool]:
        """For each character of `text`, whether it is part of a dictionary word there.
        Characters are looked up as read: the words are Simplified, and a Traditional form
        on a page the script step did not make Simplified may itself be the misreading."""
        inside = np.zeros(len(text), dtype=bool)
        if len(text) < SHORTEST or not len(self.keys):
            return inside.tolist()
        codes = _codes(text)
        if np.count_nonzero(codes) < SHORTEST:
            return inside.tolist()
        for size in range(SHORTEST, min(LONGEST, len(text)) + 1):
            keys, whole = _window_keys(codes, size)
            at = np.searchsorted(self.keys, keys).clip(max=len(self.keys) - 1)
            for start in np.flatnonzero(whole & (self.keys[at] == keys)):
                inside[start:start + size] = True
        return inside.tolist()


def path() -> Path:
    return models_dir() / FILE


@lru_cache(maxsize=4)
def _load(where: Path, stamp: tuple[int, int]) -> WordTable | None:
    try:
        return WordTable.read(where)
    except (OSError, ValueError):
        return None


def table() -> WordTable | None:
    """The provisioned table, or None when it is missing or damaged (no word support then)."""
    where = path()
    try:
        st = where.stat()
    except OSError:
        return None
    return _load(where, (st.st_size, st.st_mtime_ns))
