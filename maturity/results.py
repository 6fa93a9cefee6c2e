"""Where batch results go: an SQLite database (the default; the table layout is in
docs/portfolio.md), or a CSV or JSONL file when the output's suffix says so. sqlite3 is imported
only here, and this module only by the commands that read or write results.

Each organisation is stored whole or not at all: its row and its elements' rows go in in one
transaction, so an interrupted batch leaves a database that holds complete organisations only.
CSV and JSONL files are written whole at the end (or at an interrupt), sorted, so the same
results give the same bytes."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .records import Record
from .errors import DataError, OutputError, Problem
from .model import Model
from .files import write_atomic
from .yamlio import display_path

FORMAT = "1"
RETRIED_KINDS = ("crash", "timeout")   # errors that a later run tries again

SCHEMA = """
CREATE TABLE IF NOT EXISTS dots_results (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS packs (
    pack_hash    TEXT PRIMARY KEY,
    pack_id      TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    label        TEXT NOT NULL,
    stages       TEXT NOT NULL,
    statuses     TEXT NOT NULL,
    elements     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS organisations (
    pack_hash    TEXT NOT NULL REFERENCES packs (pack_hash),
    content_hash TEXT NOT NULL,
    pack_id      TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    source       TEXT NOT NULL,
    row          INTEGER NOT NULL,
    org_id       TEXT NOT NULL,
    name         TEXT NOT NULL,
    sector       TEXT NOT NULL,
    size         TEXT NOT NULL,
    meta         TEXT NOT NULL,
    stage        TEXT,
    stage_rank   INTEGER,
    next_dot     TEXT,
    error_kind   TEXT,
    error        TEXT,
    attempts     INTEGER NOT NULL,
    PRIMARY KEY (pack_hash, content_hash)
);
CREATE TABLE IF NOT EXISTS elements (
    pack_hash    TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    element      TEXT NOT NULL,
    position     INTEGER NOT NULL,
    status       TEXT NOT NULL,
    status_rank  INTEGER NOT NULL,
    done         INTEGER NOT NULL,
    disconnected INTEGER NOT NULL,
    PRIMARY KEY (pack_hash, content_hash, element),
    FOREIGN KEY (pack_hash, content_hash) REFERENCES organisations (pack_hash, content_hash)
) WITHOUT ROWID;
"""

COLUMNS = ("source", "row", "content_hash", "pack_id", "pack_version", "pack_hash", "org_id", "name",
           "sector", "size", "stage", "stage_rank", "next_dot", "error_kind", "error", "attempts", "meta")


def pack_row(model: Model, pack_hash: str) -> tuple:
    return (pack_hash, model.id, model.version or "", model.label,
            json.dumps([{"id": s.id, "label": s.label} for s in model.stages]),
            json.dumps([{"id": s.id, "label": s.label, "done": s.done} for s in model.statuses]),
            json.dumps([{"id": e.id, "label": e.label} for e in model.elements]))


def output_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".jsonl"):
        return suffix[1:]
    if suffix in (".sqlite", ".sqlite3", ".db", ""):
        return "sqlite"
    raise OutputError(f"unknown results format '{path.suffix}'",
                      "use .sqlite (or .db) for a database, .csv or .jsonl", display_path(path))


def open_store(path: Path, model: Model, pack_hash: str) -> "Store":
    kind = output_kind(path)
    if kind == "sqlite":
        return SqliteStore(path, model, pack_hash)
    return FileStore(path, model, pack_hash, kind)


class Store:
    """Results of one pack in one output: what is there already, and adding records."""

    def done(self, key: str) -> bool: ...
    def add(self, record: Record) -> None: ...
    def tick(self) -> None:
        """Called at least once a second while a batch runs."""
    def close(self) -> None: ...


# SQLite ----------------------------------------------------------------------------------

def connect(path: Path, create: bool) -> sqlite3.Connection:
    """Open a results database (made when `create`), refusing files that are not one."""
    shown = display_path(path)
    if path.is_dir():
        raise OutputError("is a folder", "give a results file", shown)
    exists = path.exists() and path.stat().st_size > 0
    if exists:
        with path.open("rb") as f:
            if f.read(16) != b"SQLite format 3\0":
                raise DataError([Problem(shown, 0, 0, "not a dots results database (not SQLite)",
                                         "give the file that 'dots batch -o' wrote, or a new name")])
    elif not create:
        raise DataError([Problem(shown, 0, 0, "no such file", "run 'dots batch ... -o' first")])
    try:
        db = sqlite3.connect(path, isolation_level=None)
        if exists:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "dots_results" not in tables:
                db.close()
                raise DataError([Problem(shown, 0, 0, "an SQLite database, but not dots results",
                                         "give the file that 'dots batch -o' wrote, or a new name")])
            found = db.execute("SELECT value FROM dots_results WHERE key='format'").fetchone()
            if not found or found[0] != FORMAT:
                db.close()
                raise DataError([Problem(shown, 0, 0, f"results written in format "
                                         f"{found[0] if found else '?'}; this dots reads {FORMAT}")])
        elif create:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript("BEGIN;" + SCHEMA +
                             f"INSERT OR IGNORE INTO dots_results VALUES ('format', '{FORMAT}'); COMMIT;")
    except sqlite3.DatabaseError as exc:
        raise DataError([Problem(shown, 0, 0, f"cannot read the database: {exc}")]) from None
    return db


class SqliteStore(Store):
    """Records are written in batches, each in one transaction with all its organisations'
    rows: a database is never left with half an organisation, whenever the batch stops."""

    COMMIT_EVERY = 1000      # records
    COMMIT_SECONDS = 1.0

    def __init__(self, path: Path, model: Model, pack_hash: str) -> None:
        self.path, self.pack_hash, self.model = path, pack_hash, model
        self.db = connect(path, create=True)
        self.db.execute("PRAGMA synchronous=NORMAL")
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("INSERT OR IGNORE INTO packs VALUES (?,?,?,?,?,?,?)", pack_row(model, pack_hash))
        # A pack with nothing stored yet needs no look-up per organisation.
        self.empty = self.db.execute("SELECT 1 FROM organisations WHERE pack_hash=? LIMIT 1",
                                     (pack_hash,)).fetchone() is None
        self.buffer: list[Record] = []
        self.since = time.monotonic()

    def done(self, key: str) -> bool:
        if self.empty:
            return False
        found = self.db.execute("SELECT error_kind FROM organisations WHERE pack_hash=? AND "
                                "content_hash=?", (self.pack_hash, key)).fetchone()
        return found is not None and found[0] not in RETRIED_KINDS

    def add(self, r: Record) -> None:
        self.buffer.append(r)
        if len(self.buffer) >= self.COMMIT_EVERY or time.monotonic() - self.since > self.COMMIT_SECONDS:
            self.flush()

    def tick(self) -> None:
        if self.buffer and time.monotonic() - self.since > self.COMMIT_SECONDS:
            self.flush()

    def flush(self) -> None:
        h, pid, version = self.pack_hash, self.model.id, self.model.version or ""
        records, self.buffer, self.since = self.buffer, [], time.monotonic()
        if not records:
            return
        db = self.db
        db.execute("BEGIN")
        try:
            if not self.empty:  # a record may replace one stored before (a crash tried again)
                db.executemany("DELETE FROM elements WHERE pack_hash=? AND content_hash=?",
                               [(h, r.key) for r in records])
            db.executemany("INSERT OR REPLACE INTO organisations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           [(h, r.key, pid, version, r.source, r.row, r.org_id, r.name, r.sector, r.size,
                             json.dumps(r.meta, sort_keys=True), r.stage, r.stage_rank, r.next_dot,
                             r.error_kind, r.error, r.attempts) for r in records])
            db.executemany("INSERT OR REPLACE INTO elements VALUES (?,?,?,?,?,?,?,?)",
                           [(h, r.key, e[0], n, e[1], e[2], int(e[3]), int(e[4]))
                            for r in records for n, e in enumerate(r.elements)])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.db.close()


# CSV and JSONL ---------------------------------------------------------------------------

class FileStore(Store):
    """A CSV or JSONL file: read back for resuming, and written whole, sorted, at the end."""

    def __init__(self, path: Path, model: Model, pack_hash: str, kind: str) -> None:
        self.path, self.model, self.pack_hash, self.kind = path, model, pack_hash, kind
        self.rows: dict[tuple[str, str], dict] = {}
        if path.exists():
            for row in _read_flat(path, kind):
                self.rows[(row["pack_hash"], row["content_hash"])] = row

    def done(self, key: str) -> bool:
        row = self.rows.get((self.pack_hash, key))
        return row is not None and row.get("error_kind") not in RETRIED_KINDS

    def add(self, r: Record) -> None:
        row = {"source": r.source, "row": r.row, "content_hash": r.key, "pack_id": self.model.id,
               "pack_version": self.model.version or "", "pack_hash": self.pack_hash,
               "org_id": r.org_id, "name": r.name, "sector": r.sector, "size": r.size,
               "stage": r.stage, "stage_rank": r.stage_rank, "next_dot": r.next_dot,
               "error_kind": r.error_kind, "error": r.error, "attempts": r.attempts, "meta": r.meta,
               "elements": [{"id": e[0], "status": e[1], "rank": e[2], "done": e[3],
                             "disconnected": e[4]} for e in r.elements]}
        self.rows[(self.pack_hash, r.key)] = row

    def close(self) -> None:
        rows = sorted(self.rows.values(), key=lambda x: (x["source"], int(x["row"]), x["pack_hash"],
                                                         x["content_hash"]))
        if self.kind == "jsonl":
            text = "".join(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n" for row in rows)
        else:
            text = _csv_text(rows)
        write_atomic(self.path, text.encode("utf-8"))


def _csv_text(rows: list[dict]) -> str:
    elements: list[str] = []
    for row in rows:
        for e in row["elements"]:
            if e["id"] not in elements:
                elements.append(e["id"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(COLUMNS) + [f"status.{e}" for e in elements])
    for row in rows:
        statuses = {e["id"]: e["status"] for e in row["elements"]}
        writer.writerow([json.dumps(row["meta"], sort_keys=True) if k == "meta" else
                         ("" if row[k] is None else row[k]) for k in COLUMNS]
                        + [statuses.get(e, "") for e in elements])
    return out.getvalue()


def _read_flat(path: Path, kind: str) -> list[dict]:
    shown = display_path(path)
    text = path.read_text("utf-8")
    rows = []
    try:
        if kind == "jsonl":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            for row in csv.DictReader(io.StringIO(text)):
                elements = [{"id": k[7:], "status": v} for k, v in row.items()
                            if k.startswith("status.") and v]
                rows.append({**{k: (row[k] or None) for k in COLUMNS},
                             "meta": json.loads(row["meta"] or "{}"), "elements": elements,
                             "row": int(row["row"] or 0)})
        for row in rows:
            row["pack_hash"], row["content_hash"], row["source"]  # every row has them
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError([Problem(shown, 0, 0, f"not a dots results file ({exc})",
                                 "give a new name, or the file 'dots batch -o' wrote")]) from None
    return rows


# Reading for statistics ------------------------------------------------------------------

@dataclass
class PackResults:
    """The results of one pack (id, version and hash) in a results database."""

    pack_hash: str
    pack_id: str
    pack_version: str
    label: str
    stages: list[dict]
    statuses: list[dict]
    elements: list[dict]
    organisations: list[dict]   # assessed organisations: the columns, "statuses": {element: status}
                                # and "disconnected" (whether any element is)
    errors: int


def read_results(path: Path) -> list[PackResults]:
    """Every pack's results in a database, each apart: statistics never mix two packs."""
    if output_kind(path) != "sqlite":
        raise DataError([Problem(display_path(path), 0, 0, "statistics are read from the SQLite "
                                 "results", "run 'dots batch ... -o results.sqlite'")])
    db = connect(path, create=False)
    try:
        packs = []
        for h, pid, version, label, stages, statuses, elements in db.execute(
                "SELECT * FROM packs ORDER BY pack_id, pack_version, pack_hash"):
            orgs = {}
            for row in db.execute("SELECT content_hash, org_id, name, sector, size, stage, next_dot, "
                                  "source, row FROM organisations WHERE pack_hash=? AND error_kind "
                                  "IS NULL ORDER BY source, row, content_hash", (h,)):
                orgs[row[0]] = {"content_hash": row[0], "org_id": row[1], "name": row[2],
                                "sector": row[3], "size": row[4], "stage": row[5], "next_dot": row[6],
                                "source": row[7], "row": row[8], "statuses": {}, "disconnected": False}
            for key, element, status, disconnected in db.execute(
                    "SELECT content_hash, element, status, disconnected FROM elements WHERE pack_hash=?", (h,)):
                if key in orgs:
                    orgs[key]["statuses"][element] = status
                    orgs[key]["disconnected"] |= bool(disconnected)
            errors = db.execute("SELECT COUNT(*) FROM organisations WHERE pack_hash=? AND "
                                "error_kind IS NOT NULL", (h,)).fetchone()[0]
            packs.append(PackResults(h, pid, version, label, json.loads(stages), json.loads(statuses),
                                     json.loads(elements), list(orgs.values()), errors))
        return packs
    except sqlite3.DatabaseError as exc:
        raise DataError([Problem(display_path(path), 0, 0, f"cannot read the database: {exc}")]) from None
    finally:
        db.close()
