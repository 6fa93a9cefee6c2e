"""Survey exports: a CSV or XLSX file with one row per organisation, turned into organisations
by a mapping file (YAML: column -> fact, answer text -> value). The mapping is checked like a
pack, every problem at its file:line:column; a bad row becomes an error task naming its row and
column, never the end of a batch. openpyxl is imported only to read an .xlsx file."""

from __future__ import annotations

import csv
import hashlib
import json
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from . import schema, spans, yamlio
from .records import Task, content_hash
from .spans import Span
from .sheet import column_name
from .errors import DataError, Problem, did_you_mean
from .model import Fact, Model, name_key, split_named
from .organisation import (Answer, Organisation, _yaml, check_facts, meta_problems,
                           parse_answers, value_problem)

META_KEYS = ("id", "sector", "size", "assessed_on", "consultant")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


MEMO = 512  # answer texts remembered per column, with what they read as


@dataclass(frozen=True)
class Column:
    header: str
    fact: Fact
    values: dict[str, Any] | None      # answer text (model.name_key) -> value; None: read by the fact's type
    split: str
    where: tuple[str, int, int]       # the mapping's file, line and column for this column
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # text -> _convert's answer
    answers: dict = field(default_factory=dict, compare=False, repr=False)  # text -> _answer's


@dataclass
class Mapping:
    file: str
    organisation: dict[str, str]      # "name", "id", ... -> column header
    columns: list[Column]
    pack: str | None
    digest: str                       # hash of the mapping's text: part of every row's content hash
    doc: yamlio.Document = field(repr=False, default=None)
    model: Model = field(repr=False, default=None)

    def read_row(self, task: Task) -> Organisation:
        """The organisation in a survey row's task (see `row_organisation`)."""
        return row_organisation(self, task)


def load_mapping(path: Path | str, model: Model) -> Mapping:
    """Read and check a mapping file against the pack; raises DataError listing every problem."""
    text = yamlio.read_text(path)
    doc = yamlio.load(path, text)
    problems = schema.validate(doc, "survey")
    if problems:
        raise DataError(problems)
    data = doc.data
    if data.get("pack") and data["pack"] != model.id:
        problems.append(doc.problem(("pack",), f"the mapping is for pack '{data['pack']}', "
                                    f"not '{model.id}'", f"run with --rules {data['pack']}"))
    columns, seen = [], {}
    for header, spec in data["columns"].items():
        at = ("columns", header)
        fact = model.fact_by_id.get(spec["fact"])
        if fact is None:
            problems.append(doc.problem(at + ("fact",), f"unknown fact '{spec['fact']}'",
                                        did_you_mean(spec["fact"], model.fact_by_id)
                                        or f"the facts of pack '{model.id}' are listed by 'dots facts'"))
            continue
        if fact.id in seen:
            problems.append(doc.problem(at + ("fact",), f"'{fact.id}' is answered by two columns "
                                        f"('{seen[fact.id]}' and '{header}')", "map each fact once"))
            continue
        seen[fact.id] = header
        values = None
        if "values" in spec:
            values = {}
            for answer, value in spec["values"].items():
                if value is not None:
                    if fact.type == "choices" and isinstance(value, str):
                        bad = value_problem(fact, [value])
                    else:
                        bad = value_problem(fact, value)
                    if bad:
                        problems.append(doc.problem(at + ("values", answer), bad[0], bad[1]))
                        continue
                values[name_key(str(answer))] = value
        if "split" in spec and fact.type != "choices":
            problems.append(doc.problem(at + ("split",), f"'split' is for facts that take a list of "
                                        f"choices; '{fact.id}' is {fact.type}", "remove it"))
        line, column = doc.where(at, key=True)
        columns.append(Column(header, fact, values, spec.get("split", ";"), (doc.file, line, column)))
    if problems:
        raise DataError(problems)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Mapping(doc.file, dict(data["organisation"]), columns, data.get("pack"), digest, doc, model)


# Reading the export ----------------------------------------------------------------------

