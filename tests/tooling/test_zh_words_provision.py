"""Provisioning packs jieba's dictionary into models/zh_words.u64: from the source archive
PyPI has, both the dictionary's and the packed table's sha256 checked, written atomically."""

from __future__ import annotations

import json
import shutil

import pytest

from ocr_app.engine import models, zh_words
from ocr_app.tooling import packs, provision
from tests.tooling.model_dirs import ROOT, WHEELS


@pytest.fixture
def models_copy(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy2(ROOT / "models" / "manifest.json", folder / "manifest.json")
    monkeypatch.setenv("OCR_DESK_MODELS", str(folder))
    models.manifest.cache_clear()  # read from the copy, and from the real folder again after
    yield folder
    models.manifest.cache_clear()


def _archive() -> str:
    return packs.archive_name(json.loads((ROOT / "models" / "manifest.json").read_text())["packages"]["jieba"])


def test_the_table_is_made_from_the_cached_source_archive_and_then_kept(models_copy):
    assert (WHEELS / _archive()).is_file(), "provisioning keeps jieba's source archive in models/_wheels"
    target = provision.provision_words(WHEELS)
    assert target == models_copy / zh_words.FILE
    spec = json.loads((models_copy / "manifest.json").read_text())["zh_words"]
    assert packs.sha256(target) == spec["sha256"]
    table = zh_words.table()
    assert table is not None and len(table) == target.stat().st_size // 8
    # 会议, 召开: words; 在, 三楼 (not in the dictionary), 了, 吗: not.
    assert table.inside_words("会议在三楼召开了吗") == [True, True, False, False, False, True, True, False, False]
    stamp = target.stat().st_mtime_ns
    provision.provision_words(WHEELS)
    assert target.stat().st_mtime_ns == stamp  # current: not made again


@pytest.mark.parametrize("field", ["member_sha256", "sha256"])
def test_a_dictionary_or_table_that_is_not_the_manifests_is_refused(models_copy, field):
    manifest = json.loads((models_copy / "manifest.json").read_text())
    manifest["zh_words"][field] = "0" * 64
    (models_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(packs.PackError, match=r"checksum mismatch|does not match"):
        provision.provision_words(WHEELS)
    assert sorted(p.name for p in models_copy.iterdir()) == ["manifest.json"]  # nothing written, no temp file


def test_without_a_connection_the_message_names_the_archive_and_where_to_get_it(tmp_path, monkeypatch):
    def offline(url, target):
        raise packs.PackError(f"download failed: {url}: could not resolve host")

    monkeypatch.setattr(packs, "is_frozen", lambda: True)  # the bundle's path: curl or wget, no pip
    monkeypatch.setattr(packs, "_http_get", offline)
    with pytest.raises(packs.PackError) as caught:
        packs.fetch_wheel("jieba", tmp_path / "cache")
    assert "download jieba-0.42.1.tar.gz from https://pypi.org/project/jieba/0.42.1/#files" in str(caught.value)
    assert not any((tmp_path / "cache").iterdir())  # no partial file left


def test_provisioning_goes_on_without_the_table_when_it_cannot_be_fetched(models_copy, monkeypatch, capsys):
    """Offline, an install whose models are all there keeps working: the table only refines the highlight."""
    def offline(package, wheel_dir, *args, **kwargs):
        raise packs.PackError(f"download failed: {package}: could not resolve host")

    monkeypatch.setattr(provision, "fetch_wheel", offline)
    assert provision.words_or_warning(models_copy / "_wheels") is None
    assert "could not be made" in capsys.readouterr().err
    assert not (models_copy / zh_words.FILE).exists() and zh_words.table() is None
