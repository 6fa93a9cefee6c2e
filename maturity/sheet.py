"""The questionnaire as a table (one row per question, grouped by element), shared by the
workbook (.xlsx) and CSV forms: the rows a template holds, and reading filled-in rows back into
the same document a YAML facts file gives, with every value placed at its cell.

Cells hold text as people type it ("yes", "3", "linkedin, tiktok", "don't know"); each answer
is turned into the fact's type (`coerce`) once the pack is known, then checked like YAML."""

from __future__ import annotations

import datetime
import re
from typing import Any

from .errors import DataError, Problem
from .model import Fact, Model, split_named
from .placeholders import PLACEHOLDERS
from .yamlio import Document, Path_

HEADER = ("Fact", "Question", "Answer", "Note", "Evidence", "How to answer")
FACT, QUESTION, ANSWER, NOTE, EVIDENCE, HELP = range(len(HEADER))
ORGANISATION = (("name", "Organisation name", PLACEHOLDERS["name"]),
                ("id", "Short id: lower-case letters, digits, - and _", "client"),
                ("sector", "Sector", None), ("size", "Size", None),
                ("assessed_on", "Date assessed (YYYY-MM-DD)", None),
                ("consultant", "Consultant", None), ("notes", "Notes", None))
# What people type for "don't know" and "not applicable", lower-cased.
MARKER_WORDS = {"dont-know": "dont-know", "don't know": "dont-know", "dont know": "dont-know",
                "?": "dont-know", "not-applicable": "not-applicable",
                "not applicable": "not-applicable", "n/a": "not-applicable"}
YES = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


def column_name(index: int) -> str:
    """A spreadsheet column letter from a 0-based index: 0 is A, 26 is AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def how_to_answer(fact: Fact) -> str:
    """The help text and allowed answers of a fact, for the template's last column."""
    if fact.type == "boolean":
        allowed = "yes or no"
    elif fact.type in ("integer", "number"):
        bounds = [f"at least {fact.min:g}" if fact.min is not None else "",
                  f"at most {fact.max:g}" if fact.max is not None else ""]
        bounds = [b for b in bounds if b]
        allowed = ("a whole number" if fact.type == "integer" else "a number") + \
            (f" ({', '.join(bounds)})" if bounds else "")
    elif fact.type == "choice":
        allowed = "one of: " + ", ".join(fact.labels_of(fact.values))
    else:
        allowed = "any of, separated by commas: " + ", ".join(fact.labels_of(fact.values)) + " (or none)"
    text = f"Answer {allowed}; or dont-know, or not-applicable."
    return f"{fact.help} {text}" if fact.help else text


def template_rows(model: Model, pack: str) -> list[tuple[list[Any], Fact | None, str]]:
    """The rows of a questionnaire for `model`: (cells, the fact asked or None, kind) with kind
    "header", "field" (pack and organisation), "element" (a group's heading) or "fact"."""
    rows: list[tuple[list[Any], Fact | None, str]] = [(list(HEADER), None, "header")]
    rows.append((["pack", "The rule pack these answers are for", pack, "", "",
                  "A built-in pack name, or a pack folder relative to this file."], None, "field"))
    for key, question, example in ORGANISATION:
        rows.append(([f"organisation.{key}", question, example or "", "", "", ""], None, "field"))
    for label, facts in model.question_groups():
        rows.append((["", label, "", "", "", ""], None, "element"))
        rows += [([f.id, f.question or f.id, "", "", "", how_to_answer(f)], f, "fact")
                 for f in facts]
    return rows


class SheetDocument(Document):
    """A facts document read from a table: positions are rows and columns (1-based), and
    problems name the cell ("Facts!C14") when `sheet` is set, else row:column."""

    sheet: str = ""
    loose = True  # answers are text as typed: coerce them once the pack is known

    def problem(self, path: Path_, message: str, hint: str = "", key: bool = False,
                severity: str = "error") -> Problem:
        return doc_problem(self.file, self.sheet, self.where(path, key), message, hint, severity)


def doc_problem(file: str, sheet: str, at: tuple[int, int], message: str, hint: str = "",
                severity: str = "error") -> Problem:
    """A problem at a table's cell (row, column), named as the cell ("Facts!C14") when the
    table is a sheet."""
    row, column = at
    place = f"{sheet}!{column_name(column - 1)}{row}" if sheet and row else ""
    return Problem(file, row, column, message, hint, severity, place)


class UnsavedFormula(str):
    """A cell holding a formula whose value was never saved (a workbook written by a program
    that does not calculate): read as it stands, it would look empty, an unanswered question."""


