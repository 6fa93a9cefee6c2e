"""Safe YAML reading that remembers where every value came from.

PyYAML's safe loader is used to compose the node tree; we build plain Python values from it
ourselves so that every value keeps its line and column, duplicate keys are caught, and any tag
that would build an object (such as ``!!python/object``) is refused before anything runs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError, Problem

Path_ = tuple  # a path into a document: keys and list indexes

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class Document:
    """A YAML file's data and the position of each value and key in it (1-based)."""

    file: str
    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """Line and column of the value (or of its key) at `path`, else of its nearest parent."""
        table = self.keys if key else self.values
        path = tuple(path)
        while path:
            if path in table:
                return table[path]
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def problem(self, path: Path_, message: str, hint: str = "", key: bool = False,
                severity: str = "error") -> Problem:
        line, column = self.where(path, key)
        return Problem(self.file, line, column, message, hint, severity)


def display_path(path: Path | str) -> str:
    """How a file is named in messages: relative to the working folder when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


def read_text(path: Path | str, name: str | None = None) -> str:
    """A file's text as UTF-8, or a DataError naming the file and what is wrong with it."""
    shown = name or display_path(path)
    p = Path(path)
    if not p.exists():
        raise DataError([Problem(shown, 0, 0, "no such file", "check the path")])
    if p.is_dir():
        raise DataError([Problem(shown, 0, 0, "is a folder, not a file")])
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DataError([Problem(shown, 0, 0, f"cannot read: {exc.strerror}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # exc.start counts from after the BOM, which utf-8-sig strips before decoding: count
        # in exc.object, the bytes it decoded, not in raw.
        data = exc.object
        line = data[: exc.start].count(b"\n") + 1
        # Columns count characters, as editors show them: the bytes before the bad one on its
        # line are valid UTF-8.
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start: exc.start].decode("utf-8")) + 1
        raise DataError([Problem(shown, line, column, "not UTF-8 text",
                                 "save the file as UTF-8")]) from None


def load(path: Path | str, text: str | None = None, name: str | None = None) -> Document:
    """Read one YAML document safely, with positions. Raises DataError on any problem."""
    shown = name or display_path(path)
    if text is None:
        text = read_text(path, shown)
    if not text.strip():
        raise DataError([Problem(shown, 0, 0, "file is empty")])
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise DataError([Problem(shown, line, column, f"YAML syntax error: {message}")]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(shown, 0, 0, f"YAML error: {exc}")]) from None
    if node is None:
        raise DataError([Problem(shown, 0, 0, "file is empty")])
    doc = Document(shown, None)
    problems: list[Problem] = []
    doc.data = _build(node, (), doc, problems, yaml.constructor.SafeConstructor())
    if problems:
        raise DataError(problems)
    return doc


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # PyYAML built with libyaml


def _compose(text: str) -> yaml.Node | None:
    """The node tree of `text`. libyaml's parser, where PyYAML has it, is about ten times faster
    and gives the same nodes, tags and positions; on any error the pure-Python parser reads the
    text again, so that what is accepted, and how errors are worded, stay PyYAML's own."""
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _build(node: yaml.Node, path: Path_, doc: Document, problems: list[Problem],
           scalars: yaml.constructor.SafeConstructor) -> Any:
    doc.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if node.tag not in _SAFE_TAGS:
        problems.append(Problem(doc.file, *doc.values[path],
                                f"YAML tag '{node.tag}' is not allowed",
                                "only plain values, lists and mappings are read; remove the tag"))
        return None
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(Problem(doc.file, key_node.start_mark.line + 1,
                                        key_node.start_mark.column + 1,
                                        "YAML merge keys ('<<') are not supported",
                                        "write the keys out"))
                continue
            key = _build(key_node, path + ("<key>",), doc, problems, scalars)
            if isinstance(key, (list, dict)) or key is None and key_node.tag != "tag:yaml.org,2002:null":
                problems.append(Problem(doc.file, key_node.start_mark.line + 1,
                                        key_node.start_mark.column + 1,
                                        "a mapping key must be a plain value"))
                continue
            key = str(key) if not isinstance(key, str) else key
            doc.keys[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                problems.append(Problem(doc.file, key_node.start_mark.line + 1,
                                        key_node.start_mark.column + 1,
                                        f"duplicate key '{key}'",
                                        "a key may appear once in a mapping; remove one"))
                continue
            result[key] = _build(value_node, path + (key,), doc, problems, scalars)
        doc.values.pop(path + ("<key>",), None)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), doc, problems, scalars) for i, item in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:str":  # most scalars: the constructor gives the text as is
        return node.value
    value = scalars.construct_object(node, deep=True)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value
