"""The text detector run in horizontal bands: the same probability map in far less memory.

Why: the detector's feature maps, not any model's weights, set the engine's peak memory.

Convolutions, pooling and upsampling only look at nearby rows, so those layers can run
on one band of rows at a time, with a halo of extra rows that is cut off again.
Squeeze-excitation blocks cannot: each scales its channels by their mean over the
*whole* map, which is why cutting the page into independent tiles changes the output
So the graph is cut, at provisioning time, into parts at those means:

- `stem`: input → the 1/4-resolution stem output, in bands of the page, and the first
  block's excitation input, which is reduced here to its exact channel means;
- `se1`: the excitation gate from those means;
- `stage1`: the rest of the 1/4-resolution backbone stage, in bands, with that gate;
- `backbone`, `neck_low`: the coarse levels (≤ 1/8 resolution, small), whole;
- `neck_band`: the neck's 1/4-resolution level, in bands. Its excitation mean is over
  a 1×1 convolution of the backbone output, which equals that convolution applied to
  the backbone output's mean, so `neck_low` computes the gate before the band pass;
- `neck_se`: the last excitation, whole, on a 24-channel map;
- `head`: the upsampling head, in bands.

The cut is made at provisioning (`ocr_app.tooling.det_split`), which keeps the parts
only when their map equals the one-graph map to float rounding; the engine falls back to
the one-graph detector when they are missing or stale. Memory and time: docs/benchmarks.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from .preprocess import normalize

REVISION = 1
STAMP = "split.json"


@dataclass(frozen=True)
class SplitSpec:
    """Where one detector graph is cut: tensor names of each part's inputs and outputs,
    and the squeeze-excitation whose mean is rewritten as a mean of the input."""

    parts: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    # (pooled tensor, the 1×1 convolution weight producing the pooled map, its input)
    linear_mean: tuple[str, str, str]


# PP-OCRv6 small detector (rapidocr 3.10, sha256 090f04ab…).
_X = "x"
_R3, _A5, _MEAN0, _HS0 = "p2o.pd_op.relu.3.0", "p2o.pd_op.add.5.0", "p2o.pd_op.mean.0.0", "p2o.pd_op.hardsigmoid.0.0"
_C2, _C3, _C4, _C5 = "p2o.pd_op.add.14.0", "p2o.pd_op.add.27.0", "p2o.pd_op.add.50.0", "Add.153"
_S2, _P3, _Y2, _OUT2 = "p2o.pd_op.hardsigmoid.8.0", "p2o.pd_op.add.77.0", "p2o.pd_op.conv2d.62.0", "Add.215"
_O3, _O4, _O5 = "p2o.pd_op.add.90.0", "p2o.pd_op.add.86.0", "p2o.pd_op.add.82.0"
_MAP = "fetch_name_0"

PPOCRV6_SMALL = SplitSpec(
    parts={
        "stem": ((_X,), (_R3, _A5)),
        "se1": ((_MEAN0,), (_HS0,)),
        "stage1": ((_R3, _HS0), (_C2,)),
        "backbone": ((_C2,), (_C3, _C4, _C5)),
        "neck_low": ((_C2, _C3, _C4, _C5), (_S2, _P3, _O3, _O4, _O5)),
        "neck_band": ((_C2, _S2, _P3), (_Y2,)),
        "neck_se": ((_Y2,), (_OUT2,)),
        "head": ((_O5, _O4, _O3, _OUT2), (_MAP,)),
    },
    linear_mean=("p2o.pd_op.pool2d.4.0", "conv2d_64.w_0", _C2),
)

SPECS = {"ppocrv6-small-det": PPOCRV6_SMALL}

# Input pixels per stem band: the stem's 1/2-resolution maps are the largest, so this
# sets the banded peak (256 rows of a 928-wide A4 page). Halo rows at each scale cover
# the receptive field of the layers run in bands there, with room to spare (measured
# exact down to 8 / 2 / 4 / 8), and are multiples of the part's coarsest input.
BAND_PIXELS = 256 * 928
_STEM_HALO, _STEM_ALIGN = 16, 32  # input rows; the stem downsamples by 4
_STAGE1_HALO, _NECK_HALO, _HEAD_HALO = 4, 6, 8  # 1/4-resolution rows


def bands(total: int, rows: int, align: int) -> list[tuple[int, int]]:
    """Split `total` rows into near-equal bands of at most ~`rows`, starts on `align`."""
    count = max(1, -(-total // max(rows, 1)))
    step = -(-total // count)
    step = -(-step // align) * align
    return [(start, min(total, start + step)) for start in range(0, total, step)]


class BandedDetector:
    """The detector's parts as shared sessions; `__call__` maps a resized BGR page
    (height, width multiples of 32) to the probability map, like the one graph."""

    def __init__(self, sessions: dict[str, ort.InferenceSession], band_pixels: int = BAND_PIXELS):
        missing = set(PPOCRV6_SMALL.parts) - set(sessions)
        if missing:
            raise ValueError(f"detector parts missing: {sorted(missing)}")
        self.sessions = sessions
        self.band_pixels = band_pixels
        self._inputs = {k: [i.name for i in s.get_inputs()] for k, s in sessions.items()}

    def _run(self, part: str, *feeds: np.ndarray) -> list[np.ndarray]:
        return self.sessions[part].run(None, dict(zip(self._inputs[part], feeds, strict=True)))

    def __call__(self, img: np.ndarray) -> np.ndarray:
        rows = max(_STEM_ALIGN * 2, self.band_pixels // img.shape[1])
        q_rows = rows // 4
        r3, gate = self._stem(img, rows)
        h4 = r3.shape[2]
        c2 = self._banded("stage1", [(r3, 1), (gate, None)], h4, q_rows, _STAGE1_HALO, 1, 1)
        del r3
        c3, c4, c5 = self._run("backbone", c2)
        s2, p3, o3, o4, o5 = self._run("neck_low", c2, c3, c4, c5)
        del c3, c4, c5
        y2 = self._banded("neck_band", [(c2, 1), (s2, None), (p3, 2)], h4, q_rows, _NECK_HALO, 2, 1)
        del c2, p3
        (out2,) = self._run("neck_se", y2)
        del y2
        prob = self._banded("head", [(o5, 8), (o4, 4), (o3, 2), (out2, 1)], h4, q_rows, _HEAD_HALO, 8, 4)
        return prob[0, 0]

    def _stem(self, img: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """Stem in bands of the page, each normalised on its own (no whole-page float
        copy); returns its output and the first excitation gate, from the exact mean of
        the gate's input summed band by band."""
        height = img.shape[0]
        spans = bands(height, rows, _STEM_ALIGN)
        out, total = None, 0.0
        for a, b in spans:
            s, e = max(0, a - _STEM_HALO), min(height, b + _STEM_HALO)
            y, gate_in = self._run("stem", normalize(img[s:e])[None])
            core = slice((a - s) // 4, (b - s) // 4)
            total = total + gate_in[:, :, core].sum(axis=(2, 3), keepdims=True, dtype=np.float64)
            if len(spans) == 1:
                out = y
            else:
                if out is None:
                    out = np.empty((1, y.shape[1], height // 4, y.shape[3]), np.float32)
                out[:, :, a // 4 : b // 4] = y[:, :, core]
        assert out is not None
        mean = (total / (out.shape[2] * out.shape[3])).astype(np.float32)
        return out, self._run("se1", mean)[0]

    def _banded(self, part: str, inputs: list[tuple[np.ndarray, int | None]],
                total: int, rows: int, halo: int, align: int, grow: int) -> np.ndarray:
        """Run `part` over bands of `total` rows (1/4 resolution). `inputs`, in the part's
        input order, are (map, how many times coarser than 1/4), sliced per band, or
        (gate, None), fed whole; the output has `grow` times the rows of the 1/4 scale."""
        spans = bands(total, rows, align)
        out = None
        for a, b in spans:
            s, e = max(0, a - halo), min(total, b + halo)
            feeds = [m if k is None else np.ascontiguousarray(m[:, :, s // k : -(-e // k)]) for m, k in inputs]
            (y,) = self._run(part, *feeds)
            if len(spans) == 1:
                return y
            if out is None:
                out = np.empty((1, y.shape[1], total * grow, y.shape[3]), np.float32)
            out[:, :, a * grow : b * grow] = y[:, :, (a - s) * grow : (b - s) * grow]
        assert out is not None
        return out


# ---- provisioning: cut the graph, check the parts against it -------------------------------

def parts_dir(model: Path) -> Path:
    return model.with_name(model.stem + ".bands")


def stamp_for(spec_name: str, model_sha256: str) -> dict:
    return {"spec": spec_name, "revision": REVISION, "model_sha256": model_sha256}


def is_current(directory: Path, spec_name: str, model_sha256: str) -> bool:
    """The parts exist and were cut from this model file by this revision of the split."""
    try:
        stamp = json.loads((directory / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stamp == stamp_for(spec_name, model_sha256) and all(
        (directory / f"{name}.onnx").is_file() for name in SPECS[spec_name].parts)


def load(directory: Path, open_session) -> BandedDetector:
    """The banded detector from a parts directory; `open_session(path)` gives the
    process's shared session for a file."""
    spec_name = json.loads((directory / STAMP).read_text(encoding="utf-8"))["spec"]
    return BandedDetector({name: open_session(directory / f"{name}.onnx") for name in SPECS[spec_name].parts})
