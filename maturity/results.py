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
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from .records import Record, result_row
from .errors import DataError, OutputError, Problem
from .model import Model
from .files import write_atomic
from .yamlio import display_path

FORMAT = "3"
READS = ("1", "2", "3")                # formats `dots portfolio` reads; a batch adds to FORMAT only
RETRIED_KINDS = ("crash", "timeout")   # errors that a later run tries again

# Format 2 keeps each organisation's elements in its own row (`element_rows`, JSON), one write
# per organisation, and offers them as the `elements` view, one row per organisation and
# element, with the columns format 1's `elements` table had. Format 3 adds whether the stage is
# known (`stage_known`: 0 when questions not answered could raise it) and each status
# (`element_rows`' seventh item, the view's `status_known`).
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
    stage_known  INTEGER,
    next_dot     TEXT,
    error_kind   TEXT,
    error        TEXT,
    attempts     INTEGER NOT NULL,
    element_rows TEXT NOT NULL,
    PRIMARY KEY (pack_hash, content_hash)
);
CREATE VIEW IF NOT EXISTS elements AS
SELECT o.pack_hash AS pack_hash, o.content_hash AS content_hash,
       json_extract(e.value, '$[0]') AS element, e.key AS position,
       json_extract(e.value, '$[1]') AS status, json_extract(e.value, '$[2]') AS status_rank,
       json_extract(e.value, '$[3]') AS done, json_extract(e.value, '$[4]') AS disconnected,
       json_extract(e.value, '$[5]') AS answered, json_extract(e.value, '$[6]') AS status_known
FROM organisations AS o, json_each(o.element_rows) AS e;
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
    """Results of one pack in one output: what is there already, and adding results, as
    records or as rows made by `records.result_row` (what workers send)."""

    def resume(self) -> tuple | None:
        """How a worker tells what is done already (`done_check`); None: nothing is."""
    def add(self, record: Record) -> None:
        self.add_rows([result_row(record, self.pack_hash, self.model)])
    def add_rows(self, rows: list[tuple]) -> None: ...
    def tick(self) -> None:
        """Called at least once a second while a batch runs."""
    def close(self) -> None: ...


def done_check(resume: tuple) -> Callable[[str], str | None]:
    """`done(key)`, from a store's `resume()`, in a worker process (which opens the database
    itself): None when an organisation is not in the results yet (or is to be tried again);
    else "" when it was assessed, or the message of the data error it is stored with."""
    if resume[0] == "keys":
        return resume[1].get
    _, path, pack_hash = resume
    db = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)

    def done(key: str) -> str | None:
        found = db.execute("SELECT error_kind, error FROM organisations WHERE pack_hash=? AND "
                           "content_hash=?", (pack_hash, key)).fetchone()
        if found is None or found[0] in RETRIED_KINDS:
            return None
        return found[1] or ""
    return done


# SQLite ----------------------------------------------------------------------------------

def connect(path: Path, create: bool) -> sqlite3.Connection:
    """Open a results database (made when `create`; then only one of this format), refusing
    files that are not one."""
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
        raise DataError([Problem(shown, 0, 0, "the file is empty, so not dots results" if path.exists()
                                 else "no such file", "run 'dots batch ... -o' first")])
    if create and not os.access(path if exists else (path.parent if str(path.parent) else Path(".")), os.W_OK):
        raise OutputError("cannot write: Permission denied", "check the permissions, or write elsewhere",
                          shown)
    db = None
    try:
        db = sqlite3.connect(path, isolation_level=None)
        if exists:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "dots_results" not in tables:
                db.close()
                raise DataError([Problem(shown, 0, 0, "an SQLite database, but not dots results",
                                         "give the file that 'dots batch -o' wrote, or a new name")])
            found = db.execute("SELECT value FROM dots_results WHERE key='format'").fetchone()
            written = found[0] if found else "?"
            if written != FORMAT and (create or written not in READS):
                db.close()
                if create and written in READS:
                    raise DataError([Problem(shown, 0, 0, f"results written in format {written} by "
                                             f"an earlier dots; a batch adds to format {FORMAT} only",
                                             "write to a new file; dots portfolio still reads this one")])
                raise DataError([Problem(shown, 0, 0, f"results written in format {written}; this "
                                         f"dots reads {', '.join(READS)}")])
        elif create:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript("BEGIN;" + SCHEMA +
                             f"INSERT OR IGNORE INTO dots_results VALUES ('format', '{FORMAT}'); COMMIT;")
    except sqlite3.DatabaseError as exc:
        if db is not None:  # closed now, or its -wal and -shm files stay beside the file
            db.close()
        raise DataError([Problem(shown, 0, 0, f"cannot read the database: {exc}")]) from None
    return db


