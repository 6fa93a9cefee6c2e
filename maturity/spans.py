"""Pieces ("spans") of a CSV survey export, each holding whole rows, so that a batch's workers
read, hash and assess the rows themselves and the parent process only finds where pieces end:
by counting quote characters, which needs no parsing. That count tells where rows end exactly
as the csv module reads them when every quote opens, closes or doubles a quoted field and lines
end in a line feed; a file where that is not so is read whole by the parent instead (`plain`)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Iterator

SPAN_BYTES = 1 << 16      # about 200 rows of a 34-question survey
_BEFORE = frozenset(b',\n"')  # what an opening quote may follow (or the start of a row)
_AFTER = frozenset(b',\r\n"')  # what a closing quote may precede (or the end)


@dataclass(frozen=True)
class Span:
    """Whole rows of a CSV export: bytes `start` to `end` of `path`, the first starting on line
    `line` (the header is line 1)."""

    path: str
    source: str                  # the file as shown in messages
    start: int
    end: int
    line: int
    header: tuple[str, ...]


def _row_end(data: bytes, at: int = -1) -> int:
    """The offset just after the last line feed in `data` outside quotes (-1: none)."""
    nl = data.rfind(b"\n") if at < 0 else data.find(b"\n")
    while nl >= 0:
        if data.count(b'"', 0, nl) % 2 == 0:
            return nl + 1
        nl = data.rfind(b"\n", 0, nl) if at < 0 else data.find(b"\n", nl + 1)
    return -1


def plain(piece: bytes) -> bool:
    """Whether counting quotes finds the ends of rows in `piece` (whole rows) as the csv module
    does: each quote opens a field (after a comma, a line feed or a quote), or closes or doubles
    one (before a comma, a line end or a quote), and no line ends in a carriage return alone."""
    if piece.count(b"\r") != piece.count(b"\r\n"):
        return False
    n, i, k = len(piece), piece.find(b'"'), 0
    while i >= 0:
        if k % 2 == 0:
            if i and piece[i - 1] not in _BEFORE:
                return False
        elif i + 1 < n and piece[i + 1] not in _AFTER:
            return False
        k += 1
        i = piece.find(b'"', i + 1)
    return k % 2 == 0


def header(path: str) -> tuple[list[str], int, int] | None:
    """The header row's cells, the offset after it, and the line after it; None when the file's
    first row is not plain (then the file is read whole, the old way)."""
    with open(path, "rb") as f:
        data = b""
        while True:
            block = f.read(SPAN_BYTES)
            data += block
            end = _row_end(data, at=0)
            if end >= 0 or not block:
                break
    if end < 0:
        end = len(data)
    head = data[:end]
    if not head.strip() or not plain(head):
        return None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None  # said by the whole-file reader
    cells = next(csv.reader(io.StringIO(text, newline="")), [])
    return [c.strip() for c in cells], end, head.count(b"\n") + 1


def spans(path: str, source: str, head: tuple[str, ...], start: int, line: int,
          size: int = SPAN_BYTES) -> Iterator[Span | int]:
    """The spans of an export after its header, about `size` bytes each; in place of a piece
    that is not `plain`, the line it starts on, and no more (the caller reads the rest itself)."""
    with open(path, "rb") as f:
        f.seek(start)
        pending = b""
        while True:
            block = f.read(size)
            pending += block
            end = _row_end(pending) if block else len(pending)
            if end <= 0:
                if not block:
                    return
                continue
            piece, pending = pending[:end], pending[end:]
            if not plain(piece):
                yield line
                return
            yield Span(path, source, start, start + end, line, head)
            start += end
            line += piece.count(b"\n")


def rows(span: Span) -> Iterator[tuple[int, list[str] | str]]:
    """The rows of a span: (line, cells), or (line, message) for a row that cannot be read.
    Rows of empty cells are left out, as the whole-file reader leaves them out."""
    with open(span.path, "rb") as f:
        f.seek(span.start)
        data = f.read(span.end - span.start)
    try:
        text, mixed = data.decode("utf-8"), False
    except UnicodeDecodeError:
        text, mixed = data.decode("utf-8", "surrogateescape"), True
    reader = csv.reader(io.StringIO(text, newline=""))
    at = 1
    try:
        for cells in reader:
            line, at = span.line + at - 1, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if mixed and any(_escaped(c) for c in cells):
                yield line, "not UTF-8 text"
                continue
            yield line, cells
    except csv.Error as exc:
        yield span.line + at - 1, str(exc)


def _escaped(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)
