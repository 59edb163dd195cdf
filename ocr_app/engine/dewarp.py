"""Unbending a curled or folded page photo before it is read, and the way back to the photo.

Why: the detector and recogniser read straight lines; on a book page or a receipt lifted at
one edge, lines bend, neighbours' boxes overlap and rows mix. UVDoc (Verhoeven, Magne and
Sorkine-Hornung, SIGGRAPH Asia 2023; MIT weights, the optional `dewarp` pack) predicts for a
45 × 31 grid over the unbent page where each node lies on the photo. The page is resampled
from that grid in row strips (a 35 MP photo needs no full-size coordinate maps), and every
point found on the unbent page maps back to the photo through the same grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..paths import models_dir
from .errors import ModelError

GRAPH = "uvdoc.onnx"
WEIGHTS = "uvdoc.weights"  # made by the dewarp pack from UVDoc's checkpoint (tooling/dewarp_weights.py)
RECIPE = "uvdoc.recipe.json"  # where each weight of the graph comes from in the checkpoint
INPUT_HW = (712, 488)  # the network's input, (height, width)
STRIP = 256  # output rows resampled at a time
MARGIN = 1  # grid steps (1/44 of the page's height, 1/30 of its width) kept around the page found


def graph_path() -> Path:
    return models_dir() / GRAPH


def weights_path() -> Path:
    return models_dir() / WEIGHTS


def installed() -> bool:
    """Whether the dewarp pack is on disk (the graph ships with the app; the weights are the pack)."""
    return graph_path().is_file() and weights_path().is_file()


def _interp_matrix(n_out: int, n_grid: int, coords: np.ndarray | None = None) -> np.ndarray:
    """(len, n_grid) linear-interpolation weights from grid nodes to output positions, with
    the grid's ends on the first and last output pixel (align_corners, as UVDoc was trained)."""
    pos = np.arange(n_out, dtype=np.float64) if coords is None else np.asarray(coords, np.float64)
    g = np.clip(pos * (n_grid - 1) / max(n_out - 1, 1), 0, n_grid - 1)
    lo = np.minimum(np.floor(g).astype(int), n_grid - 2)
    frac = g - lo
    out = np.zeros((len(g), n_grid), np.float64)
    rows = np.arange(len(g))
    out[rows, lo] = 1 - frac
    out[rows, lo + 1] += frac
    return out


@dataclass(frozen=True)
class PageGrid:
    """Where each node of the unbent page lies on the photo."""

    nodes: np.ndarray  # (2, gh, gw) photo pixel x and y of each node
    size: tuple[int, int]  # (w, h) of the unbent page

    def to_photo(self, pts: np.ndarray) -> np.ndarray:
        """Points on the unbent page → the same points on the photo."""
        pts = np.asarray(pts, np.float64).reshape(-1, 2)
        w, h = self.size
        gh, gw = self.nodes.shape[1:]
        ax = _interp_matrix(w, gw, pts[:, 0])
        ay = _interp_matrix(h, gh, pts[:, 1])
        x = np.einsum("ij,jk,ik->i", ay, self.nodes[0], ax)
        y = np.einsum("ij,jk,ik->i", ay, self.nodes[1], ax)
        return np.stack([x, y], axis=1).astype(np.float32)

    def to_page(self, pts: np.ndarray) -> np.ndarray:
        """Points on the photo → the unbent page: the nearest point of a lattice over the page,
        then a few Newton steps on the grid's map."""
        pts = np.asarray(pts, np.float64).reshape(-1, 2)
        w, h = self.size
        step = max(2.0, min(w, h) / 120)
        xs, ys = np.meshgrid(np.arange(0, w, step), np.arange(0, h, step))
        lattice = np.stack([xs.ravel(), ys.ravel()], axis=1)
        mapped = self.to_photo(lattice).astype(np.float64)
        out = np.empty_like(pts)
        steps = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
        for i, p in enumerate(pts):
            q = lattice[np.argmin(((mapped - p) ** 2).sum(axis=1))].copy()
            for _ in range(4):
                here = self.to_photo(q + steps).astype(np.float64)
                jac = np.stack([here[1] - here[0], here[2] - here[0]], axis=1)
                try:
                    q = q + np.linalg.solve(jac, p - here[0])
                except np.linalg.LinAlgError:
                    break
                q = np.clip(q, (0, 0), (w - 1, h - 1))
            out[i] = q
        return out.astype(np.float32)

    def unbend(self, photo: np.ndarray) -> np.ndarray:
        """The unbent page, resampled from the photo in row strips."""
        w, h = self.size
        ax = _interp_matrix(w, self.nodes.shape[2]).T.astype(np.float32)
        ay = _interp_matrix(h, self.nodes.shape[1]).astype(np.float32)
        gx, gy = (self.nodes[0].astype(np.float32) @ ax), (self.nodes[1].astype(np.float32) @ ax)
        out = np.empty((h, w, *photo.shape[2:]), photo.dtype)
        for top in range(0, h, STRIP):
            rows = ay[top:top + STRIP]
            out[top:top + STRIP] = cv2.remap(photo, rows @ gx, rows @ gy, cv2.INTER_LINEAR,
                                             borderMode=cv2.BORDER_REPLICATE)
        return out


