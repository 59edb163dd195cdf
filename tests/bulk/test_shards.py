"""Shards without Ray: a shard is only read once complete, a killed run's whole lines are
recovered once, keys come from content (not from where a file lives), SRCs expand."""

from __future__ import annotations

import json

from ocr_app.bulk.keys import page_key, settings_id
from ocr_app.bulk.locate import expand_sources
from ocr_app.bulk.meter import Meter
from ocr_app.bulk.shards import OutputLock, ShardWriter, complete_shards, recover, scan


def _rec(key: str, **extra) -> dict:
    return {"image": "a.png", "lines": [], "key": key, **extra}


def test_a_shard_is_read_only_once_complete(tmp_path):
    done_shards = []
    writer = ShardWriter(tmp_path, "run1", max_records=3, on_complete=done_shards.append)
    for i in range(4):
        writer.write(_rec(f"k{i}"))
    assert [s.records for s in done_shards] == [3]  # the fourth record sits in an unfinished shard
    assert set(scan(tmp_path)[0]) == {"k0", "k1", "k2"}
    writer.finish()
    done, infos = scan(tmp_path)
    assert set(done) == {"k0", "k1", "k2", "k3"} and [i.records for i in infos] == [3, 1]
    assert not list(tmp_path.glob(".*tmp"))


def test_a_killed_runs_whole_lines_are_recovered_once(tmp_path):
    writer = ShardWriter(tmp_path, "run1", max_records=100)
    writer.write(_rec("a"))
    writer.finish()
    leftover = tmp_path / ".part-run2-00001.jsonl.tmp"  # as a SIGKILL leaves it: the last line cut short
    leftover.write_text(json.dumps(_rec("a")) + "\n" + json.dumps(_rec("b", error="x")) + "\n"
                        + json.dumps(_rec("c"))[:20], encoding="utf-8")
    done, _ = scan(tmp_path)
    assert recover(tmp_path, done, "run3") == 1  # "a" was done already, "c" is cut short
    done, infos = scan(tmp_path)
    assert set(done) == {"a", "b"} and sum(i.failed for i in infos) == 1
    assert not leftover.exists() and len(complete_shards(tmp_path)) == 2
    assert recover(tmp_path, done, "run4") == 0


def test_one_run_per_output_folder(tmp_path):
    first, second = OutputLock(tmp_path), OutputLock(tmp_path)
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def test_keys_follow_content_page_and_settings():
    base = settings_id({})
    assert base == settings_id({"threads": 7})  # threads do not change results
    assert base != settings_id({"use_text_layer": False}) != settings_id({"precision": "fp32"})
    assert page_key("ab" * 32, None, base) == page_key("ab" * 32, 0, base) != page_key("ab" * 32, 1, base)


def test_sources_folders_lists_and_urls(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    for name in ("d/a.png", "d/sub/b.pdf", "d/notes.txt", "c.jpg"):
        (tmp_path / name).write_bytes(b"x")
    listing = tmp_path / "list.txt"
    listing.write_text(f"# a comment\n{tmp_path / 'c.jpg'}\n\n{tmp_path / 'd' / 'a.png'}\n", encoding="utf-8")
    items = expand_sources([str(tmp_path / "d"), f"@{listing}", f"file://{tmp_path / 'd'}"])
    uris = [i.uri for i in items]
    assert uris[:3] == [str(tmp_path / "d" / "a.png"), str(tmp_path / "d" / "sub" / "b.pdf"), str(tmp_path / "c.jpg")]
    assert [u.startswith("file://") for u in uris[3:]] == [True, True] and len(uris) == 5
    assert [i.name for i in items] == ["a.png", "b.pdf", "c.jpg", "a.png", "b.pdf"]


def test_meter_estimates_until_every_file_is_probed():
    meter = Meter(files=10, quiet=True)
    meter.planned(3)
    assert meter.total == (30, False)
    meter.page(failed=False)
    meter.skipped += 1
    assert "2/~30 pages" in meter.line()
    meter.probing_done = True
    assert meter.total == (3, True) and meter.summary() == "1 done, 1 skipped, 0 failed"