class SqliteStore(Store):
    """Rows are written in batches, each in one transaction: an organisation is one row (its
    elements in it), so a database never holds half an organisation, whenever the batch stops."""

    COMMIT_EVERY = 5000      # organisations
    COMMIT_SECONDS = 1.0

    def __init__(self, path: Path, model: Model, pack_hash: str) -> None:
        self.path, self.pack_hash, self.model = path, pack_hash, model
        self.db = connect(path, create=True)
        try:
            self.db.execute("PRAGMA synchronous=NORMAL")
            with self.db:
                self.db.execute("BEGIN")
                self.db.execute("INSERT OR IGNORE INTO packs VALUES (?,?,?,?,?,?,?)", pack_row(model, pack_hash))
            # A pack with nothing stored yet needs no look-up per organisation.
            self.empty = self.db.execute("SELECT 1 FROM organisations WHERE pack_hash=? LIMIT 1",
                                         (pack_hash,)).fetchone() is None
        except sqlite3.DatabaseError as exc:  # a read-only file or disk, a full disk
            self.db.close()
            raise OutputError(f"cannot write: {exc}", "check the permissions and the free space, "
                              "or write elsewhere", display_path(path)) from None
        self.buffer: list[tuple] = []
        self.since = time.monotonic()

    def resume(self) -> tuple | None:
        return None if self.empty else ("sqlite", str(self.path), self.pack_hash)

    def add_rows(self, rows: list[tuple]) -> None:
        self.buffer += rows
        if len(self.buffer) >= self.COMMIT_EVERY or time.monotonic() - self.since > self.COMMIT_SECONDS:
            self.flush()

    def tick(self) -> None:
        if self.buffer and time.monotonic() - self.since > self.COMMIT_SECONDS:
            self.flush()

    def flush(self) -> None:
        rows, self.buffer, self.since = self.buffer, [], time.monotonic()
        if not rows:
            return
        db = self.db
        db.execute("BEGIN")
        try:
            db.executemany("INSERT OR REPLACE INTO organisations VALUES "
                           "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
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
            for _line, row in read_flat(path, kind):
                self.rows[(row["pack_hash"], row["content_hash"])] = row

    def resume(self) -> tuple | None:
        # A row written before dots recorded whether the stage and statuses are known is
        # assessed again, so that the file says it for every organisation.
        done = {k: row["error"] or "" for (h, k), row in self.rows.items()
                if h == self.pack_hash and row["error_kind"] not in RETRIED_KINDS
                and (row["error_kind"] is not None or row.get("stage_known") is not None)}
        return ("keys", done) if done else None

    def add_rows(self, rows: list[tuple]) -> None:
        for row in rows:
            flat = flat_row(row)
            self.rows[(flat["pack_hash"], flat["content_hash"])] = flat

    def close(self) -> None:
        rows = sorted(self.rows.values(), key=lambda x: (x["source"], int(x["row"]), x["pack_hash"],
                                                         x["content_hash"]))
        if self.kind == "jsonl":
            text = "".join(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n" for row in rows)
        else:
            text = _csv_text(rows)
        write_atomic(self.path, text.encode("utf-8"))


def flat_row(row: tuple) -> dict:
    """A result row (`records.result_row`) as one line of a JSONL results file (the CSV file is
    made from the same)."""
    (h, key, pid, version, source, line, org_id, name, sector, size, meta, stage, stage_rank,
     stage_known, next_dot, error_kind, error, attempts, elements) = row
    return {"source": source, "row": line, "content_hash": key, "pack_id": pid,
            "pack_version": version, "pack_hash": h, "org_id": org_id, "name": name,
            "sector": sector, "size": size, "stage": stage, "stage_rank": stage_rank,
            "stage_known": None if stage_known is None else bool(stage_known),
            "next_dot": next_dot, "error_kind": error_kind, "error": error, "attempts": attempts,
            "meta": json.loads(meta),
            "elements": [{"id": e[0], "status": e[1], "rank": e[2], "done": bool(e[3]),
                          "disconnected": bool(e[4]), "answered": bool(e[5]) if len(e) > 5 else True,
                          "status_known": bool(e[6]) if len(e) > 6 else True}
                         for e in json.loads(elements)]}


# The CSV table: COLUMNS, then "disconnected" (the ids of the disconnected elements, ';' between
# them), "not_answered" (likewise, the elements none of whose questions has an answer; not in
# files written before it), "stage_known" (1, 0, empty for an error) and "status_not_known"
# (the elements whose status the answers do not show: those not answered and those whose
# status questions not answered could raise; neither in files written before them), then a
# "status.<element>" column per element.
DISCONNECTED = "disconnected"
NOT_ANSWERED_COLUMN = "not_answered"
STAGE_KNOWN_COLUMN = "stage_known"
NOT_KNOWN_COLUMN = "status_not_known"
STATUS_PREFIX = "status."


def _csv_text(rows: list[dict]) -> str:
    elements: list[str] = []
    for row in rows:
        for e in row["elements"]:
            if e["id"] not in elements:
                elements.append(e["id"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(COLUMNS) + [DISCONNECTED, NOT_ANSWERED_COLUMN, STAGE_KNOWN_COLUMN, NOT_KNOWN_COLUMN]
                    + [STATUS_PREFIX + e for e in elements])
    for row in rows:
        statuses = {e["id"]: e["status"] for e in row["elements"]}
        known = row.get("stage_known")  # None: an error, or a row written before it was recorded
        writer.writerow([json.dumps(row["meta"], sort_keys=True) if k == "meta" else
                         ("" if row[k] is None else row[k]) for k in COLUMNS]
                        + [";".join(e["id"] for e in row["elements"] if e.get("disconnected")),
                           ";".join(e["id"] for e in row["elements"] if not e.get("answered", True)),
                           "" if known is None else int(known),
                           ";".join(e["id"] for e in row["elements"] if not e.get("status_known", True))]
                        + [statuses.get(e, "") for e in elements])
    return out.getvalue()


# Reading CSV and JSONL results: every line checked, a foreign file named at its line and column.

_TEXT = ("source", "content_hash", "pack_id", "pack_version", "pack_hash", "org_id", "name",
         "sector", "size")
_NEEDED = ("source", "content_hash", "pack_id", "pack_hash")   # never empty
_OPTIONAL_TEXT = ("stage", "next_dot", "error_kind", "error")
_INTS = ("row", "attempts")
_FOREIGN_HINT = "give the file that 'dots batch -o' wrote (.sqlite, .csv or .jsonl)"


def read_flat(path: Path, kind: str) -> list[tuple[int, dict]]:
    """The rows of a CSV or JSONL results file, each with the line it starts on, as `flat_row`
    makes them (a CSV row's elements hold id, status, disconnected, answered and status_known only). DataError at the
    line and column of the first thing that is not dots results."""
    shown = display_path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise DataError([Problem(shown, line, 1, "not UTF-8 text, so not dots results",
                                 _FOREIGN_HINT)]) from None
    except OSError as exc:
        raise DataError([Problem(shown, 0, 0, f"cannot read: {exc.strerror}")]) from None
    return _read_jsonl(text, shown) if kind == "jsonl" else _read_csv(text, shown)


def _bad(shown: str, line: int, column: int, message: str) -> DataError:
    return DataError([Problem(shown, line, column, f"not dots results: {message}", _FOREIGN_HINT)])


def _check_row(row: Any, fail) -> dict:
    """`row` when it has every field of a results row with the right type; else fail(key, message)."""
    if not isinstance(row, dict):
        fail(None, "a line must be a JSON object")
    for key in _TEXT + _OPTIONAL_TEXT + _INTS + ("stage_rank", "meta", "elements"):
        if key not in row:
            fail(None, f"no '{key}'")
    for key in _TEXT:
        if not isinstance(row[key], str) or key in _NEEDED and not row[key]:
            fail(key, f"'{key}' must be {'non-empty ' if key in _NEEDED else ''}text")
    for key in _OPTIONAL_TEXT:
        if row[key] is not None and not isinstance(row[key], str):
            fail(key, f"'{key}' must be text or null")
    for key in _INTS + ("stage_rank",):
        value = row[key]
        if not (value is None and key == "stage_rank") and (type(value) is not int):
            fail(key, f"'{key}' must be a whole number")
    if not isinstance(row["meta"], dict):
        fail("meta", "'meta' must be an object")
    if row.get("stage_known") is not None and not isinstance(row["stage_known"], bool):
        fail("stage_known", "'stage_known' must be true, false or null")
    if not isinstance(row["elements"], list) or not all(
            isinstance(e, dict) and isinstance(e.get("id"), str) and isinstance(e.get("status"), str)
            and isinstance(e.get("disconnected", False), bool)
            and isinstance(e.get("answered", True), bool)
            and isinstance(e.get("status_known", True), bool) for e in row["elements"]):
        fail("elements", "'elements' must be a list of {id, status, ...}")
    if (row["error_kind"] is None) != (row["stage"] is not None):
        fail("stage", "a row has a stage or an error, one of them")
    return row


def _read_jsonl(text: str, shown: str) -> list[tuple[int, dict]]:
    rows = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise _bad(shown, number, getattr(exc, "colno", 1), f"not a JSON line ({getattr(exc, 'msg', exc)})") from None

        def fail(key: str | None, message: str, line: str = line, number: int = number):
            at = line.find(f'"{key}"') + 1 if key else 1
            raise _bad(shown, number, max(at, 1), message)
        rows.append((number, _check_row(row, fail)))
    return rows


def _read_csv(text: str, shown: str) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise _bad(shown, 1, 1, "the file is empty")
        fixed = list(COLUMNS) + [DISCONNECTED]
        if len(header) > len(fixed) and header[len(fixed)] == NOT_ANSWERED_COLUMN:
            fixed.append(NOT_ANSWERED_COLUMN)  # written since dots marks the dots not answered
            if len(header) > len(fixed) and header[len(fixed)] == STAGE_KNOWN_COLUMN:
                fixed += [STAGE_KNOWN_COLUMN, NOT_KNOWN_COLUMN]  # since it marks floors
        for n, name in enumerate(fixed):
            if n >= len(header) or header[n] != name:
                raise _bad(shown, 1, n + 1, f"column {n + 1} of the header is "
                           f"{repr(header[n]) if n < len(header) else 'missing'}, not '{name}'")
        for n in range(len(fixed), len(header)):
            if not header[n].startswith(STATUS_PREFIX) or len(header[n]) == len(STATUS_PREFIX):
                raise _bad(shown, 1, n + 1, f"column {n + 1} of the header is {header[n]!r}, not "
                           f"'{STATUS_PREFIX}<element>'")
        elements = [h[len(STATUS_PREFIX):] for h in header[len(fixed):]]
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            number, start = start, reader.line_num + 1
            if not cells:
                continue
            if len(cells) != len(header):
                raise _bad(shown, number, min(len(cells), len(header)) + 1,
                           f"{len(cells)} cells; the header has {len(header)}")
            rows.append((number, _csv_row(dict(zip(header, cells)), header, elements, shown, number)))
    except csv.Error as exc:
        raise _bad(shown, reader.line_num, 1, f"not a CSV table ({exc})") from None
    return rows


def _csv_row(cells: dict, header: list[str], elements: list[str], shown: str, number: int) -> dict:
    def fail(key: str | None, message: str):
        raise _bad(shown, number, header.index(key) + 1 if key in header else 1, message)

    row: dict[str, Any] = {k: cells[k] for k in _TEXT}
    row.update({k: cells[k] or None for k in _OPTIONAL_TEXT})
    for key in _INTS + ("stage_rank",):
        value = cells[key]
        if key == "stage_rank" and value == "":
            row[key] = None
        elif re.fullmatch(r"-?\d{1,18}", value):
            row[key] = int(value)
        else:
            fail(key, f"'{key}' must be a whole number, not {value!r}")
    try:
        row["meta"] = json.loads(cells["meta"])
    except ValueError:
        fail("meta", "'meta' must be a JSON object")
    known = cells.get(STAGE_KNOWN_COLUMN, "")
    if known not in ("", "0", "1"):
        fail(STAGE_KNOWN_COLUMN, f"'{STAGE_KNOWN_COLUMN}' must be 1, 0 or empty, not {known!r}")
    row["stage_known"] = None if known == "" else known == "1"
    off = set(cells[DISCONNECTED].split(";")) if cells[DISCONNECTED] else set()
    blank = set(cells[NOT_ANSWERED_COLUMN].split(";")) if cells.get(NOT_ANSWERED_COLUMN) else set()
    unknown = set(cells[NOT_KNOWN_COLUMN].split(";")) if cells.get(NOT_KNOWN_COLUMN) else set()
    row["elements"] = [{"id": e, "status": cells[STATUS_PREFIX + e], "disconnected": e in off,
                        "answered": e not in blank, "status_known": e not in unknown}
                       for e in elements if cells[STATUS_PREFIX + e]]
    return _check_row(row, fail)


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
                                # of the dots answered, "not_answered" (a set of element ids),
                                # "floors" (the answered dots whose status questions not answered
                                # could raise), "stage_known" (False when they could raise the
                                # stage; None in rows written before it was recorded) and
                                # "disconnected" (whether any element is)
    errors: int


def read_results(path: Path, models: Iterable[Model] = (), keep=None) -> list[PackResults]:
    """Every pack's results in a results file (SQLite, CSV or JSONL), each apart: statistics
    never mix two packs. `keep(pack_id, version, hash)` says which packs to read in full; the
    others come back named only (no organisations). A CSV or JSONL file does not carry its pack's
    labels: they come from a pack with the same hash, among `models` and the built-in packs."""
    kind = output_kind(path)
    shown = display_path(path)
    if kind != "sqlite":
        if path.is_dir():
            raise DataError([Problem(shown, 0, 0, "is a folder", "give a results file")])
        if not path.exists():
            raise DataError([Problem(shown, 0, 0, "no such file", "run 'dots batch ... -o' first")])
        return _flat_results(read_flat(path, kind), shown, list(models), keep)
    db = connect(path, create=False)
    try:
        written = db.execute("SELECT value FROM dots_results WHERE key='format'").fetchone()[0]
        # Format 2's element rows say whether each dot was answered (rows written before that
        # do not, nor does format 1's elements table: answered, as then assumed); format 3's
        # whether its status is known, and its rows whether the stage is (NULL before: not
        # recorded).
        element_query = (
            "SELECT o.content_hash, json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]'), "
            "json_extract(e.value, '$[4]'), json_extract(e.value, '$[5]'), json_extract(e.value, '$[6]') "
            "FROM organisations AS o, json_each(o.element_rows) AS e WHERE o.pack_hash=?" if written != "1" else
            "SELECT content_hash, element, status, disconnected, NULL, NULL FROM elements WHERE pack_hash=?")
        stage_known = "stage_known" if written not in ("1", "2") else "NULL"
        packs = []
        for h, pid, version, label, stages, statuses, elements in db.execute(
                "SELECT * FROM packs ORDER BY pack_id, pack_version, pack_hash"):
            if keep is not None and not keep(pid, version, h):
                packs.append(PackResults(h, pid, version, label, [], [], [], [], 0))
                continue
            orgs = {}
            for row in db.execute("SELECT content_hash, org_id, name, sector, size, stage, next_dot, "
                                  f"source, row, {stage_known} FROM organisations WHERE pack_hash=? AND "
                                  "error_kind IS NULL ORDER BY source, row, content_hash", (h,)):
                orgs[row[0]] = {"content_hash": row[0], "org_id": row[1], "name": row[2],
                                "sector": row[3], "size": row[4], "stage": row[5], "next_dot": row[6],
                                "source": row[7], "row": row[8], "statuses": {}, "not_answered": set(),
                                "floors": set(), "stage_known": None if row[9] is None else bool(row[9]),
                                "disconnected": False}
            for key, element, status, disconnected, answered, known in db.execute(element_query, (h,)):
                if key in orgs:
                    if answered == 0:
                        orgs[key]["not_answered"].add(element)
                    else:
                        orgs[key]["statuses"][element] = status
                        if known == 0:
                            orgs[key]["floors"].add(element)
                    orgs[key]["disconnected"] |= bool(disconnected)
            errors = db.execute("SELECT COUNT(*) FROM organisations WHERE pack_hash=? AND "
                                "error_kind IS NOT NULL", (h,)).fetchone()[0]
            packs.append(PackResults(h, pid, version, label, json.loads(stages), json.loads(statuses),
                                     json.loads(elements), list(orgs.values()), errors))
        return packs
    except sqlite3.DatabaseError as exc:
        raise DataError([Problem(shown, 0, 0, f"cannot read the database: {exc}")]) from None
    finally:
        db.close()


def _flat_results(rows: list[tuple[int, dict]], shown: str, models: list[Model], keep) -> list[PackResults]:
    """PackResults from the rows of a CSV or JSONL file, as `read_results` reads a database."""
    by_pack: dict[str, list[tuple[int, dict]]] = {}
    for line, row in rows:
        by_pack.setdefault(row["pack_hash"], []).append((line, row))
    packs = []
    for h, found in by_pack.items():
        line, first = found[0]
        pid, version = first["pack_id"], first["pack_version"]
        for at, row in found:
            if (row["pack_id"], row["pack_version"]) != (pid, version):
                raise _bad(shown, at, 1, f"pack hash {h} is pack '{pid}' {version} on line {line} "
                           f"and '{row['pack_id']}' {row['pack_version']} here")
        if keep is not None and not keep(pid, version, h):
            packs.append(PackResults(h, pid, version, "", [], [], [], [], 0))
            continue
        model = _model_for(h, pid, models)
        if model is None:
            raise DataError([Problem(shown, line, 1, f"these results were made with pack '{pid}'"
                                     f"{f' {version}' if version else ''} (pack hash {h}), which is "
                                     "not a built-in pack or not as it is now",
                                     "give the pack they were made with: --rules PACK (an SQLite "
                                     "results file carries its packs' labels, so needs none)")])
        _, _, _, label, stages, statuses, elements = pack_row(model, h)
        orgs = []
        errors = 0
        for _, row in sorted(found, key=lambda x: (x[1]["source"], x[1]["row"], x[1]["content_hash"])):
            if row["error_kind"] is not None:
                errors += 1
                continue
            orgs.append({"content_hash": row["content_hash"], "org_id": row["org_id"],
                         "name": row["name"], "sector": row["sector"], "size": row["size"],
                         "stage": row["stage"], "next_dot": row["next_dot"], "source": row["source"],
                         "row": row["row"],
                         "statuses": {e["id"]: e["status"] for e in row["elements"] if e.get("answered", True)},
                         "not_answered": {e["id"] for e in row["elements"] if not e.get("answered", True)},
                         "floors": {e["id"] for e in row["elements"] if e.get("answered", True)
                                    and not e.get("status_known", True)} if row.get("stage_known") is not None else set(),
                         "stage_known": row.get("stage_known"),
                         "disconnected": any(e.get("disconnected") for e in row["elements"])})
        packs.append(PackResults(h, pid, version, label, json.loads(stages), json.loads(statuses),
                                 json.loads(elements), orgs, errors))
    return sorted(packs, key=lambda p: (p.pack_id, p.pack_version, p.pack_hash))


def _model_for(h: str, pack_id: str, models: list[Model]) -> Model | None:
    """The pack whose hash is `h`: one of `models`, or the built-in pack named `pack_id`."""
    from .pack import builtin_packs, load_pack
    from .records import pack_hash
    for model in models:
        if pack_hash(model) == h:
            return model
    if pack_id in builtin_packs():
        model = load_pack(pack_id)
        if pack_hash(model) == h:
            return model
    return None