def _page_size(nodes: np.ndarray, photo_hw: tuple[int, int]) -> tuple[int, int]:
    """The unbent page's size: its grid rows' and columns' median lengths on the photo, so the
    text keeps its size and shape; never more pixels than the photo has (a page is part of its
    photo, and memory stays what loading allowed)."""
    dx = np.hypot(*np.diff(nodes, axis=2)).sum(axis=1)  # each grid row's length
    dy = np.hypot(*np.diff(nodes, axis=1)).sum(axis=0)  # each grid column's length
    h, w = photo_hw
    width, height = max(float(np.median(dx)), 32.0), max(float(np.median(dy)), 32.0)
    if width * height <= h * w:
        return round(width), round(height)
    shrink = np.sqrt(h * w / (width * height))
    return max(32, int(width * shrink)), max(32, int(height * shrink))


class PageDewarper:
    """UVDoc on one shared ONNX Runtime session."""

    def __init__(self, session) -> None:
        self.session = session
        self.input = session.get_inputs()[0].name

    @classmethod
    def load(cls, get_session) -> PageDewarper:
        """`get_session(path)` opens the shared session; a missing pack says how to add it."""
        if not installed():
            from .models import pack_command

            raise ModelError(f"page dewarping needs the dewarp pack; add it with: {pack_command('dewarp')}")
        return cls(get_session(graph_path()))

    def grid(self, photo: np.ndarray) -> PageGrid:
        h, w = photo.shape[:2]
        # Shrunk first: a full-size colour copy of a 35 MP scan would cost 100 MB for nothing.
        small = cv2.resize(photo, INPUT_HW[::-1], interpolation=cv2.INTER_AREA)
        small = cv2.cvtColor(small, cv2.COLOR_BGR2RGB if small.ndim == 3 else cv2.COLOR_GRAY2RGB)
        blob = (small.astype(np.float32) * (1 / 255.0)).transpose(2, 0, 1)[None]
        norm = self.session.run(None, {self.input: np.ascontiguousarray(blob)})[0][0].astype(np.float64)
        nodes = np.stack([(norm[0] + 1) * 0.5 * (w - 1), (norm[1] + 1) * 0.5 * (h - 1)])
        # One more ring of nodes, continued straight out of the edge: UVDoc's page edge can cut
        # the first or last characters of lines that run to the paper's edge.
        nodes = np.pad(nodes, ((0, 0), (MARGIN, MARGIN), (MARGIN, MARGIN)), mode="reflect", reflect_type="odd")
        return PageGrid(nodes, _page_size(nodes, (h, w)))
