"""Changing answers in a YAML facts file while keeping everything else as it was: comments,
key order, quoting and layout (ruamel.yaml's round-trip mode). Used by the interview, which
saves after every answer; each save replaces the file whole (write_atomic), so a file is never
left half written. ruamel.yaml is imported here only, and this module only by the interview."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from .errors import DataError, Problem
from .organisation import Answer
from .files import write_atomic
from .yamlio import display_path, read_text


class FactsEditor:
    """A facts file open for changing answers."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._yaml = YAML()
        self._yaml.preserve_quotes = True
        self._yaml.width = 4096  # never fold a long note onto a second line
        try:
            self.data = self._yaml.load(read_text(path))
        except YAMLError as exc:  # the file was checked before; this is a file changed since
            raise DataError([Problem(display_path(path), 0, 0, f"cannot read for editing: {exc}")]) from None
        if self.data.get("facts") is None:
            self.data["facts"] = CommentedMap()

    def set(self, fact_id: str, answer: Answer | None) -> None:
        """Record `answer` for `fact_id` (None: unanswered), keeping the comments around it."""
        facts = self.data["facts"]
        if answer is None:
            facts[fact_id] = None
            return
        value = _node(answer.written)
        if not answer.note and not answer.evidence:
            facts[fact_id] = value
            return
        old = facts.get(fact_id)
        node = old if isinstance(old, CommentedMap) else CommentedMap()
        node["answer"] = value
        for key, given in (("note", answer.note), ("evidence", list(answer.evidence))):
            if given:
                node[key] = _node(given)
            elif key in node:
                del node[key]
        facts[fact_id] = node

    def set_organisation(self, key: str, value: str) -> None:
        """Change one field of the `organisation:` header: text, quoted when the file's reader
        would take it for something else (a name typed as `yes` or `2026`)."""
        import yaml
        try:
            plain = yaml.safe_load(value) == value
        except yaml.YAMLError:
            plain = False
        self.data["organisation"][key] = value if plain else DoubleQuotedScalarString(value)

    def remove_organisation(self, key: str) -> None:
        """Leave one field of the `organisation:` header out."""
        self.data["organisation"].pop(key, None)

    def text(self) -> str:
        out = io.StringIO()
        self._yaml.dump(self.data, out)
        return out.getvalue()

    def save(self) -> None:
        """Replace the file with the current answers, whole or not at all."""
        write_atomic(self.path, self.text().encode("utf-8"))


def _node(value: Any) -> Any:
    if isinstance(value, list):
        seq = CommentedSeq(value)
        seq.fa.set_flow_style()
        return seq
    return value
