"""Greedy CTC decoding with per-character confidences and frame positions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Decoded:
    text: str
    confidence: float
    char_confidences: list[float]
    frames: list[int]  # output time step of each character (for spacing and char boxes)


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


def greedy_decode(probs: np.ndarray, charset: list[str]) -> list[Decoded]:
    """probs: (batch, time, classes) softmax outputs."""
    idx = probs.argmax(axis=2)
    best = probs.max(axis=2)
    out = []
    for b in range(idx.shape[0]):
        seq = idx[b]
        keep = seq != 0
        keep[1:] &= seq[1:] != seq[:-1]
        frames = np.flatnonzero(keep)
        confs = best[b, frames].astype(float).tolist()
        text = "".join(charset[i] if i < len(charset) else "" for i in seq[frames])
        conf = float(np.mean(confs)) if confs else 0.0
        out.append(Decoded(text, conf, confs, frames.tolist()))
    return out
