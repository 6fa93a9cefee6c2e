"""The questionnaire as a CSV table: the same rows and columns as the workbook (maturity.sheet),
for clients and tools that prefer plain text. Problems name row:column."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import DataError, Problem
from .model import Model
from .sheet import SheetDocument, read_rows, template_rows
from .yamlio import display_path, read_text


def template_text(model: Model, pack: str) -> str:
    """A CSV questionnaire for `model`, its `pack` row saying `pack`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for cells, _fact, _kind in template_rows(model, pack):
        writer.writerow(cells)
    return out.getvalue()


def read(path: Path | str) -> SheetDocument:
    """A filled-in CSV questionnaire as a facts document."""
    shown = display_path(path)
    text = read_text(path, shown)
    # strict: a quote never closed is an error, not a cell holding the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        # A quote not closed runs on into the rows after it, so it is found there, or at the
        # end of the file: said where its row starts.
        if "end of data" in str(exc):
            raise DataError([Problem(shown, start, 1, "a quote in this row is never closed",
                                     "close the quote, or save the file again as CSV")]) from None
        raise DataError([Problem(shown, start, 1, f"not a CSV table: {exc} (line {reader.line_num}, "
                                 "in the row that starts here)",
                                 "check the quotes of this row, or save the file again as CSV "
                                 "(comma-separated, UTF-8)")]) from None
    return read_rows(rows, shown)