def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row and an iterator of (row number, cells) of a CSV or XLSX export. Row
    numbers are those a spreadsheet shows: the header is row 1."""
    shown = yamlio.display_path(path)
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path, shown)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
        reader = csv.reader(handle)
        header = next(reader, None)
    except UnicodeDecodeError:
        raise DataError([Problem(shown, 0, 0, "not UTF-8 text", "export the survey as UTF-8 CSV")]) from None
    except (OSError, csv.Error) as exc:
        raise DataError([Problem(shown, 0, 0, f"cannot read: {exc}")]) from None
    if header is None:
        handle.close()
        raise DataError([Problem(shown, 0, 0, "file is empty", "export the survey with a header row")])

    def rows() -> Iterator[tuple[int, list[str]]]:
        with handle:
            start = reader.line_num + 1
            try:
                for cells in reader:
                    if any(c.strip() for c in cells):
                        yield start, cells
                    start = reader.line_num + 1
            except (csv.Error, UnicodeDecodeError) as exc:
                yield start, [f"\0{exc}"]  # an unreadable row is an error row; reading stops
    return [h.strip() for h in header], rows()


def _xlsx_rows(path: Path, shown: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    import openpyxl  # heavy: only here, only for .xlsx
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise DataError([Problem(shown, 0, 0, f"cannot read as an Excel workbook: {exc}",
                                 "save the survey export as .xlsx, or as UTF-8 CSV")]) from None
    sheet = book.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    header = next(it, None)
    if header is None:
        book.close()
        raise DataError([Problem(shown, 0, 0, "the first sheet is empty")])

    def text(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for n, cells in enumerate(it, 2):
                values = [text(v) for v in cells]
                if any(v.strip() for v in values):
                    yield n, values
        finally:
            book.close()
    return [text(h).strip() for h in header], rows()




def survey_work(path: Path, mapping: Mapping) -> Iterator[Task | Span]:
    """What a batch's workers are sent for an export: spans of a CSV file, whose rows the workers
    read and hash themselves (`span_tasks`), else (an .xlsx file, or a CSV file whose quotes or
    line ends the spans cannot follow) a task per row, read here. Problems with the export as a
    whole (a mapped column missing from it) raise DataError before anything is yielded."""
    shown = yamlio.display_path(path)
    found = spans.header(str(path)) if path.suffix.lower() == ".csv" else None
    if found is not None:
        header, start, line = found
    else:
        header, rows = read_rows(path)
        rows.close()
    _check_header(mapping, header, shown)
    head = tuple(header)
    if found is not None:
        for span in spans.spans(str(path), shown, head, start, line):
            if isinstance(span, int):  # from this line on, read here
                yield from _read_tasks(path, mapping, shown, head, after=span)
                return
            yield span
        return
    yield from _read_tasks(path, mapping, shown, head)


def survey_tasks(path: Path, mapping: Mapping) -> Iterator[Task]:
    """A task per data row of the export, carrying the row's cells: the worker turns them into
    an organisation (`row_organisation`). DataError as `survey_work`."""
    for unit in survey_work(path, mapping):
        if isinstance(unit, Span):
            yield from span_tasks(unit, mapping)
        else:
            yield unit


def span_tasks(span: Span, mapping: Mapping) -> Iterator[Task]:
    """The tasks of a span's rows, keyed as `survey_tasks` keys them."""
    for row, cells in spans.rows(span):
        if isinstance(cells, str):
            yield _unreadable(mapping, span.source, row, cells)
        else:
            yield row_task(mapping, span.source, row, span.header, cells)


def _check_header(mapping: Mapping, header: list[str], shown: str) -> None:
    problems = []
    wanted = [(key, col) for key, col in mapping.organisation.items()] + \
             [("column", c.header) for c in mapping.columns]
    for key, col in wanted:
        at = ("organisation", key) if key != "column" else ("columns", col)
        if col not in header:
            problems.append(mapping.doc.problem(at, f"column '{col}' is not in {shown}",
                                                did_you_mean(col, header)
                                                or f"its columns: {', '.join(h for h in header if h)}",
                                                key=key == "column"))
        elif header.count(col) > 1:  # which one holds the answers cannot be told
            places = " and ".join(column_name(n) for n, h in enumerate(header) if h == col)
            problems.append(mapping.doc.problem(at, f"{shown} has more than one column '{col}' "
                                                f"({places})", "rename one in the export, or leave "
                                                "one out", key=key == "column"))
    if problems:
        raise DataError(problems)


def _read_tasks(path: Path, mapping: Mapping, shown: str, head: tuple[str, ...],
                after: int = 0) -> Iterator[Task]:
    """A task per data row read here, from line `after` on."""
    _, rows = read_rows(path)
    for row, cells in rows:
        if row < after:
            continue
        if cells and cells[0].startswith("\0"):
            yield _unreadable(mapping, shown, row, cells[0][1:])
            return
        yield row_task(mapping, shown, row, head, cells)


