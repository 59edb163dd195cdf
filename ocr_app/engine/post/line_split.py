"""Lines split at gaps far wider than a word space: text the detector joined across a
column gutter, or a row's label and value set far apart.

The DB detector merges text on one baseline when the gap is small next to the page
(a 2-column article's gutter at 1-2 text heights is, at its input scale). Read as one
line, the two columns then interleave whatever the layout does. The crop shows the gap
as a run of ink-free columns; each character's CTC frame gives its x, so the reading is
cut there (where the reading also has a space) into two readings with their own boxes.
Pieces on one row stay one row in every output mode, so a receipt's "ITEM ... 9.00" reads
the same.
"""

from __future__ import annotations

import numpy as np

from ..ctc import STRIDE, Decoded
from ..reading import PageReading, Reading
from .spacing import blank_runs

MIN_GAP = 1.0  # crop heights (~1.3 text heights): a word space is ~0.25, a column gutter more
MIN_PIECE = 2  # characters on each side


class LineSplit:
    name = "split"
    needs = frozenset({"crops"})
    score_chars = ""
    revision = 1

    def __call__(self, page: PageReading) -> None:
        out: list[Reading] = []
        for reading in page.readings:
            out.extend(split(reading))
        page.readings[:] = out


def split(reading: Reading) -> list[Reading]:
    """The reading cut at every gap of at least MIN_GAP crop heights between characters."""
    crop, dec = reading.crop, reading.decoded
    if (reading.kind != "text" or reading.tall or crop is None or not reading.input_width
            or len(dec.text) < 2 * MIN_PIECE):
        return [reading]
    h, w = crop.shape[:2]
    runs = blank_runs(crop, MIN_GAP * h)
    if not runs:
        return [reading]
    scale = w / max(1, reading.input_width)
    xs = np.array([(STRIDE * f + STRIDE / 2) * scale for f in dec.frames])
    pieces: list[Reading] = []
    start_char, start_x = 0, 0.0
    for gap_start, gap_end in runs:
        cut = int(np.searchsorted(xs, (gap_start + gap_end) / 2))
        # Only where the reading has a word break too: ink can fade to nothing inside a
        # word on a busy background or in a brush font, a gutter is read as a space.
        if not any(dec.text[k] == " " and gap_start <= xs[k] <= gap_end for k in range(max(0, cut - 2),
                                                                                       min(len(xs), cut + 2))):
            continue
        left = dec.text[start_char:cut].strip()
        right = dec.text[cut:].strip()
        if len(left) < MIN_PIECE or len(right) < MIN_PIECE:
            continue
        pieces.append(_piece(reading, start_char, cut, start_x / w, gap_start / w))
        start_char, start_x = cut, gap_end
    if not pieces:
        return [reading]
    pieces.append(_piece(reading, start_char, len(dec.text), start_x / w, 1.0))
    return pieces


def _piece(reading: Reading, first: int, last: int, t0: float, t1: float) -> Reading:
    dec = reading.decoded
    text, confs, frames = dec.text[first:last], dec.char_confidences[first:last], dec.frames[first:last]
    doubt = dec.char_doubt[first:last]
    lead = len(text) - len(text.lstrip(" "))
    end = len(text.rstrip(" "))
    text, confs, frames, doubt = text[lead:end], confs[lead:end], frames[lead:end], doubt[lead:end]
    tl, tr, br, bl = reading.box.astype(np.float32)
    box = np.array([tl + (tr - tl) * t0, tl + (tr - tl) * t1, bl + (br - bl) * t1, bl + (br - bl) * t0], np.float32)
    piece = Decoded(text, float(np.mean(confs)) if confs else 0.0, list(confs), list(frames), list(doubt))
    return Reading(box=box, decoded=piece, crop=reading.crop, input_width=reading.input_width, scores=reading.scores,
                   kind=reading.kind, quad=reading.quad, tall=reading.tall, vertical=reading.vertical)
