"""Real models folders for tests of the optional packs: a copy of the provisioned models as a
bundle ships them (INT8 recogniser only; the dewarp graph without its weights), so the engine
loads real files, not mocks."""

from __future__ import annotations

import shutil
from pathlib import Path

from ocr_app.engine import models

ROOT = Path(__file__).resolve().parents[2]
WHEELS = ROOT / "models" / "_wheels"  # provisioning keeps the wheels it fetched


def int8_only(dest: Path) -> Path:
    """Copy the default set's INT8 files (manifest, detector parts, classifiers, dictionary), the
    dewarp graph and recipe and the Chinese word table to dest."""
    from ocr_app.engine import dewarp, zh_words

    files = models.resolve(None, "int8")
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("manifest.json", dewarp.GRAPH, dewarp.RECIPE, zh_words.FILE):
        shutil.copy2(models.models_dir() / name, dest / name)
    for path in (files.rec, files.cls, files.dict_path, files.orient):
        if path is not None:
            shutil.copy2(path, dest / path.name)
    if files.det_bands is not None:
        shutil.copytree(files.det_bands, dest / files.det_bands.name)
    else:
        shutil.copy2(files.det, dest / files.det.name)
    return dest


def fp32_wheel() -> Path:
    """The cached wheel that holds the default set's FP32 recogniser."""
    man = models.manifest()
    rec = man["model_sets"][man["default_model_set"]]["rec"]
    return WHEELS / man["packages"][man["files"][rec]["package"]]["wheel"]


def dewarp_wheel() -> Path:
    """The cached wheel that holds UVDoc's checkpoint (the dewarp pack's source)."""
    man = models.manifest()
    return WHEELS / man["packages"][man["dewarp"]["package"]]["wheel"]
