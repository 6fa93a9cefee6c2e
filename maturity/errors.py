"""One base error for the library, and the problems it carries.

A `Problem` is one thing wrong with one place in one file. Loaders collect every problem they
find and raise them together as a `DataError`, so a user sees all of them in one run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at one place: `file:line:column: message`, with an optional hint."""

    file: str
    line: int
    column: int
    message: str
    hint: str = ""
    severity: str = "error"  # "error" or "warning"
    place: str = ""  # a spreadsheet cell such as "Facts!C14", shown instead of line:column

    def format(self) -> str:
        """The problem as the CLI prints it: one line, and an indented hint line if any."""
        where = self.file
        if self.place:
            where += f": {self.place}"
        elif self.line:
            where += f":{self.line}:{self.column}"
        text = f"{self.severity}: {where}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class MaturityError(Exception):
    """Base class of every error this library raises on purpose."""

    def problems(self) -> list[Problem]:
        """The error as problems; an error without a place is a problem without one."""
        return [Problem("", 0, 0, str(self))]

    def format(self) -> str:
        return "\n".join(p.format() for p in self.problems())


class DataError(MaturityError):
    """Bad input: one or more problems in files the user gave us."""

    def __init__(self, problems: list[Problem]):
        self._problems = sorted_problems(problems)
        super().__init__(self.format())

    def problems(self) -> list[Problem]:
        return list(self._problems)

    def format(self) -> str:
        return "\n".join(p.format() for p in self._problems)


class OutputError(MaturityError):
    """An output that cannot be written (bad path, unknown format, missing Graphviz)."""

    def __init__(self, message: str, hint: str = "", file: str = ""):
        self.message, self.hint, self.file = message, hint, file
        super().__init__(message)

    def problems(self) -> list[Problem]:
        return [Problem(self.file, 0, 0, self.message, self.hint)]

    def format(self) -> str:
        text = f"error: {self.file + ': ' if self.file else ''}{self.message}"
        return text + (f"\n  hint: {self.hint}" if self.hint else "")


class EngineError(MaturityError):
    """durable-rules failed or was used in a way that is not safe; the process may be unusable."""

    def __init__(self, message: str, hint: str = ""):
        self.hint = hint
        super().__init__(message)

    def format(self) -> str:
        return f"error: rule engine: {self}" + (f"\n  hint: {self.hint}" if self.hint else "")


def _problem_key(p: Problem) -> tuple:
    return (p.file, p.line, p.column, p.severity != "error", p.message, p.hint)


def sorted_problems(problems) -> list[Problem]:
    """Problems without repeats, in the order they are shown: by file, line and column."""
    return sorted(set(problems), key=_problem_key)


def did_you_mean(word: str, choices) -> str:
    """A 'did you mean' hint for an unknown id, or "" when nothing is close."""
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
