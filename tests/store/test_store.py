"""The history store: schema migration, FTS search in English and Chinese (1, 2, 3+
characters), edits and forgetting, the writer thread. No Qt, no engine."""

from __future__ import annotations

import sqlite3

from ocr_app.store import SCHEMA_VERSION, HistoryStore, StoreWriter, connect

PAGES = {
    "receipt.png": "CORNER CAFE\nLatte x2 9.00\nTotal amount: 38.90",
    "notes.jpg": "Meeting notes 12 May\nBudget approved",
    "中文.png": "基于轮廓检测自动校正倾斜\n单次推理内使用多线程加速",
    "扫描.pdf": "北京大学出版社\n第三章 总结",
}


OLD_53E32FF = """
CREATE TABLE items(
    uid TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT, data BLOB, document INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'queued', error TEXT, error_kind TEXT,
    in_batch INTEGER NOT NULL DEFAULT 1, position REAL NOT NULL DEFAULT 0,
    added REAL NOT NULL, updated REAL NOT NULL);
CREATE INDEX items_batch ON items(in_batch, position);
CREATE TABLE pages(
    item_uid TEXT NOT NULL REFERENCES items(uid) ON DELETE CASCADE, page_index INTEGER NOT NULL,
    text TEXT NOT NULL DEFAULT '', edits TEXT, fingerprint TEXT, updated REAL NOT NULL, result TEXT NOT NULL,
    PRIMARY KEY(item_uid, page_index));
CREATE TABLE state(key TEXT PRIMARY KEY, value TEXT);
CREATE VIRTUAL TABLE pages_fts USING fts5(text, content='pages', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER pages_ai AFTER INSERT ON pages BEGIN
    INSERT INTO pages_fts(rowid, text) VALUES (new.rowid, new.text); END;
CREATE TRIGGER pages_ad AFTER DELETE ON pages BEGIN
    INSERT INTO pages_fts(pages_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END;
CREATE TRIGGER pages_au AFTER UPDATE OF text ON pages BEGIN
    INSERT INTO pages_fts(pages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO pages_fts(rowid, text) VALUES (new.rowid, new.text); END;
"""


def _fill(store: HistoryStore) -> None:
    for n, (name, text) in enumerate(PAGES.items()):
        store.add_item(f"u{n}", name, f"/data/{name}", status="done")
        store.put_page(f"u{n}", 0, {"image": name, "lines": []}, text, "fp")


