"""Missing or corrupt model files give a ModelError that names the file and the fix.

Each test points OCR_DESK_MODELS at a temp copy of the default model set with one file
removed or damaged. The manifest is lru_cached and ONNX sessions are cached per path, so
both caches are cleared before and after (the session-scoped engine keeps its own
references and is unaffected).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ocr_app import paths
from ocr_app.engine import Engine, EngineConfig, ModelError, session
from ocr_app.engine.models import manifest, resolve
from tests.imagegen import render_lines, save, to_bytes

ORIGINAL_OVERRIDE = os.environ.get("OCR_DESK_MODELS")
HINT = "python -m ocr_app.tooling.provision"
REPO = Path(__file__).resolve().parents[2]


def _fresh_caches() -> None:
    manifest.cache_clear()
    session.clear()


@pytest.fixture
def model_copy(tmp_path, monkeypatch) -> dict[str, Path]:
    """A private models/ folder with the default set; role → copied file."""
    real = paths.models_dir()
    _fresh_caches()
    files = resolve(None, "int8")
    target = tmp_path / "models"
    target.mkdir()
    shutil.copy2(real / "manifest.json", target / "manifest.json")
    copies = {"manifest": target / "manifest.json"}
    for role in ("det", "rec", "cls", "dict_path"):
        src = getattr(files, role)
        if src is not None:
            copies[role] = Path(shutil.copy2(src, target / src.name))
    monkeypatch.setenv("OCR_DESK_MODELS", str(target))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no optimised graphs left behind
    _fresh_caches()
    yield copies
    monkeypatch.undo()
    _fresh_caches()


def test_intact_copy_works(model_copy):
    """Control: the copied folder on its own is a working model set."""
    engine = Engine(EngineConfig(threads=1))
    assert str(model_copy["det"].parent) in str(engine.models.det)
    res = engine.run(to_bytes(render_lines(["MODEL COPY OK"])), use_cache=False)
    assert res.error is None and "MODEL" in res.text


@pytest.mark.parametrize("role", ["det", "rec", "cls"])
def test_missing_model_file(model_copy, role):
    model_copy[role].unlink()
    with pytest.raises(ModelError) as info:
        Engine(EngineConfig(threads=1))
    message = str(info.value)
    assert "missing" in message and str(model_copy[role]) in message and HINT in message


@pytest.mark.parametrize("damage", ["truncated", "zeroed", "empty", "garbage"])
@pytest.mark.parametrize("role", ["det", "rec", "cls"])
def test_corrupt_model_file(model_copy, role, damage):
    path = model_copy[role]
    data = path.read_bytes()
    path.write_bytes({"truncated": data[: len(data) // 3], "zeroed": bytes(len(data)), "empty": b"",
                      "garbage": b"this is not an onnx model\n" * 100}[damage])
    with pytest.raises(ModelError) as info:
        Engine(EngineConfig(threads=1))
    message = str(info.value)
    assert "corrupt" in message and str(path) in message and HINT in message


def test_missing_manifest(model_copy):
    model_copy["manifest"].unlink()
    with pytest.raises(ModelError) as info:
        Engine(EngineConfig(threads=1))
    assert str(model_copy["manifest"]) in str(info.value) and HINT in str(info.value)


def test_corrupt_manifest(model_copy):
    model_copy["manifest"].write_text('{"model_sets": {', encoding="utf-8")
    with pytest.raises(ModelError) as info:
        Engine(EngineConfig(threads=1))
    assert str(model_copy["manifest"]) in str(info.value) and HINT in str(info.value)


def test_models_folder_missing_entirely(tmp_path, monkeypatch):
    monkeypatch.setenv("OCR_DESK_MODELS", str(tmp_path / "nowhere"))
    _fresh_caches()
    try:
        with pytest.raises(ModelError) as info:
            Engine(EngineConfig(threads=1))
        assert "nowhere" in str(info.value) and HINT in str(info.value)
    finally:
        monkeypatch.undo()
        _fresh_caches()


def test_wrong_model_in_a_slot_is_an_error_not_a_crash(model_copy):
    shutil.copy2(model_copy["cls"], model_copy["det"])  # a valid ONNX file, but not a detector
    try:
        engine = Engine(EngineConfig(threads=1))
    except ModelError as exc:
        assert str(model_copy["det"]) in str(exc)
        return
    res = engine.run(to_bytes(render_lines(["WRONG MODEL"])), use_cache=False)
    assert res.error is not None


def test_cli_reports_missing_model_cleanly(model_copy, tmp_path):
    """The CLI turns the ModelError into a one-line message and exit code 2, no traceback."""
    model_copy["rec"].unlink()
    image = save(render_lines(["CLI"]), tmp_path / "in.png")
    proc = subprocess.run([sys.executable, "main.py", "ocr", str(image), "--jsonl", str(tmp_path / "o.jsonl")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(model_copy["rec"]) in proc.stderr and HINT in proc.stderr


def test_caches_restored_after_model_tests(engine):
    """The shared engine still works once the temp folders are gone."""
    assert os.environ.get("OCR_DESK_MODELS") == ORIGINAL_OVERRIDE
    assert resolve().det.parent == paths.models_dir()
    res = engine.run(to_bytes(render_lines(["STILL WORKING 99"])), use_cache=False)
    assert res.error is None and "WORKING" in res.text
