"""Greedy CTC decoding with per-character confidences, doubts and frame positions."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np

from .script_forms import simplified_forms

STRIDE = 8  # recogniser input columns per CTC time step (PP-OCR rec)


@dataclass
class Decoded:
    text: str
    confidence: float
    char_confidences: list[float]
    frames: list[int]  # output time step of each character (for spacing and char boxes)
    # How unsure the recogniser is of each character (0 sure .. 1): what the window highlights.
    # Empty for readings that did not come from the CTC head (decoded codes): 1 - confidence stands in.
    char_doubt: list[float] = field(default_factory=list)
    # The same doubt with a character's Traditional and Simplified forms counted as one reading:
    # what the doubt is on a page the script unifier reads as Simplified (it converts either
    # form to the Simplified one). Filled by the decoder only; the unifier, which runs first,
    # takes it over, and post-processors after it leave it empty.
    simplified_doubt: list[float] = field(default_factory=list)


def scale_odds(doubt: float, ratio: float) -> float:
    """A doubt with its odds (doubt / (1 - doubt)) multiplied by a likelihood ratio: how the
    post-processors fold evidence that a character is right (ratio < 1) into its doubt."""
    if doubt >= 1.0:
        return doubt
    odds = doubt / (1.0 - doubt) * ratio
    return odds / (1.0 + odds)


def load_charset(metadata_chars: str | None, dict_path: str | None) -> list[str]:
    """Index → character: CTC blank first, dictionary, then the space class PP-OCR appends."""
    if dict_path:
        with open(dict_path, encoding="utf-8") as fh:
            chars = [line.rstrip("\r\n") for line in fh]
    elif metadata_chars:
        chars = metadata_chars.splitlines()
    else:
        raise ValueError("recogniser has no character dictionary")
    return ["<blank>", *chars, " "]


# A frame the blank wins can still hold a character the model half sees: a faint dash, or
# most often a word space the recogniser swallows. Emitted when the best non-blank class
# reaches these shares (chosen on both eval sets; docs/benchmarks.md, "Engine settings").
CHAR_FLOOR = 0.3
SPACE_FLOOR = 0.2


def _unblank(probs: np.ndarray, idx: np.ndarray, best: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """Turn blank-won frames into their runner-up class when it is strong enough, unless
    a neighbouring frame already reads that class (it would merge a doubled letter).
    Only frames the blank wins by less than certainty are looked at (a few per line)."""
    cand = np.flatnonzero(((idx == 0) & (best <= 1.0 - min(SPACE_FLOOR, CHAR_FLOOR))).ravel())
    if not cand.size:
        return idx, best
    flat = probs.reshape(-1, probs.shape[2])
    rows = flat[cand]
    runner = rows[:, 1:].argmax(axis=1) + 1
    share = rows[np.arange(len(cand)), runner]
    steps = idx.shape[1]
    t = cand % steps
    flat_idx = idx.ravel()
    prev = np.where(t > 0, flat_idx[np.maximum(cand - 1, 0)], -1)
    nxt = np.where(t < steps - 1, flat_idx[np.minimum(cand + 1, flat_idx.size - 1)], -1)
    ok = (share >= np.where(runner == space, SPACE_FLOOR, CHAR_FLOOR)) & (runner != prev) & (runner != nxt)
    if not ok.any():
        return idx, best
    idx, best = idx.copy(), best.copy()
    idx.ravel()[cand[ok]] = runner[ok]
    best.ravel()[cand[ok]] = share[ok]
    return idx, best


_SAME: dict[int, tuple[list[str], dict[int, np.ndarray], dict[int, np.ndarray], frozenset[int]]] = {}


def _twin_groups(charset: list[str]) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray], frozenset[int]]:
    """Class → every class that reads as the same text, for classes that have such twins:
    after NFKC (",", "，"; "1", "１"), and after NFKC and the Simplified form ("强", "強");
    and the classes whose script twins add to their NFKC twins (only their doubt can differ).
    The recogniser often splits a character's score between its half- and full-width forms,
    and on Chinese pages between its two script forms: that is no doubt about the text."""
    cached = _SAME.get(id(charset))
    if cached is not None and cached[0] is charset:
        return cached[1], cached[2], cached[3]
    nfkc = [unicodedata.normalize("NFKC", ch) for ch in charset[1:]]
    same = _groups(nfkc)
    same_script = _groups(simplified_forms(nfkc))
    script_only = frozenset(i for i, ids in same_script.items() if len(ids) != len(same.get(i, ())))
    _SAME[id(charset)] = (charset, same, same_script, script_only)
    return same, same_script, script_only


def _groups(keys: list[str]) -> dict[int, np.ndarray]:
    """Class (keys[i] is class i + 1's) → the classes sharing its key, where there are several."""
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys, 1):
        groups.setdefault(key, []).append(i)
    return {i: np.array(ids) for ids in groups.values() if len(ids) > 1 for i in ids}


def char_doubt(probs: np.ndarray, seq: np.ndarray, starts: np.ndarray, same: dict[int, np.ndarray]) -> list[float]:
    """Each character's doubt: 1 - the best share its class (with its NFKC twins) reaches
    over the character's own run of frames. Greedy decoding reports the run's first frame,
    where the glyph's edge often splits the score with the blank or a neighbour; the
    run's best frame says how sure the model is of the glyph (docs/benchmarks.md,
    "Low-confidence highlight")."""
    if not len(starts):
        return []
    ends = np.r_[np.flatnonzero(seq[1:] != seq[:-1]) + 1, len(seq)]
    stops = ends[np.searchsorted(ends, starts, side="right")]
    # Every frame of a run reads the run's class, so its shares are one gather, and each
    # run's best is a max over its slice (the slices in between are dropped).
    share = np.r_[probs[np.arange(len(seq)), seq], np.float32(0)]
    best = np.maximum.reduceat(share, np.column_stack([starts, stops]).ravel())[::2]
    for k, (start, stop) in enumerate(zip(starts, stops, strict=True)):
        cols = same.get(int(seq[start]))
        if cols is not None:
            best[k] = probs[start:stop][:, cols].sum(axis=1).max()
    return np.clip(np.float32(1.0) - best, 0.0, 1.0).tolist()


def greedy_decode(probs: np.ndarray, charset: list[str]) -> list[Decoded]:
    """probs: (batch, time, classes) softmax outputs."""
    idx = probs.argmax(axis=2)
    best = np.take_along_axis(probs, idx[..., None], axis=2)[..., 0]
    idx, best = _unblank(probs, idx, best, len(charset) - 1)
    same, same_script, script_only = _twin_groups(charset)
    out = []
    for b in range(idx.shape[0]):
        seq = idx[b]
        keep = seq != 0
        keep[1:] &= seq[1:] != seq[:-1]
        frames = np.flatnonzero(keep)
        confs = best[b, frames].astype(float).tolist()
        text = "".join(charset[i] if i < len(charset) else "" for i in seq[frames])
        conf = float(np.mean(confs)) if confs else 0.0
        doubt = char_doubt(probs[b], seq, frames, same)
        # Only characters with script twins can differ: the rest keep their doubt.
        has_forms = [k for k, c in enumerate(seq[frames]) if int(c) in script_only]
        as_simplified = list(doubt)
        if has_forms:
            for k, d in zip(has_forms, char_doubt(probs[b], seq, frames[has_forms], same_script), strict=True):
                as_simplified[k] = d
        out.append(Decoded(text, conf, confs, frames.tolist(), doubt, as_simplified))
    return out
