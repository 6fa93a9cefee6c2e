"""Safe YAML reading that remembers where every value came from.

PyYAML's safe loader is used to compose the node tree; we build plain Python values from it
ourselves so that every value keeps its line and column, duplicate keys are caught, and any tag
that would build an object (such as ``!!python/object``) is refused before anything runs.

What a small file can make us build is bounded: aliases (``*name``), which let a few hundred
bytes stand for billions of values, may add at most `MAX_ALIAS_VALUES` values to those written
out (yaml.dump writes aliases for repeated values, so they are not refused outright), and lists
and mappings may nest at most `MAX_DEPTH` levels.
"""

from __future__ import annotations

import datetime
import errno
import functools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError, Problem

Path_ = tuple  # a path into a document: keys and list indexes

MAX_DEPTH = 100  # levels of nested lists and mappings in one file (docs/engine.md, "Limits")
MAX_FILE_BYTES = 64 * 2 ** 20  # one file read (a device given as a file would never end)
MAX_ALIAS_VALUES = 100_000  # values aliases (*name) may add to those written out in one file

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


class _ReadDocument(Document):
    """A document read by `load`. Its mappings and lists are placed as they are built; the
    keys, and the plain values in them (texts, numbers...), only when first asked for: a pack
    read without a problem asks for none of them (its items are mappings), and a large pack has
    tens of thousands. `values` and `keys` are complete whenever they are read."""

    # The base's __init__ sets values and keys: through these properties, into _values and _keys.
    @property
    def values(self) -> dict[Path_, tuple[int, int]]:
        self._place()
        return self._values

    @values.setter
    def values(self, table: dict) -> None:
        self._values = table

    @property
    def keys(self) -> dict[Path_, tuple[int, int]]:
        self._place()
        return self._keys

    @keys.setter
    def keys(self, table: dict) -> None:
        self._keys = table

    def where(self, path: Path_, key: bool = False) -> tuple[int, int]:
        if not key and type(path) is tuple:  # a mapping or a list (an item): placed already
            found = self._values.get(path)
            if found is not None:
                return found
        return super().where(path, key)

    def _place(self) -> None:
        """Note the place of every key, and of every value in a list or mapping, not placed yet."""
        waiting = self.__dict__.get("_waiting")
        if not waiting:
            return
        values, keys = self._values, self._keys
        for node, path in waiting:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if type(key_node) is not _Scalar or key_node.tag != _STR:
                        continue  # a key of another type was placed when built (with its value)
                    at = path + (key_node.value,)
                    mark = key_node.start_mark
                    keys[at] = (mark.line + 1, mark.column + 1)
                    if type(value_node) is _Scalar:
                        mark = value_node.start_mark
                        values[at] = (mark.line + 1, mark.column + 1)
            else:
                for i, item in enumerate(node.value):
                    if type(item) is _Scalar:
                        mark = item.start_mark
                        values[path + (i,)] = (mark.line + 1, mark.column + 1)
        # Dropped once all is placed: a thread asking meanwhile places them again, the same.
        self.__dict__.pop("_waiting", None)

    def __getstate__(self) -> dict:
        self._place()  # the nodes are not kept (the pack cache pickles test cases' documents)
        return dict(self.__dict__)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


