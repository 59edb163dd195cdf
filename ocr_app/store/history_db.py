"""The local store: every item read, each page's result and the user's edits, in SQLite.

Why SQLite: one file in the user data folder, written transactionally, readable while
being written (WAL), with FTS5 for search, all in the standard library. A `kill -9` loses
only what was not yet committed: the writer (writer.py) commits within milliseconds.

Schema (PRAGMA user_version):
  1  items (uid, name, path, pasted bytes, status, in_batch, position, dates),
     pages (per item and page index: display text, edits JSON, fingerprint), results (the
     page's OcrResult JSON, apart so that scanning pages.text reads only text),
     state (selection and other small values).
  2  pages_fts: FTS5 with the trigram tokenizer over pages.text (external content, kept
     in step by triggers). Queries of 1-2 characters (a Chinese word is often two) are
     below a trigram and fall back to a LIKE scan of pages.text.
  3  repair: commit 53e32ff wrote version-2 files with no results table, each page's
     result in pages (NOT NULL), so later code could not add pages to them. Such a file
     gets its results moved to `results` and its pages table rebuilt; others only get
     the new number.
Migrations run in order on open; a newer file than this code knows is refused.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths

SCHEMA_VERSION = 3
FILE_NAME = "history.sqlite3"

_V1 = """
CREATE TABLE items(
    uid TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT, data BLOB, document INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'queued', error TEXT, error_kind TEXT,
    in_batch INTEGER NOT NULL DEFAULT 1, position REAL NOT NULL DEFAULT 0,
    added REAL NOT NULL, updated REAL NOT NULL);
CREATE INDEX items_batch ON items(in_batch, position);
CREATE TABLE pages(
    item_uid TEXT NOT NULL REFERENCES items(uid) ON DELETE CASCADE, page_index INTEGER NOT NULL,
    text TEXT NOT NULL DEFAULT '', edits TEXT, fingerprint TEXT, updated REAL NOT NULL,
    PRIMARY KEY(item_uid, page_index));
CREATE TABLE results(
    item_uid TEXT NOT NULL REFERENCES items(uid) ON DELETE CASCADE, page_index INTEGER NOT NULL,
    result TEXT NOT NULL, PRIMARY KEY(item_uid, page_index));
