"""Model manifest: which files make a model set, where they live, which INT8 variants exist."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..options import PRECISIONS
from ..paths import is_frozen, models_dir
from . import cpu_features, det_bands
from .errors import PROVISION_HINT, ModelError


@lru_cache(maxsize=1)
def manifest() -> dict:
    path = models_dir() / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"model manifest unreadable: {path} ({exc}); {PROVISION_HINT}") from exc


def default_model_set() -> str:
    return manifest()["default_model_set"]


def model_set_names() -> list[str]:
    return list(manifest()["model_sets"])


def file_stamp(path: Path) -> str:
    """Size and modification time: changes whenever the file is re-made (provisioned,
    re-quantised), without reading it."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def int8_name(name: str) -> str:
    return name.replace(".onnx", ".int8.onnx")


@dataclass(frozen=True)
class ModelFiles:
    """Resolved paths of one model set at one precision."""

    name: str
    precision: str
    det: Path
    rec: Path
    cls: Path
    dict_path: Path | None
    det_bands: Path | None = None  # the detector cut into parts run in row bands (det_bands.py)
    orient: Path | None = None  # the page-orientation classifier (orient.py); None: pages are read as they lie

    def identity(self) -> str:
        """Name and stamp of each file of the set, for keys of results they produced (the
        band parts' stamp stands for a detector shipped only as parts)."""
        det = self.det if self.det.is_file() or self.det_bands is None else self.det_bands / det_bands.STAMP
        files = (det, self.rec, self.cls, self.dict_path, self.orient)
        return ";".join(f"{f.name}:{file_stamp(f)}" for f in files if f is not None)

    def describe(self) -> dict[str, str | bool | None]:
        return {"set": self.name, "precision": self.precision, "det": self.det.name,
                "rec": self.rec.name, "cls": self.cls.name, "det_bands": self.det_bands is not None,
                "orient": self.orient.name if self.orient is not None else None,
                "int8_kernel": cpu_features.int8_variant() if self.rec.name.endswith(".int8.onnx") else None}


def _pick(name: str, precision: str, quantised: dict) -> Path:
    base = models_dir()
    if precision == "int8" and name in quantised:
        return base / int8_name(name)
    return base / name


def banded_detector(det_name: str) -> Path | None:
    """The parts directory of a detector that has a band split, if provisioning made it
    from the manifest's file; None runs the detector as one graph."""
    spec_name = manifest().get("det_bands", {}).get(det_name)
    sha = manifest().get("files", {}).get(det_name, {}).get("sha256")
    if spec_name not in det_bands.SPECS or not sha:
        return None
    directory = det_bands.parts_dir(models_dir() / det_name)
    return directory if det_bands.is_current(directory, spec_name, sha) else None


def _optional(name: str | None) -> Path | None:
    """A model the engine can do without (provisioned by a newer version than made models/)."""
    path = models_dir() / name if name else None
    return path if path is not None and path.is_file() else None


def pack_command(pack: str) -> str:
    """How the user adds an optional model pack (tooling/packs.py), as typed where they run the app."""
    if is_frozen():
        return f"{'ocr-desk-cli' if sys.platform == 'win32' else 'ocr-desk'} provision --pack {pack}"
    return f"python main.py provision --pack {pack}"


def installed_precisions(set_name: str | None = None) -> tuple[str, ...]:
    """Precisions whose recogniser is on disk: the bundle ships INT8 only, FP32 is an optional pack."""
    man = manifest()
    spec = man["model_sets"].get(set_name or man["default_model_set"])
    if spec is None:
        return ()
    quantised = man.get("quantise", {})
    return tuple(p for p in PRECISIONS if _pick(spec["rec"], p, quantised).is_file())


def resolve(set_name: str | None = None, precision: str = "int8") -> ModelFiles:
    """Paths for a model set; raises ModelError naming any missing file."""
    man = manifest()
    set_name = set_name or man["default_model_set"]
    if set_name not in man["model_sets"]:
        raise ModelError(f"unknown model set {set_name!r}; known: {', '.join(man['model_sets'])}")
    if precision not in PRECISIONS:
        raise ModelError(f"unknown precision {precision!r}; use one of {PRECISIONS}")
    spec = man["model_sets"][set_name]
    quantised = man.get("quantise", {})
    files = ModelFiles(
        name=set_name,
        precision=precision,
        det=_pick(spec["det"], precision, quantised),
        rec=_pick(spec["rec"], precision, quantised),
        cls=_pick(spec["cls"], precision, quantised),
        dict_path=models_dir() / spec["dict"] if spec.get("dict") else None,
        det_bands=banded_detector(spec["det"]),
        orient=_optional(spec.get("orient")),
    )
    # With current band parts the one-graph detector is not needed (a bundle ships one form).
    whole = files.det if files.det_bands is None else None
    if precision == "fp32" and spec["rec"] in quantised and not files.rec.is_file() \
            and (models_dir() / int8_name(spec["rec"])).is_file():
        raise ModelError(f"the FP32 models are not installed ({files.rec.name} is missing from {models_dir()}); "
                         f"they are an optional pack: add them with: {pack_command('fp32')}")
    for path in (whole, files.rec, files.cls, files.dict_path):
        if path is not None and not path.is_file():
            raise ModelError(f"model file missing: {path}; {PROVISION_HINT}")
    return files