def display_path(path: Path | str) -> str:
    """How a file is named in messages: relative to the working folder when inside it, as
    valid text (bytes of the name that are not UTF-8 become U+FFFD)."""
    p = Path(path)
    try:
        # A link is named as the user wrote it, not as what it points at (nor, when it leads
        # nowhere, as an error of its own).
        real = p.parent.resolve() / p.name if p.is_symlink() else p.resolve()
        shown = str(real.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link loop, before Python 3.13
        shown = str(p)
    return printable(shown)


def printable(name: str) -> str:
    """A file name as valid text: bytes that are not UTF-8, which Python keeps in names as
    lone surrogates, become U+FFFD, so that messages and JSON stay valid UTF-8."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def link_problem(path: Path) -> str:
    """What is wrong with `path` when it is a link that leads nowhere, else ""."""
    if not path.is_symlink():
        return ""
    try:
        path.stat()
    except FileNotFoundError:
        return f"a link to '{os.readlink(path)}', which does not exist"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a link that loops (it leads back to itself)"
        return f"a link that cannot be followed: {exc.strerror}"
    return ""


def read_text(path: Path | str, name: str | None = None) -> str:
    """A file's text as UTF-8, or a DataError naming the file and what is wrong with it."""
    shown = name or display_path(path)
    p = Path(path)
    broken = link_problem(p)
    if broken:
        raise DataError([Problem(shown, 0, 0, f"is {broken}", "check the path")])
    if not p.exists():
        raise DataError([Problem(shown, 0, 0, "no such file", "check the path")])
    if p.is_dir():
        raise DataError([Problem(shown, 0, 0, "is a folder, not a file")])
    try:
        with open(p, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)  # a device such as /dev/zero never ends
    except OSError as exc:
        raise DataError([Problem(shown, 0, 0, f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise DataError([Problem(shown, 0, 0, f"larger than {MAX_FILE_BYTES // 2 ** 20} MB",
                                 "a pack or facts file is far smaller; check the path")])
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
        node = _compose(text, shown)
    except yaml.MarkedYAMLError as exc:
        raise DataError([_syntax_problem(exc, shown)]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(shown, 0, 0, f"YAML error: {exc}")]) from None
    if node is None:
        raise DataError([Problem(shown, 0, 0, "file is empty")])
    doc = _ReadDocument(shown, None)
    doc._waiting = []
    problems: list[Problem] = []
    # The reader refuses raw control characters but tab and line breaks (which YAML turns into
    # \n): others come only from escapes in double quotes, so without a backslash none is looked for.
    doc.data = _build(node, (), doc, problems, _Scalars(), 0, "\\" in text)
    if problems:
        raise DataError(problems)
    return doc


def _syntax_problem(exc: yaml.MarkedYAMLError, shown: str) -> Problem:
    """A YAML syntax error where it can be mended: a quote or bracket never closed is found only
    at the end of the file, so it is said where it opens."""
    mark = exc.problem_mark or exc.context_mark
    message, hint = exc.problem or exc.context or "invalid YAML", ""
    context = exc.context or ""
    if exc.context_mark is not None and "end of stream" in message and "quoted scalar" in context:
        mark, message, hint = exc.context_mark, "this quote is never closed", "close the quote"
    elif exc.context_mark is not None and "flow" in context and "stream end" in message:
        mark, message, hint = exc.context_mark, "this bracket is never closed", "close the bracket"
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return Problem(shown, line, column, f"YAML syntax error: {message}", hint)


_LIBYAML = getattr(yaml, "CSafeLoader", None)  # PyYAML built with libyaml


class _MemoLoader(_LIBYAML or yaml.SafeLoader):
    """libyaml's safe loader, which asks PyYAML's resolver (Python, a few regular expressions
    tried in turn) for the tag of every value: each (kind, text, implicit) is resolved once per
    document here (keys, true, ids and levels repeat), through functools.lru_cache, whose hits
    cost no Python call (the parser asks for every node), and the resolver is not told the way
    down and up the tree, which only path resolvers read and the safe loader has none of."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        # Without path resolvers, a tag depends only on the arguments. An attribute of the
        # instance, which the parser finds before the method; dropped by dispose (a cycle).
        if not self.yaml_path_resolvers:
            self.resolve = functools.lru_cache(maxsize=None)(self.resolve)

    def dispose(self) -> None:
        self.__dict__.pop("resolve", None)
        super().dispose()

    if not (_LIBYAML or yaml.SafeLoader).yaml_path_resolvers:
        def descend_resolver(self, current_node, current_index) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass


_FAST_LOADER = _MemoLoader if _LIBYAML is not None else None


def _compose(text: str, shown: str) -> yaml.Node | None:
    """The node tree of `text`. libyaml's parser, where PyYAML has it, is about ten times faster
    and gives the same nodes, tags and positions; on any error the pure-Python parser reads the
    text again, so that what is accepted, and how errors are worded, stay PyYAML's own. Nesting
    beyond MAX_DEPTH and aliases that stand for too much are refused (DataError) here, before
    any value is built."""
    node = None
    if _FAST_LOADER is not None:
        try:
            node = yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    if node is None:
        # PyYAML's own composer recurses once per level, and would fail (RecursionError) long
        # before libyaml's limit of 1000 levels: its parser, which does not recurse, looks first.
        _check_depth(text, shown)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is not None and "*" in text:  # an alias needs a '*'; most files have none
        _check_aliases(node, text, shown)
    return node


def _check_depth(text: str, shown: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, at the first list or mapping too deep."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise DataError([_too_deep(shown, mark.line + 1, mark.column + 1)])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_aliases(root: yaml.Node, text: str, shown: str) -> None:
    """Refuse aliases that make the values more than MAX_ALIAS_VALUES more numerous than those
    written out, or that refer to a value they are inside. PyYAML composes an alias as the
    anchored node itself, so the tree is a graph: its size, aliases expanded, is counted over
    the graph without expanding anything (each node once, no recursion)."""
    if "&" not in text:
        return  # no anchor, so no alias: nothing to count (a large pack is read faster)
    sizes: dict[int, int] = {}  # id(node) -> number of values it stands for, aliases expanded
    inside: set[int] = set()    # the nodes being counted, from the root down
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        children = _children(node)
        if leaving:
            inside.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            continue
        if id(node) in sizes:
            continue
        inside.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in inside:
                raise DataError([_alias_problem(text, shown, child, "refers to a value it is "
                                                "inside, which would never end",
                                                "write the value out instead of the alias")])
            if id(child) not in sizes:
                stack.append((child, False))
    extra = sizes[id(root)] - len(sizes)
    if extra > MAX_ALIAS_VALUES:
        raise DataError([_alias_problem(text, shown, None,
                                        f"stands, with the file's other aliases, for "
                                        f"{extra:,} values more than are written out",
                                        f"at most {MAX_ALIAS_VALUES:,} are read; write the "
                                        "values out, or repeat them less")])


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _alias_problem(text: str, shown: str, target: yaml.Node | None, what: str, hint: str) -> Problem:
    """A problem at the first alias of `target` (None: the first alias in the file)."""
    anchors: dict[tuple[int, int], str] = {}
    loader = _FAST_LOADER or yaml.SafeLoader
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.NodeEvent) and not isinstance(event, yaml.AliasEvent) \
                and event.anchor is not None:
            anchors[(event.start_mark.line, event.start_mark.column)] = event.anchor
        elif isinstance(event, yaml.AliasEvent):
            wanted = None if target is None else \
                anchors.get((target.start_mark.line, target.start_mark.column))
            if target is None or event.anchor == wanted:
                mark = event.start_mark
                return Problem(shown, mark.line + 1, mark.column + 1,
                               f"YAML alias '*{event.anchor}' {what}", hint)
    return Problem(shown, 0, 0, f"a YAML alias {what}", hint)  # not reached: an alias exists


def quote(text: str) -> str:
    """`text` as a YAML scalar that reads back as itself: as it is when it can be, else in
    double quotes (a JSON string is valid YAML)."""
    if re.fullmatch(r"[A-Za-z0-9][\w .'/-]*", text) and not text.endswith(" "):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


MAX_TEXT = 4000  # characters in one text (docs/engine.md, "Limits of what dots reads")
# Control characters (but tab and line break), and halves of surrogate pairs, which are not text.
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(text: str) -> tuple[str, str] | None:
    """What is wrong with a text from a file, as (message, hint), or None: one longer than
    MAX_TEXT characters, or holding a control character. Every text may end up in a picture,
    where Graphviz stops at a NUL and at 16,384 characters in one string."""
    if len(text) > MAX_TEXT:
        return (f"a text of {len(text):,} characters; at most {MAX_TEXT:,} are allowed",
                "shorten it; a long explanation belongs in a document the text can name")
    bad = _NOT_TEXT.search(text)
    if bad:
        return (f"control character U+{ord(bad.group()):04X} at character {bad.start() + 1} of "
                "the text", "remove it; texts may hold tabs and line breaks, but no other "
                "control characters")
    return None


def text_problems(doc: Document) -> list[Problem]:
    """A problem for each text in `doc` (keys too) that text_problem refuses: for documents
    not built by `load` (tables, workbooks), which checks its texts itself."""
    search = _NOT_TEXT.search
    if _texts_ok(doc.data, search):
        return []  # the usual case, found without noting where each text is
    problems = []
    stack: list[tuple[Any, Path_]] = [(doc.data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if len(value) <= MAX_TEXT and search(value) is None:
                continue  # text_problem would find nothing (survey rows check thousands)
            wrong = text_problem(value)
            if wrong:
                problems.append(doc.problem(path, *wrong))
        elif isinstance(value, dict):
            for key, item in value.items():
                text = key if type(key) is str else str(key)
                if len(text) > MAX_TEXT or search(text) is not None:
                    wrong = text_problem(text)
                    if wrong:
                        problems.append(doc.problem(path + (key,), *wrong, key=True))
                stack.append((item, path + (key,)))
        elif isinstance(value, list):
            stack += [(item, path + (n,)) for n, item in enumerate(value)]
    return sorted(problems, key=lambda p: (p.line, p.column))


def _texts_ok(value: Any, search) -> bool:
    """Whether text_problem would refuse no text (key or value) in `value`."""
    if isinstance(value, str):
        return len(value) <= MAX_TEXT and search(value) is None
    if isinstance(value, dict):
        for key, item in value.items():
            text = key if type(key) is str else str(key)
            if len(text) > MAX_TEXT or search(text) is not None or not _texts_ok(item, search):
                return False
        return True
    if isinstance(value, list):
        return all(_texts_ok(item, search) for item in value)
    return True


def _too_deep(shown: str, line: int, column: int) -> Problem:
    return Problem(shown, line, column, f"lists and mappings nest more than {MAX_DEPTH} levels deep",
                   "no file dots reads needs that many; flatten this part")


_STR = "tag:yaml.org,2002:str"
# Scalars whose value depends on their tag and text alone, and is immutable: built once per file.
_CONSTANTS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"})
_NEW = object()  # a scalar not built before


class _Scalars(yaml.constructor.SafeConstructor):
    """PyYAML's safe constructor, and the values of the constant scalars it has built for one
    file (`true`, `0`, `3`... repeat throughout a pack), by (tag, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.known: dict[tuple[str, str], Any] = {}


def _build(node: yaml.Node, path: Path_, doc: _ReadDocument, problems: list[Problem],
           scalars: _Scalars, depth: int, escapes: bool) -> Any:
    values = doc._values
    mark = node.start_mark
    values[path] = (mark.line + 1, mark.column + 1)
    if isinstance(node, yaml.CollectionNode):
        depth += 1
        if depth > MAX_DEPTH:  # only reached after libyaml, which allows 1000 levels
            problems.append(_too_deep(doc.file, *values[path]))
            return None
    if node.tag not in _SAFE_TAGS:
        problems.append(Problem(doc.file, *values[path],
                                f"YAML tag '{node.tag}' is not allowed",
                                "only plain values, lists and mappings are read; remove the tag"))
        return None
    # Most values are plain texts or constants met before: taken here, without a call each (a
    # large pack has tens of thousands); anything else, or a text that is not allowed, goes
    # through _build. A text is allowed when text_problem finds nothing wrong with it (control
    # characters come only from escapes: see load). Such values, and keys that are texts, are
    # placed when first asked for (doc._place, from the nodes of the mappings and lists noted in
    # doc._waiting); the others are placed here.
    search = _NOT_TEXT.search
    known = scalars.known
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        keys = doc._keys
        doc._waiting.append((node, path))
        for key_node, value_node in node.value:
            later = type(key_node) is _Scalar and key_node.tag == _STR
            if later and len(key_node.value) <= MAX_TEXT and not (escapes and search(key_node.value)):
                key = key_node.value
            else:
                later = False  # a problem, or a key of another type: placed here
                if key_node.tag == "tag:yaml.org,2002:merge":
                    problems.append(Problem(doc.file, key_node.start_mark.line + 1,
                                            key_node.start_mark.column + 1,
                                            "YAML merge keys ('<<') are not supported",
                                            "write the keys out"))
                    continue
                before = len(problems)
                key = _build(key_node, path + ("<key>",), doc, problems, scalars, depth, escapes)
                values.pop(path + ("<key>",), None)
                if len(problems) > before:  # said already (a text that is not allowed, say)
                    continue
                if isinstance(key, (list, dict)) or key is None and key_node.tag != "tag:yaml.org,2002:null":
                    problems.append(Problem(doc.file, key_node.start_mark.line + 1,
                                            key_node.start_mark.column + 1,
                                            "a mapping key must be a plain value"))
                    continue
                key = str(key) if not isinstance(key, str) else key
            at = path + (key,)
            mark = key_node.start_mark
            if not later:
                keys[at] = (mark.line + 1, mark.column + 1)
            if key in result:
                problems.append(Problem(doc.file, mark.line + 1, mark.column + 1,
                                        f"duplicate key '{key}'",
                                        "a key may appear once in a mapping; remove one"))
                continue
            if type(value_node) is _Scalar:
                tag, text = value_node.tag, value_node.value
                value = (text if len(text) <= MAX_TEXT and not (escapes and search(text)) else _NEW) \
                    if tag == _STR else known.get((tag, text), _NEW)
                if value is not _NEW:
                    if not later:
                        mark = value_node.start_mark
                        values[at] = (mark.line + 1, mark.column + 1)
                    result[key] = value
                    continue
            result[key] = _build(value_node, at, doc, problems, scalars, depth, escapes)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        append = items.append
        doc._waiting.append((node, path))
        for i, item in enumerate(node.value):
            if type(item) is _Scalar:
                tag, text = item.tag, item.value
                value = (text if len(text) <= MAX_TEXT and not (escapes and search(text)) else _NEW) \
                    if tag == _STR else known.get((tag, text), _NEW)
                if value is not _NEW:
                    append(value)
                    continue
            append(_build(item, path + (i,), doc, problems, scalars, depth, escapes))
        return items
    if node.tag == _STR:  # the constructor would give the text as is
        if not _plain_text(node.value, escapes):
            problems.append(Problem(doc.file, *values[path], *text_problem(node.value)))
            return None
        return node.value
    try:
        value = scalars.construct_object(node, deep=True)
    except ValueError:  # a timestamp that is no date (2026-13-45): the text, for the checks to report
        if node.tag != "tag:yaml.org,2002:timestamp":
            raise
        return node.value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if node.tag in _CONSTANTS:
        known[(node.tag, node.value)] = value
    return value


_Scalar = yaml.ScalarNode


def _plain_text(text: str, escapes: bool) -> bool:
    """Whether text_problem finds nothing wrong with a text of the file (control characters
    come only from escapes: see load)."""
    return len(text) <= MAX_TEXT and not (escapes and _NOT_TEXT.search(text))
