"""The example organisations shipped inside the package (`dots examples`), so that a new user
can copy one out and run every command on it with the installed package alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import OutputError, did_you_mean
from .questionnaire import SCHEMA_FILE
from .files import write_atomic
from .schema import schema_text

_SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=\S*", re.M)


@dataclass(frozen=True)
class Example:
    name: str          # the file name without .yaml: what `dots examples NAME` takes
    summary: str       # the file's first comment line after the schema line
    pack: str          # the pack its `pack:` line names ("default" when it names none)


def example_names() -> list[str]:
    root = resources.files("maturity.examples")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def example_text(name: str) -> str:
    """An example's text, its schema line naming organisation.schema.json beside it (the file
    in the package names the repository's copy, which is not where a copy will be)."""
    if name not in example_names():
        raise OutputError(f"no bundled example '{name}'",
                          did_you_mean(name, example_names())
                          or f"choose one of: {', '.join(example_names())}")
    text = (resources.files("maturity.examples") / f"{name}.yaml").read_text("utf-8")
    return _SCHEMA_LINE.sub(f"# yaml-language-server: $schema={SCHEMA_FILE}", text, count=1)


def examples() -> list[Example]:
    """Every bundled example, by name."""
    found = []
    for name in example_names():
        text = example_text(name)
        comments = [l[1:].strip() for l in text.splitlines()
                     if l.startswith("#") and "yaml-language-server" not in l]
        pack = re.search(r"^pack:\s*(\S+)", text, re.M)
        found.append(Example(name, comments[0] if comments else "", pack.group(1) if pack else "default"))
    return found


def copy_example(name: str, target: Path) -> list[Path]:
    """Write example `name` to `target` (never replacing a file), and the organisation schema
    beside it when none is there. Returns the files written."""
    text = example_text(name)
    if target.exists():
        raise OutputError("the file exists already", "choose a new name; dots never replaces a "
                          "facts file", str(target))
    write_atomic(target, text.encode("utf-8"))
    return [target] + write_schema_beside(target)


def write_schema_beside(target: Path) -> list[Path]:
    """Write organisation.schema.json next to `target` when none is there, for editors."""
    schema = target.parent / SCHEMA_FILE
    if schema.exists():
        return []
    write_atomic(schema, schema_text("organisation").encode("utf-8"))
    return [schema]


__all__ = ["Example", "copy_example", "example_names", "example_text", "examples",
           "write_schema_beside"]
