"""The questionnaire as an Excel workbook (.xlsx), for a client to fill in before or during the
interview: one sheet "Facts", a row per question grouped by element, drop-downs for yes/no and
choices. openpyxl is imported here only, and this module only by what reads or writes .xlsx."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .errors import DataError, Problem
from .model import Model
from .sheet import (ANSWER, EVIDENCE, HELP, NOTE, QUESTION, SheetDocument, UnsavedFormula, column_name,
                    read_rows, template_rows)
from .yamlio import display_path

SHEET = "Facts"
_WIDTHS = {0: 34, QUESTION: 60, ANSWER: 22, NOTE: 36, EVIDENCE: 36, HELP: 60}
_FIXED_TIME = datetime(2000, 1, 1)  # no clock in the file: the same template gives the same bytes
_MARKERS = ["dont-know", "not-applicable"]
LISTS = "Lists"  # a hidden sheet for drop-down lists that cannot be written in place


def template_bytes(model: Model, pack: str) -> bytes:
    """A workbook to fill in for `model`, its `pack` row saying `pack`."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    bold, heading = Font(bold=True), PatternFill("solid", fgColor="DDE7F0")
    validations: dict[str, DataValidation] = {}
    lists: dict[tuple[str, ...], str] = {}  # drop-down lists on the hidden sheet -> their cells
    for n, (cells, fact, kind) in enumerate(template_rows(model, pack), 1):
        for c, value in enumerate(cells):
            cell = ws.cell(row=n, column=c + 1, value=value if value != "" else None)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if kind in ("header", "element"):
                cell.font = bold
                cell.fill = heading
        if fact is not None and fact.type in ("boolean", "choice"):
            # A choice by its label: what the respondent reads, and reads back (sheet.coerce).
            options = ["yes", "no"] if fact.type == "boolean" else fact.labels_of(fact.values)
            formula = '"' + ",".join(options + _MARKERS) + '"'
            if len(formula) > 257 or any("," in o or '"' in o for o in options):
                # Excel's limit on a list written in place, which cannot hold a comma or a quote:
                # the list goes in a column of a hidden sheet, and the drop-down names its cells.
                formula = _listed(wb, lists, options + _MARKERS)
            dv = validations.get(formula)
            if dv is None:
                error = f"Choose one of: {', '.join(options)}, {' or '.join(_MARKERS)}."
                dv = validations[formula] = DataValidation(
                    type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                    errorTitle="Not an answer", error=error if len(error) <= 255 else
                    "Choose one of the answers in the list.")
                ws.add_data_validation(dv)
            dv.add(f"{column_name(ANSWER)}{n}")
    for c, width in _WIDTHS.items():
        ws.column_dimensions[column_name(c)].width = width
    ws.freeze_panes = "C2"
    wb.properties.creator = "dots"
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    raw = io.BytesIO()
    wb.save(raw)
    return _without_clock(raw.getvalue())


def _listed(wb: openpyxl.Workbook, lists: dict[tuple[str, ...], str], options: list[str]) -> str:
    """The cells of `options`, one a row in a column of the hidden sheet (added on first use; a
    list used again is written once), as a drop-down's formula."""
    key = tuple(options)
    if key not in lists:
        sheet = wb[LISTS] if LISTS in wb.sheetnames else wb.create_sheet(LISTS)
        sheet.sheet_state = "hidden"
        column = column_name(len(lists))
        for row, option in enumerate(options, 1):
            sheet[f"{column}{row}"] = option
        lists[key] = f"{LISTS}!${column}$1:${column}${len(options)}"
    return lists[key]


def _without_clock(data: bytes) -> bytes:
    """The zip again with fixed entry times and the core properties' times fixed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _fix_times(body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()


def _fix_times(xml: bytes) -> bytes:
    import re
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", xml)


def read(path: Path | str) -> SheetDocument:
    """A filled-in workbook as a facts document; problems name the cell ("Facts!C14")."""
    shown = display_path(path)
    p = Path(path)
    if not p.is_file():
        raise DataError([Problem(shown, 0, 0, "no such file" if not p.exists() else "is a folder, not a file",
                                 "check the path")])
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise DataError([Problem(shown, 0, 0, "not an Excel workbook (.xlsx), or a damaged one",
                                 "save it from Excel or LibreOffice as .xlsx")]) from None
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        title = ws.title
        rows = [(n, list(row)) for n, row in enumerate(ws.iter_rows(values_only=True), 1)]
    finally:
        wb.close()
    if any(v is None for _, row in rows for v in row):
        _unsaved_formulas(p, title, rows)
    return read_rows(rows, shown, title)


def _unsaved_formulas(path: Path, title: str, rows: list[tuple[int, list]]) -> None:
    """Mark, in place, the empty cells of `rows` that hold a formula: its value was never saved
    (openpyxl, like other programs that write workbooks, saves formulas without calculating
    them). Such a cell is not an unanswered question."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        formulas = wb[title].iter_rows(values_only=True)
        for (_, values), cells in zip(rows, formulas):
            for i, cell in enumerate(cells):
                if i < len(values) and values[i] is None and isinstance(cell, str) and cell.startswith("="):
                    values[i] = UnsavedFormula(cell)
    finally:
        wb.close()