def _unreadable(mapping: Mapping, shown: str, row: int, message: str) -> Task:
    return Task(content_hash(_row_bytes(mapping.digest, [f"\0{row}\0{message}"])), shown, row, "error",
                error=Problem(shown, row, 1, f"cannot read the row: {message}").format())


def row_task(mapping: Mapping, source: str, row: int, header: tuple[str, ...], cells) -> Task:
    """The task for one survey row, keyed by the hash of its cells and of the mapping file."""
    return Task(content_hash(_row_bytes(mapping.digest, cells)), source, row, "cells",
                cells=tuple(cells), header=header)


def _row_bytes(digest: str, cells: list[str]) -> bytes:
    """A row's content with its mapping's, for its hash: the cells joined by a separator that no
    cell holds (JSON when one does, so that two different rows never read the same)."""
    text = "\x1f".join(cells)
    if text.count("\x1f") != len(cells) - 1:
        text = json.dumps(cells)
    return f"{digest}\0{text}".encode("utf-8", "surrogatepass")


class RowDocument(yamlio.Document):
    """A survey row as a facts document, so that it is checked by the code that checks a facts
    file: each value's place is its cell (the export's line, the column's number), and every
    problem begins by naming the row and the column."""

    def __init__(self, file: str, row: int, header: tuple[str, ...], data: dict,
                 cells: dict[tuple, int]) -> None:
        super().__init__(file, data)
        self.row, self.header, self.cells = row, header, cells

    def cell(self, path) -> int | None:
        """The column index of the cell holding the value at `path`, if one does."""
        return self.cells.get(tuple(path)[:2])

    def where(self, path, key: bool = False) -> tuple[int, int]:
        n = self.cell(path)
        return self.row, (n + 1 if n is not None else 1)

    def problem(self, path, message: str, hint: str = "", key: bool = False,
                severity: str = "error") -> Problem:
        n = self.cell(path)
        place = (f"row {self.row}, column '{self.header[n]}' ({column_name(n)})" if n is not None
                 else f"row {self.row}")
        return Problem(self.file, self.row, n + 1 if n is not None else 1, f"{place}: {message}",
                       hint, severity)


def _indexes(mapping: Mapping, header: tuple[str, ...]) -> tuple[list, list, dict]:
    """Where the mapped columns are in an export with this header, and each document path's
    column (worked out once a header)."""
    cache = mapping.__dict__.setdefault("_indexes", {})
    found = cache.get(header)
    if found is None:
        index = {h: n for n, h in enumerate(header)}
        meta = [(key, index[col]) for key, col in mapping.organisation.items()]
        facts = [(c, index[c.header]) for c in mapping.columns]
        cells = {("organisation", key): n for key, n in meta}
        cells.update({("facts", c.fact.id): n for c, n in facts})
        found = cache[header] = (meta, facts, cells)
    return found


def row_organisation(mapping: Mapping, task: Task) -> Organisation:
    """The organisation a survey row describes, checked as a facts file is (the same code: texts,
    the organisation schema, the header's placeholders and date, each answer against its fact),
    with the mapping turning answer texts into values first, as a table's are; DataError naming
    the row and column of every problem.

    A survey repeats the same few answers in a column, and every check of an answer depends on
    that answer alone: each answer text is checked once per column (`_answer`), and a row whose
    header checks pass and whose every answer is one found good is built from them (`_quick_row`).
    Any other row goes through `checked_row`, which finds and words its problems."""
    return _quick_row(mapping, task) or checked_row(mapping, task)


