"""The optimised-graph cache: a second start loads the saved graph and computes the same
numbers; a damaged, stale or unwritable cache never stops a session from being built."""

from __future__ import annotations

import numpy as np
import pytest

from ocr_app.engine import session
from ocr_app.engine.models import resolve


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("OCR_DESK_NO_GRAPH_CACHE", raising=False)
    return tmp_path / "cache" / "ocr-desk" / "ort-graphs"


def _model():
    return resolve(None, "int8").cls


def _outputs(sess) -> np.ndarray:
    x = np.random.default_rng(3).uniform(-1, 1, (4, 3, 48, 192)).astype(np.float32)
    return sess.run(None, {sess.get_inputs()[0].name: x})[0]


def test_second_start_loads_the_saved_graph_with_the_same_output(cache_home):
    first = session._create(_model(), 2)
    saved = list(cache_home.glob("*.onnx"))
    assert len(saved) == 1 and saved[0].stat().st_size > 0
    assert not list(cache_home.glob("*.tmp"))
    stamp = saved[0].stat().st_mtime_ns
    second = session._create(_model(), 2)
    assert saved[0].stat().st_mtime_ns == stamp  # read, not rewritten
    np.testing.assert_array_equal(_outputs(first), _outputs(second))


def test_the_recogniser_keeps_its_dictionary_through_the_cache(cache_home):
    rec = resolve(None, "int8").rec
    session._create(rec, 2)
    cached = session._create(rec, 2)
    assert "character" in cached.get_modelmeta().custom_metadata_map


def test_damaged_graph_is_rebuilt(cache_home):
    session._create(_model(), 2)
    (saved,) = cache_home.glob("*.onnx")
    saved.write_bytes(b"not a graph")
    sess = session._create(_model(), 2)
    assert _outputs(sess).shape[0] == 4
    assert saved.stat().st_size > 1000  # written again from the model


def test_older_graphs_of_the_same_model_are_deleted(cache_home):
    cache_home.mkdir(parents=True)
    prefix = session._cache_prefix(_model().name)
    stale = cache_home / f"{prefix}0123456789abcdef0123.onnx"
    other = cache_home / f"{session._cache_prefix('ppocrv6_det_small.onnx')}0123456789abcdef0123.onnx"
    stale.write_bytes(b"old")
    other.write_bytes(b"another model")
    session._create(_model(), 2)
    assert not stale.exists() and other.exists()
    assert len(list(cache_home.glob(prefix + "*.onnx"))) == 1


def test_temporary_files_left_by_a_killed_start_are_removed(cache_home):
    """A start killed while writing its graph leaves `<prefix>...tmp`; the next session of
    that model removes such files once they are old (a cached graph or not), not a fresh
    one that another process may still be writing."""
    import os
    import time

    cache_home.mkdir(parents=True)
    prefix = session._cache_prefix(_model().name)
    left = cache_home / f"{prefix}0123456789abcdef0123abc123.tmp"
    fresh = cache_home / f"{prefix}0123456789abcdef0123def456.tmp"
    other = cache_home / f"{session._cache_prefix('ppocrv6_det_small.onnx')}0123456789abcdef0123abc.tmp"
    for path in (left, fresh, other):
        path.write_bytes(b"partial graph")
    hour_ago = time.time() - 3600
    os.utime(left, (hour_ago, hour_ago))
    os.utime(other, (hour_ago, hour_ago))
    session._create(_model(), 2)
    assert not left.exists() and fresh.exists() and other.exists()
    os.utime(fresh, (hour_ago, hour_ago))
    session._create(_model(), 2)  # loaded from the cached graph this time
    assert not fresh.exists() and other.exists()


def test_unwritable_cache_or_switched_off_still_builds_the_session(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _outputs(session._create(_model(), 2)).shape[0] == 4
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("OCR_DESK_NO_GRAPH_CACHE", "1")
    assert _outputs(session._create(_model(), 2)).shape[0] == 4
    assert not (tmp_path / "cache").exists()


def test_result_cache_keys_change_when_a_model_file_is_remade(tmp_path):
    import dataclasses
    import os

    files = {}
    for name in ("det.onnx", "rec.int8.onnx", "cls.onnx"):
        files[name] = tmp_path / name
        files[name].write_bytes(b"model")
    models = dataclasses.replace(resolve(None, "int8"), det=files["det.onnx"], rec=files["rec.int8.onnx"],
                                 cls=files["cls.onnx"], dict_path=None)
    before = models.identity()
    stat = files["rec.int8.onnx"].stat()
    os.utime(files["rec.int8.onnx"], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert models.identity() != before