def test_new_store_is_wal_and_current(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite3")
    assert store.con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_search_english_and_chinese_of_every_length(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite3")
    _fill(store)

    def names(query: str) -> set[str]:
        return {h.name for h in store.search(query)}

    assert names("corner") == {"receipt.png"}  # case-insensitive, 3+ characters: the trigram index
    assert names("38.90") == {"receipt.png"}
    assert names("budget approved") == {"notes.jpg"}  # every word must occur
    assert names("轮廓检测") == {"中文.png"}  # 4 characters
    assert names("多线程") == {"中文.png"}  # 3 characters
    assert names("推理") == {"中文.png"}  # 2 characters: the LIKE fallback
    assert names("北") == {"扫描.pdf"}  # 1 character
    assert names("章 总结") == {"扫描.pdf"}  # short words mixed
    assert names("Latte 推理") == set()
    assert names("zebra") == set() and names("   ") == set()
    hit = store.search("轮廓")[0]
    start, end = hit.marks[0]
    assert hit.snippet[start:end] == "轮廓" and hit.path == "/data/中文.png" and hit.page_index == 0


def test_edits_replace_the_searchable_text_and_forget_removes(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite3")
    _fill(store)
    store.put_edits("u0", 0, [{"text": "KORNER CAFE", "source": 0, "merged": []}], "KORNER CAFE\nLatte x2 9.00")
    assert [h.name for h in store.search("korner")] == ["receipt.png"]
    assert store.search("corner") == []
    assert store.item("u0").pages[0].edits[0]["text"] == "KORNER CAFE"
    store.forget(["u0"])
    assert store.search("korner") == [] and store.item("u0") is None
    store.forget_all()
    assert store.search("轮廓") == [] and store.stats()["pages"] == 0


def test_batch_order_membership_state_and_prune(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite3")
    _fill(store)
    store.set_in_batch(["u1"], False)
    assert [i.name for i in store.batch()] == ["receipt.png", "中文.png", "扫描.pdf"]
    store.set_positions(["u3", "u0", "u2"])
    assert [i.uid for i in store.batch()] == ["u3", "u0", "u2"]
    store.set_state("selection", ["u2", 0])
    assert store.state("selection") == ["u2", 0]
    store.con.execute("UPDATE items SET updated = updated - 40 * 86400 WHERE uid = 'u1'")
    assert store.prune(30) == 1 and store.item("u1") is None and store.item("u0") is not None
    assert any(h.name == "notes.jpg" for h in store.search("budget")) is False


def test_migration_from_version_1(tmp_path):
    """A version-1 file (no search index) opens at the current version with its old pages searchable."""
    path = tmp_path / "old.sqlite3"
    con = connect(path, migrate_to=1)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    con.execute("INSERT INTO items(uid, name, path, status, added, updated) "
                "VALUES ('a', 'old.png', NULL, 'done', 1, 1)")
    con.execute("INSERT INTO pages(item_uid, page_index, text, updated) "
                "VALUES ('a', 0, 'written before search existed 旧文本', 1)")
    assert not con.execute("SELECT name FROM sqlite_master WHERE name = 'pages_fts'").fetchall()
    con.close()
    store = HistoryStore(path)
    assert store.con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [h.name for h in store.search("search existed")] == ["old.png"]
    assert [h.name for h in store.search("旧文")] == ["old.png"]
    store.put_page("a", 1, {}, "a page added after the migration")
    assert [h.page_index for h in store.search("after the migration")] == [1]


def test_version_2_file_with_results_in_pages_is_repaired(tmp_path):
    """Commit 53e32ff wrote version-2 files whose pages held the result (NOT NULL): adding a
    page to one failed. Opened now, its pages and results survive and new pages go in."""
    path = tmp_path / "53e32ff.sqlite3"
    con = sqlite3.connect(path, isolation_level=None)
    con.executescript(OLD_53E32FF)  # that commit's version 1 and 2 scripts, verbatim
    con.execute("PRAGMA user_version=2")
    con.execute("INSERT INTO items(uid, name, path, status, added, updated) "
                "VALUES ('a', 'kept.png', NULL, 'done', 1, 1)")
    con.execute("INSERT INTO pages(item_uid, page_index, text, edits, updated, result) VALUES "
                "('a', 0, 'read before the fix 修复前', '[]', 1, '{\"image\": \"kept.png\", \"lines\": []}')")
    con.close()
    store = HistoryStore(path)
    assert store.con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "result" not in [row[1] for row in store.con.execute("PRAGMA table_info(pages)")]
    item = store.item("a")
    assert item is not None and [(p.index, p.result["image"], p.edits) for p in item.pages] == [(0, "kept.png", [])]
    assert [h.name for h in store.search("before the fix")] == ["kept.png"]
    assert [h.name for h in store.search("修复")] == ["kept.png"]
    assert store.con.execute("SELECT result FROM results WHERE item_uid='a'").fetchone()[0].startswith('{"image"')
    store.put_page("a", 1, {"image": "kept.png", "lines": []}, "a page added after the repair")
    assert [h.page_index for h in store.search("after the repair")] == [1]
    store.put_page("a", 0, {}, "page one edited")  # the old row takes updates too
    assert [h.page_index for h in store.search("page one edited")] == [0]
    assert not store.search("before the fix")


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    con.close()
    try:
        HistoryStore(path)
    except Exception as exc:
        assert "newer" in str(exc)
    else:
        raise AssertionError("a newer schema must not be opened")


def test_writer_commits_off_the_calling_thread(tmp_path):
    path = tmp_path / "h.sqlite3"
    writer = StoreWriter(path)
    writer.submit("add_item", "w", "w.png", None, b"\x89PNG", False, True, None, "done")
    for i in range(20):
        writer.submit("put_page", "w", i, {"page": i + 1}, f"page number {i} text")
    writer.submit("no_such_operation")  # reported, and the others still commit
    assert writer.flush()
    reader = HistoryStore(path)
    assert len(reader.item("w").pages) == 20 and reader.item("w").data == b"\x89PNG"
    assert sorted(h.page for h in reader.search("number 7")) == [8, 18]  # every word, anywhere
    writer.close()