def read_rows(rows: list[tuple[int, list[Any]]], file: str, sheet: str = "") -> SheetDocument:
    """The document in a filled-in questionnaire: `rows` are (row number, cells)."""
    doc = SheetDocument(file, None)
    doc.sheet = sheet
    header_at = next((n for n, (row, cells_) in enumerate(rows)
                      if cells_ and _text(cells_[0]).lower() == "fact"), None)
    if header_at is None:
        raise DataError([Problem(file, 0, 0, "no header row starting with 'Fact'",
                                 "start from a template: dots facts --template -o client.xlsx")])
    header_row, header = rows[header_at]
    columns = {_text(name).lower(): i for i, name in enumerate(header) if _text(name)}
    problems = [Problem(file, header_row, 1, f"no '{name}' column", "", "error",
                        f"{sheet}!A{header_row}" if sheet else "")
                for name in ("Answer",) if name.lower() not in columns]
    if problems:
        raise DataError(problems)
    col = {k: columns.get(HEADER[i].lower()) for k, i in
           (("fact", FACT), ("answer", ANSWER), ("note", NOTE), ("evidence", EVIDENCE))}
    data: dict[str, Any] = {"organisation": {}, "facts": {}}
    doc.values[()] = (header_row, 1)
    doc.values[("organisation",)] = doc.values[("facts",)] = (header_row, 1)
    seen: dict[str, int] = {}
    problems = []
    for number, row in rows[header_at + 1:]:
        get = lambda k: row[col[k]] if col[k] is not None and col[k] < len(row) else None  # noqa: E731
        name = _text(get("fact"))
        if not name:
            continue
        at = lambda k: (number, col[k] + 1)  # noqa: E731
        if name in seen:
            problems.append(Problem(file, number, 1, f"'{name}' is listed twice (first in row {seen[name]})",
                                    "keep one row for it", "error", f"{sheet}!A{number}" if sheet else ""))
            continue
        seen[name] = number
        unsaved = [k for k in ("answer", "note", "evidence") if isinstance(get(k), UnsavedFormula)]
        if unsaved:
            problems += [doc_problem(file, sheet, at(k), f"the {k} cell of '{name}' holds a formula "
                                     f"whose value was never saved ({get(k)})",
                                     "open the workbook in Excel or LibreOffice and save it, or "
                                     "type the value in place of the formula") for k in unsaved]
            continue
        answer = get("answer")
        answer = None if isinstance(answer, str) and not answer.strip() else answer
        if isinstance(answer, (datetime.date, datetime.datetime)):
            answer = answer.date().isoformat() if isinstance(answer, datetime.datetime) else answer.isoformat()
        if name == "pack" or name.startswith("organisation."):
            path = ("pack",) if name == "pack" else ("organisation", name.split(".", 1)[1])
            doc.values[path], doc.keys[path] = at("answer"), (number, 1)
            if answer is None:
                continue
            value = answer.strip() if isinstance(answer, str) else str(answer)
            if name == "pack":
                data["pack"] = value
            else:
                data["organisation"][path[1]] = value
            continue
        path = ("facts", name)
        doc.keys[path] = (number, col["fact"] + 1)
        doc.values[path] = doc.values[path + ("answer",)] = at("answer")
        note = _text(get("note")) or None
        evidence = [e.strip() for e in re.split(r"[;\n]", _text(get("evidence"))) if e.strip()]
        if note is not None and col["note"] is not None:
            doc.values[path + ("note",)] = at("note")
        if evidence:
            doc.values[path + ("evidence",)] = at("evidence")
        if note or evidence:
            data["facts"][name] = {"answer": answer, **({"note": note} if note else {}),
                                   **({"evidence": evidence} if evidence else {})}
        else:
            data["facts"][name] = answer
    if problems:
        raise DataError(problems)
    doc.data = data
    return doc


def coerce_facts(doc: Document, model: Model) -> None:
    """Turn a table's answers, typed as text, into each fact's type (in place); an answer that
    does not fit stays as typed, for the checks to report at its cell."""
    for fact_id, raw in doc.data["facts"].items():
        fact = model.fact_by_id.get(fact_id)
        if fact is None:
            continue
        if isinstance(raw, dict):
            raw["answer"] = coerce(fact, raw.get("answer"))
        else:
            doc.data["facts"][fact_id] = coerce(fact, raw)


def coerce(fact: Fact, value: Any) -> Any:
    """A cell's answer as the fact's type, when it reads as one; else the value as it is. A
    choice is read by its label or its id, in any case ("LinkedIn", "x (twitter)")."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        named = fact.value_named(text)
        if fact.type == "choice" and named is not None:
            return named  # before the markers: a choice named "Don't know" is that choice
        marker = MARKER_WORDS.get(text.lower().replace("\u2019", "'"))
        if marker:
            return marker
        if fact.type == "boolean":
            return YES.get(text.lower(), text)
        if fact.type in ("integer", "number"):
            try:
                return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
            except ValueError:
                return text
        if fact.type == "choices":
            if text.lower() == "none" and named is None:
                return []
            return [fact.value_named(part) or part for part in split_named(fact, text, r"[,;\n]")]
        return text
    if isinstance(value, float) and fact.type == "integer" and value.is_integer():
        return int(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and fact.type in ("choice", "choices"):
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        text = fact.value_named(text) or text  # a label such as "10"
        return text if fact.type == "choice" else [text]
    return value


def _text(value: Any) -> str:
    return "" if value is None else value.strip() if isinstance(value, str) else str(value)