CREATE TABLE state(key TEXT PRIMARY KEY, value TEXT);
"""

_V2 = """
CREATE VIRTUAL TABLE pages_fts USING fts5(text, content='pages', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER pages_ai AFTER INSERT ON pages BEGIN
    INSERT INTO pages_fts(rowid, text) VALUES (new.rowid, new.text); END;
CREATE TRIGGER pages_ad AFTER DELETE ON pages BEGIN
    INSERT INTO pages_fts(pages_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END;
CREATE TRIGGER pages_au AFTER UPDATE OF text ON pages BEGIN
    INSERT INTO pages_fts(pages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO pages_fts(rowid, text) VALUES (new.rowid, new.text); END;
INSERT INTO pages_fts(pages_fts) VALUES ('rebuild');
"""


def _pages_without_result(con: sqlite3.Connection) -> str:
    """Version 3: the repair script for a file whose `pages` still has a `result` column
    (see the schema notes), else nothing to do."""
    columns = [row[1] for row in con.execute("PRAGMA table_info(pages)")]
    if "result" not in columns:
        return ""
    return """
CREATE TABLE IF NOT EXISTS results(
    item_uid TEXT NOT NULL REFERENCES items(uid) ON DELETE CASCADE, page_index INTEGER NOT NULL,
    result TEXT NOT NULL, PRIMARY KEY(item_uid, page_index));
INSERT OR IGNORE INTO results(item_uid, page_index, result) SELECT item_uid, page_index, result FROM pages;
DROP TRIGGER pages_ai; DROP TRIGGER pages_ad; DROP TRIGGER pages_au; DROP TABLE pages_fts;
CREATE TABLE pages_v3(
    item_uid TEXT NOT NULL REFERENCES items(uid) ON DELETE CASCADE, page_index INTEGER NOT NULL,
    text TEXT NOT NULL DEFAULT '', edits TEXT, fingerprint TEXT, updated REAL NOT NULL,
    PRIMARY KEY(item_uid, page_index));
INSERT INTO pages_v3(item_uid, page_index, text, edits, fingerprint, updated)
    SELECT item_uid, page_index, text, edits, fingerprint, updated FROM pages;
DROP TABLE pages;
ALTER TABLE pages_v3 RENAME TO pages;
""" + _V2


# version → the script that brings the previous one to it (or a function of the file giving it)
MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection], str]] = {1: _V1, 2: _V2, 3: _pages_without_result}


class StoreError(RuntimeError):
    """The store cannot be used (newer schema, unreadable file)."""


def default_path() -> Path:
    return paths.user_data_dir() / FILE_NAME


@dataclass
class StoredPage:
    index: int
    result: dict  # OcrResult.to_dict()
    edits: list[dict] | None  # edits.to_json() of the user's lines
    text: str


@dataclass
class StoredItem:
    uid: str
    name: str
    path: str | None
    data: bytes | None
    document: bool
    status: str
    error: str | None
    error_kind: str | None
    added: float
    updated: float
    pages: list[StoredPage] = field(default_factory=list)


@dataclass
class Hit:
    uid: str
    name: str
    path: str | None
    page_index: int
    page: int | None  # the document's page number, None for an image
    updated: float
    snippet: str
    marks: list[tuple[int, int]]  # (start, end) of each hit inside `snippet`
    in_batch: bool


def connect(path: Path | str, migrate_to: int = SCHEMA_VERSION) -> sqlite3.Connection:
    """A connection in WAL mode with the schema brought up to `migrate_to`."""
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), timeout=10.0, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")  # WAL: durable against a crashed or killed process
    con.execute("PRAGMA foreign_keys=ON")
    migrate(con, migrate_to)
    return con


def migrate(con: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(f"the history store was written by a newer OCR Desk (schema {version})")
    while version < target:
        version += 1
        con.execute("BEGIN IMMEDIATE")
        try:
            step = MIGRATIONS[version]
            for statement in _statements(step if isinstance(step, str) else step(con)):
                con.execute(statement)
            con.execute(f"PRAGMA user_version={version}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return version


def _statements(script: str) -> list[str]:
    """Split a script into statements (triggers hold ';' inside BEGIN ... END)."""
    out, buf = [], ""
    for part in script.split(";"):
        buf += part + ";"
        if sqlite3.complete_statement(buf) and buf.strip(" \n;"):
            out.append(buf.strip())
            buf = ""
    return out


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def snippet(text: str, terms: list[str], width: int = 36) -> tuple[str, list[tuple[int, int]]]:
    """A window of `text` around the first hit, one line, with the hits' positions in it."""
    low = text.casefold()
    hits = sorted((i, i + len(t)) for t in terms if (i := low.find(t.casefold())) >= 0)
    first = hits[0][0] if hits else 0
    start = max(0, first - width)
    end = min(len(text), first + width + (hits[0][1] - hits[0][0] if hits else 0))
    piece = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    flat = piece.replace("\n", " ")
    marks = []
    lowp = flat.casefold()
    for t in terms:
        pos = lowp.find(t.casefold())
        while pos >= 0:
            marks.append((pos + len(prefix), pos + len(prefix) + len(t)))
            pos = lowp.find(t.casefold(), pos + len(t))
    return prefix + flat + suffix, sorted(marks)


class HistoryStore:
    """All reads and writes of the store. One instance per thread (sqlite3 connections are
    not shared): the window's writer thread has one, its search box another."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.con = connect(self.path)

    def close(self) -> None:
        self.con.close()

    # ---- writes (each one statement; the writer groups them into transactions) -------------

    def add_item(self, uid: str, name: str, path: str | None, data: bytes | None = None, document: bool = False,
                 in_batch: bool = True, position: float | None = None, status: str = "queued") -> None:
        now = time.time()
        if position is None:
            position = self.con.execute("SELECT coalesce(max(position), 0) + 1 FROM items").fetchone()[0]
        self.con.execute("INSERT OR REPLACE INTO items(uid, name, path, data, document, status, in_batch, position,"
                         " added, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
                         (uid, name, path, data, int(document), status, int(in_batch), position, now, now))

    def set_status(self, uid: str, status: str, error: str | None = None, error_kind: str | None = None) -> None:
        self.con.execute("UPDATE items SET status=?, error=?, error_kind=?, updated=? WHERE uid=?",
                         (status, error, error_kind, time.time(), uid))

    def put_page(self, uid: str, index: int, result: dict, text: str, fingerprint: str | None = None,
                 edits: list[dict] | None = None) -> None:
        self.con.execute(
            "INSERT INTO pages(item_uid, page_index, text, edits, fingerprint, updated) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT(item_uid, page_index) DO UPDATE SET text=excluded.text, edits=excluded.edits,"
            " fingerprint=excluded.fingerprint, updated=excluded.updated",
            (uid, index, text, None if edits is None else json.dumps(edits, ensure_ascii=False), fingerprint,
             time.time()))
        self.con.execute("INSERT OR REPLACE INTO results(item_uid, page_index, result) VALUES (?,?,?)",
                         (uid, index, json.dumps(result, ensure_ascii=False)))

    def clear_pages(self, uid: str) -> None:
        self.con.execute("DELETE FROM pages WHERE item_uid=?", (uid,))
        self.con.execute("DELETE FROM results WHERE item_uid=?", (uid,))

    def put_edits(self, uid: str, index: int, edits: list[dict] | None, text: str) -> None:
        self.con.execute("UPDATE pages SET edits=?, text=?, updated=? WHERE item_uid=? AND page_index=?",
                         (None if edits is None else json.dumps(edits, ensure_ascii=False), text, time.time(), uid,
                          index))

    def set_in_batch(self, uids: list[str], in_batch: bool) -> None:
        self.con.executemany("UPDATE items SET in_batch=? WHERE uid=?", [(int(in_batch), u) for u in uids])

    def set_positions(self, uids: list[str]) -> None:
        self.con.executemany("UPDATE items SET position=? WHERE uid=?", [(n, u) for n, u in enumerate(uids)])

    def set_state(self, key: str, value: object) -> None:
        self.con.execute("INSERT OR REPLACE INTO state(key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def forget(self, uids: list[str]) -> None:
        self.con.executemany("DELETE FROM items WHERE uid=?", [(u,) for u in uids])

    def forget_all(self) -> None:
        self.con.execute("DELETE FROM items")
        self.con.execute("DELETE FROM state")

    def prune(self, days: int) -> int:
        """Forget items outside the batch not touched for `days` days (0: keep forever)."""
        if days <= 0:
            return 0
        cur = self.con.execute("DELETE FROM items WHERE in_batch=0 AND updated < ?", (time.time() - days * 86400,))
        return cur.rowcount

    # ---- reads ----------------------------------------------------------------------

    def state(self, key: str, default: object = None) -> object:
        row = self.con.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def _item(self, row: tuple, with_pages: bool) -> StoredItem:
        item = StoredItem(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6], row[7], row[8], row[9])
        if with_pages:
            for index, result, edits, text in self.con.execute(
                    "SELECT p.page_index, coalesce(r.result, '{}'), p.edits, p.text FROM pages p LEFT JOIN results r"
                    " ON r.item_uid = p.item_uid AND r.page_index = p.page_index WHERE p.item_uid=?"
                    " ORDER BY p.page_index", (item.uid,)):
                item.pages.append(StoredPage(index, json.loads(result), json.loads(edits) if edits else None, text))
        return item

    _COLUMNS = "uid, name, path, data, document, status, error, error_kind, added, updated"

    def batch(self) -> list[StoredItem]:
        """The batch list as it was left: items in order, with their pages and edits."""
        rows = self.con.execute(f"SELECT {self._COLUMNS} FROM items WHERE in_batch=1 ORDER BY position").fetchall()
        return [self._item(r, True) for r in rows]

    def item(self, uid: str) -> StoredItem | None:
        row = self.con.execute(f"SELECT {self._COLUMNS} FROM items WHERE uid=?", (uid,)).fetchone()
        return self._item(row, True) if row else None

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Pages whose text holds every word of `query` (case-insensitive), newest first.

        Words of 3+ characters use the trigram index; shorter ones (a 1-2 character Chinese
        word) are matched with LIKE, over the index's hits when there are longer words, else
        over pages.text (newest first, stopping at `limit`). Both walk rowids downwards, so
        a common word costs no more than a rare one."""
        terms = [t for t in query.split() if t]
        if not terms:
            return []
        long = [t for t in terms if len(t) >= 3]
        short = [t for t in terms if len(t) < 3]
        where, args = [], []
        for t in short:
            where.append("p.text LIKE ? ESCAPE '\\'")
            args.append(_like(t))
        if long:
            match = " AND ".join('"' + t.replace('"', '""') + '"' for t in long)
            sql = ("SELECT p.rowid FROM pages_fts f JOIN pages p ON p.rowid = f.rowid WHERE pages_fts MATCH ? "
                   + "".join(f"AND {w} " for w in where) + "ORDER BY f.rowid DESC LIMIT ?")
            args.insert(0, match)
        else:
            sql = "SELECT p.rowid FROM pages p WHERE " + " AND ".join(where) + " ORDER BY p.rowid DESC LIMIT ?"
        args.append(limit)
        rowids = [r[0] for r in self.con.execute(sql, args)]
        hits = []
        for rowid in rowids:
            row = self.con.execute(
                "SELECT i.uid, i.name, i.path, p.page_index, p.updated, p.text, i.in_batch, "
                "json_extract(r.result, '$.page') FROM pages p JOIN items i ON i.uid = p.item_uid "
                "LEFT JOIN results r ON r.item_uid = p.item_uid AND r.page_index = p.page_index WHERE p.rowid = ?",
                (rowid,)).fetchone()
            if row is None:
                continue
            uid, name, path, index, updated, text, in_batch, page = row
            snip, marks = snippet(text, terms)
            hits.append(Hit(uid, name, path, index, page, updated, snip, marks, bool(in_batch)))
        return hits

    def stats(self) -> dict:
        pages = self.con.execute("SELECT count(*) FROM pages").fetchone()[0]
        items = self.con.execute("SELECT count(*) FROM items").fetchone()[0]
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return {"items": items, "pages": pages, "bytes": size}