def checked_row(mapping: Mapping, task: Task) -> Organisation:
    """`row_organisation` the long way: the row as a whole document through every check."""
    from .organisation import document_problems, organisation_from
    shown, row, cells, header = task.source, task.row, task.cells, task.header
    meta_cols, fact_cols, places = _indexes(mapping, header)
    width = len(cells)
    meta = {}
    for key, n in meta_cols:
        text = cells[n].strip() if n < width else ""
        if text:
            meta[key] = text
    problems = []
    if "name" not in meta:
        n = places[("organisation", "name")]
        problems.append(Problem(shown, row, n + 1, f"row {row}, column '{header[n]}' "
                                f"({column_name(n)}): no organisation name", "every row needs one"))
        meta["name"] = f"row {row}"  # stands in for the checks below; the row is an error
    meta.setdefault("id", f"row-{row}")
    texts = {}
    for col, n in fact_cols:
        text = cells[n].strip() if n < width else ""
        if text:
            texts[col.fact.id] = text
    doc = RowDocument(shown, row, header, {"organisation": meta, "facts": texts}, places)
    # The texts as typed, as a facts table's are checked before its answers are read.
    found = document_problems(doc)
    if found:
        raise DataError(problems + found)
    facts = {}
    for col, n in fact_cols:
        text = texts.get(col.fact.id)
        if text is None:
            continue
        # A survey repeats the same few answers in a column: each is read once.
        memo = col.memo
        found = memo.get(text)
        if found is None:
            found = _convert(col, text)
            if len(memo) < MEMO:
                memo[text] = found
        value, message = found
        if type(value) is list:
            value = list(value)  # each organisation its own list
        if message is not None:
            problems.append(doc.problem(("facts", col.fact.id), message[0], message[1]))
        else:
            facts[col.fact.id] = value
    doc.data["facts"] = facts
    try:
        organisation = organisation_from(doc, mapping.model, shown)
    except DataError as exc:
        problems += exc.problems()
    if problems:
        raise DataError(problems)
    organisation.source = f"{shown}:{row}"
    return organisation


def _quick_row(mapping: Mapping, task: Task) -> Organisation | None:
    """The organisation of a row that `checked_row` would find nothing wrong with, built from
    each column's answers checked once; None when the row may have a problem (or when the
    export's layout or the schema is one this shortcut does not follow)."""
    header, cells = task.header, task.cells
    plan = _quick_plan(mapping, header)
    if plan is None:
        return None
    meta_cols, cols, pick, memos, lists, width = plan
    if len(cells) < width:
        cells = tuple(cells) + ("",) * (width - len(cells))
    # The header's texts, each checked as a facts file's header is, once per column and text.
    meta = {}
    for key, n, seen in meta_cols:
        text = cells[n].strip()
        if text:
            meta[key] = text
            ok = seen.get(text)
            if ok is None:
                ok = _meta_ok(key, text)
                if len(seen) < MEMO:
                    seen[text] = ok
            if not ok:
                return None
    if "name" not in meta:
        return None
    row = task.row
    if "id" not in meta:
        meta["id"] = f"row-{row}"
        if not _meta_ok("id", meta["id"]):
            return None
    # Each answer as its column has read it (looked up in one pass, in C); a cell not read yet is
    # read now.
    picked = pick(cells)
    known = list(map(dict.get, memos, picked))
    if None in known:
        for i, found in enumerate(known):
            if found is None:
                col, cell = cols[i], picked[i]
                found = known[i] = _answer(mapping, col, cell)
                if len(col.answers) < MEMO:
                    col.answers[cell] = found
    if False in known:
        return None
    given = [k for k in known if k]
    facts = {fact_id: value for fact_id, value, _ in given}
    answers = {fact_id: answer for fact_id, _, answer in given}
    for fact_id in lists:  # each organisation its own list
        value = facts.get(fact_id)
        if value is not None:
            value = facts[fact_id] = list(value)
            answers[fact_id] = Answer(value)
    name, ident = meta.pop("name"), meta.pop("id")
    return Organisation(name=name, facts=facts, id=ident, meta=meta, source=f"{task.source}:{row}",
                        answers=answers)


def _meta_ok(key: str, text: str) -> bool:
    """Whether `text` as the organisation's `key` passes the checks a facts file's header gets:
    its text, the organisation schema's check of that key, placeholders and the date."""
    return (yamlio.text_problem(text) is None
            and schema.part_conforms(text, "organisation", ("properties", "organisation", "properties", key))
            and not meta_problems(yamlio.Document("", {"organisation": {key: text}})))


_UNANSWERED = ()  # what `_answer` says of a cell that is empty or read as no answer


def _answer(mapping: Mapping, col: Column, cell: str):
    """A cell of a column as `checked_row` reads it when the rest of the row is good: (fact id,
    value, its Answer), or _UNANSWERED, or False when it has a problem (its text, reading it, or
    its fact's checks).
    The schema takes any text as an answer (`_quick_plan` makes sure of it)."""
    text = cell.strip()
    if not text:
        return _UNANSWERED
    if yamlio.text_problem(text) is not None:
        return False
    value, message = col.memo.get(text) or _convert(col, text)
    if message is not None:
        return False
    if value is None:
        return _UNANSWERED
    fact_id = col.fact.id
    if check_facts({fact_id: value}, mapping.model, _PROBE, ("facts",)):
        return False
    facts, answers = parse_answers({fact_id: value})
    if fact_id not in facts or type(value) is list and col.fact.type != "choices":
        return False  # a state without a value, or a list where none is copied: read the long way
    return fact_id, facts[fact_id], answers[fact_id]


_NOT_TEXT_SEARCH = yamlio._NOT_TEXT.search
_PROBE = yamlio.Document("", {})  # where _answer's checks would place a problem: it only counts them
# The organisation schema's keys that `_quick_row` follows: those that check each property apart
# (so a row is good when its header and each of its answers are), and annotations.
_APART = frozenset({"type", "properties", "required", "additionalProperties", "propertyNames"})


def _quick_plan(mapping: Mapping, header: tuple[str, ...]):
    """How `_quick_row` reads rows of an export with this header: (the organisation's columns,
    the answer columns, what picks their cells from a row, what each has read, the facts that
    take lists, the width a row is padded to). None, so that every row is checked whole, unless
    the keys of a row's document (fixed by the mapping) pass the text and schema checks, the
    schema checks each key of the header and each answer apart from the others, and it takes
    any text as an answer (worked out once a header)."""
    cache = mapping.__dict__.setdefault("_quick_plan", {})
    if header not in cache:
        meta_cols, fact_cols, _ = _indexes(mapping, header)
        keys = {"organisation": {**{k: "x" for k, _ in meta_cols}, "name": "x", "id": "x"},
                "facts": {c.fact.id: "x" for c, _ in fact_cols}}
        root = schema._schema("organisation")
        facts = root["properties"]["facts"]
        parts = (root, root["properties"]["organisation"], facts)
        ok = (all(set(part) - schema._ANNOTATIONS <= _APART for part in parts)
              and yamlio._texts_ok(keys, _NOT_TEXT_SEARCH) and schema.conforms(keys, "organisation")
              and str in schema.passes_every(facts.get("additionalProperties", True), "organisation"))
        width = max([n + 1 for _, n in meta_cols] + [n + 1 for _, n in fact_cols], default=0)
        where = [n for _, n in fact_cols]
        pick = (lambda cells: ()) if not where else operator.itemgetter(*where) if len(where) > 1 \
            else (lambda cells, n=where[0]: (cells[n],))
        cache[header] = ([(key, n, {}) for key, n in meta_cols], [c for c, _ in fact_cols], pick,
                         [c.answers for c, _ in fact_cols],
                         [c.fact.id for c, _ in fact_cols if c.fact.type == "choices"], width) if ok else None
    return cache[header]


def _convert(col: Column, text: str) -> tuple[Any, tuple[str, str] | None]:
    """The value an answer text stands for (None: unanswered), or a (message, hint) saying why
    it cannot be read. Whether the value fits the fact is checked with the facts file's checks."""
    if col.fact.type == "choices":
        values = []
        for part in split_named(col.fact, text, re.escape(col.split)):  # a label may hold col.split
            value, problem = _one(col, part)
            if problem:
                return None, problem
            if value is not None:
                values.append(value)
        return values, None
    return _one(col, text)


def _one(col: Column, text: str) -> tuple[Any, tuple[str, str] | None]:
    fact = col.fact
    if col.values is not None:
        folded = name_key(text)
        if folded in col.values:
            return col.values[folded], None
        listed = ", ".join(f"'{k}'" for k in col.values) or "none"
        return None, (f"'{text}' is not one of the answers the mapping lists",
                      f"listed: {listed}; add it under the column's values in the mapping")
    if fact.type == "boolean":
        folded = text.casefold()
        if folded in _TRUE or folded in _FALSE:
            return folded in _TRUE, None
        return None, (f"'{text}' is not a yes/no answer", "write yes or no, or list the answers "
                      "under the column's values in the mapping")
    if fact.type in ("integer", "number"):
        if not _NUMBER.match(text):
            return None, (f"'{text}' is not a number", "write a number, such as 12")
        number = float(text)
        return (int(number) if number.is_integer() and fact.type == "integer" else number), None
    named = fact.value_named(text)  # its id or its label, in any case
    if named is not None:
        return named, None
    like = fact.value_like(text)
    return None, (f"{_yaml(text)} is not an allowed answer to '{fact.id}'",
                  f"did you mean '{fact.label_of(like)}'?" if like is not None else
                  f"allowed: {', '.join(fact.labels_of(fact.values))}; or list the export's answers "
                  "under the column's values in the mapping")


def count_rows(path: Path) -> int:
    """How many data rows an export has (for the progress bar's time left)."""
    _, rows = read_rows(path)
    return sum(1 for _ in rows)
