"""An organisation's facts file: loading and checking it against a model.

A fact is answered in one of three ways (see docs/yaml-format.md): a plain value (`true`, `3`,
`reach`, `[a, b]`), one of the markers `dont-know` and `not-applicable` (a '-' is never part of
a choice value, so a marker cannot clash with one), or a mapping `{answer: ..., note: ...,
evidence: [...]}` that adds a note and evidence to either. Facts files are YAML, or a filled-in
questionnaire workbook (.xlsx) or table (.csv): every form is read into the same document.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import numbers, schema, yamlio
from .errors import DataError, Problem, did_you_mean
from .model import Fact, Model, name_key
from .placeholders import PLACEHOLDERS

ANSWERED, DONT_KNOW, NOT_APPLICABLE = "answered", "dont_know", "not_applicable"
STATES = (ANSWERED, DONT_KNOW, NOT_APPLICABLE)
# How each state other than answered is written in a facts file.
MARKERS = {"dont-know": DONT_KNOW, "not-applicable": NOT_APPLICABLE}
MARKER_OF = {state: marker for marker, state in MARKERS.items()}
ANSWER_KEYS = ("answer", "note", "evidence")
_META_WORDS = {"name": "name", "assessed_on": "date assessed (assessed_on)", "consultant": "consultant"}
# Free text meaning "not known", which is no answer of any type.
UNKNOWN_WORDS = {"unknown", "?", "dont know", "don't know", "do not know", "not known", "idk", "dk"}
UNKNOWN_HINT = ("leave it empty when unknown, or write dont-know when it was asked and nobody "
                "knew")
# Free text meaning "not settled yet": wrong for a yes/no, but the way out is the same as for
# an unknown answer, so the hint says both.
UNSURE_WORDS = {"maybe", "perhaps", "not sure", "unsure", "tbc", "tbd", "to be confirmed",
                "to be decided", "not yet known"}


@dataclass(frozen=True)
class Answer:
    """One fact's answer: its value (None unless answered), its state, and what backs it."""

    value: Any
    state: str = ANSWERED
    note: str | None = None
    evidence: tuple[str, ...] = ()

    @property
    def written(self) -> Any:
        """The answer as a facts file writes it: the value, or the state's marker."""
        return self.value if self.state == ANSWERED else MARKER_OF[self.state]


@dataclass
class Organisation:
    """Who was assessed and the answers collected. `facts` holds the answered values the engine
    sees; `answers` every recorded answer (answered, don't know, not applicable) with its note
    and evidence. Unanswered facts are absent from both."""

    name: str
    facts: dict[str, Any]
    id: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    source: str = ""
    answers: dict[str, Answer] = field(default_factory=dict)
    pack: str | None = None  # the pack named in the facts file, as written there

    def __post_init__(self) -> None:
        # An organisation made in code from values alone gets an answer for each value.
        for fact_id, value in self.facts.items():
            if fact_id not in self.answers:
                self.answers[fact_id] = Answer(value)


def parse_answers(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Answer]]:
    """The engine's facts and the answers from a `facts:` mapping already checked by
    check_facts: plain values, markers and `{answer, note, evidence}` mappings."""
    facts: dict[str, Any] = {}
    answers: dict[str, Answer] = {}
    for fact_id, raw in values.items():
        note, evidence = None, ()
        if isinstance(raw, dict):
            note = raw.get("note") or None
            ev = raw.get("evidence")
            evidence = tuple([ev] if isinstance(ev, str) else ev or ())
            raw = raw.get("answer")
        if raw is None:
            continue
        if isinstance(raw, str) and raw in MARKERS:
            answers[fact_id] = Answer(None, MARKERS[raw], note, evidence)
        else:
            facts[fact_id] = raw
            answers[fact_id] = _plain_answer(raw) if note is None and not evidence \
                else Answer(raw, ANSWERED, note, evidence)
    return facts, answers


_PLAIN_ANSWERS: dict[tuple[type, Any], Answer] = {}


def _plain_answer(value: Any) -> Answer:
    """Answer(value): one shared instance per plain value (an Answer never changes), since a
    survey of thousands of rows gives the same few answers again and again."""
    if type(value) not in (bool, int, float, str):
        return Answer(value)
    key = (type(value), value)
    found = _PLAIN_ANSWERS.get(key)
    if found is None:
        found = Answer(value)
        if len(_PLAIN_ANSWERS) < 4096:
            _PLAIN_ANSWERS[key] = found
    return found


STATE_WORDS = {DONT_KNOW: "don't know", NOT_APPLICABLE: "not applicable"}


def shown_facts(organisation: Organisation) -> dict[str, Any]:
    """The answers as reports show them next to a rule's tests: the values, and "don't know"
    or "not applicable" where that was recorded instead."""
    words = {k: STATE_WORDS[a.state] for k, a in organisation.answers.items() if a.state != ANSWERED}
    return {**organisation.facts, **words} if words else organisation.facts


def rule_facts(model: Model, organisation: Organisation) -> dict[str, Any]:
    """The answers the rules see: the answered values, and for a fact answered "don't know" or
    "not applicable" the answer its pack gives for that (`dont_know:` / `not_applicable:` on the
    fact), if it gives one; otherwise the fact is absent, as an unanswered one is."""
    facts = organisation.facts
    extra = {}
    for fact_id, given in organisation.answers.items():
        if given.state != ANSWERED and fact_id not in facts:
            fact = model.fact_by_id.get(fact_id)
            stand_in = getattr(fact, given.state, None) if fact else None
            if stand_in is not None:
                extra[fact_id] = stand_in
    return {**facts, **extra} if extra else facts


def read_document(path: Path | str) -> yamlio.Document:
    """A facts file as a document, whatever its form (YAML, .xlsx, .csv), checked against the
    organisation schema. Raises DataError."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        from . import workbook  # openpyxl only for workbooks
        doc = workbook.read(path)
    elif suffix == ".csv":
        from . import table
        doc = table.read(path)
    else:
        doc = yamlio.load(path)
    # Texts read from YAML are checked as they are read; those from a table, here.
    problems = document_problems(doc, texts=suffix in (".xlsx", ".csv"))
    if problems:
        raise DataError(problems)
    return doc


def document_problems(doc: yamlio.Document, texts: bool = True) -> list[Problem]:
    """The problems of a facts document as read, before its answers are checked against a pack:
    its texts (`texts`: when not checked as read, as YAML's are) and the organisation schema.
    Facts files, their tables and survey rows all go through here."""
    problems = yamlio.text_problems(doc) if texts else []
    return problems or schema.validate(doc, "organisation")


def organisation_from(doc: yamlio.Document, model: Model, path: Path | str,
                      template_ok: bool = False) -> Organisation:
    """The organisation in a document read by read_document, its answers checked against `model`
    and its header by meta_problems (unless `template_ok`: the interview filling it in)."""
    if getattr(doc, "loose", False):  # a table's answers are text as typed
        from .sheet import coerce_facts
        coerce_facts(doc, model)
    problems = [] if template_ok else meta_problems(doc)
    problems += _another_pack(check_facts(doc.data["facts"] or {}, model, doc, ("facts",),
                                          typed=getattr(doc, "loose", False)), doc, model)
    if problems:
        raise DataError(problems)
    meta = dict(doc.data["organisation"])
    name = meta.pop("name")
    ident = meta.pop("id", "") or yamlio.printable(Path(path).stem)
    facts, answers = parse_answers(doc.data["facts"] or {})
    return Organisation(name=name, facts=facts, id=ident, meta=meta, source=doc.file,
                        answers=answers, pack=doc.data.get("pack"))


def load_organisation(path: Path | str, model: Model) -> Organisation:
    """Read and check a facts file; raises DataError listing every problem in it."""
    return organisation_from(read_document(path), model, path)


def load_facts(path: Path | str, rules: str | Path | None = None,
               template_ok: bool = False) -> tuple[Model, Organisation]:
    """Read a facts file and the pack it is assessed with: `rules` when given (it must be the
    pack the file names in `pack:`, or one that extends it), else the file's `pack:`, else the
    default pack."""
    from . import pack as packs
    doc = read_document(path)
    declared = doc.data.get("pack")
    if declared is None:
        return (model := packs.load_pack(rules)), organisation_from(doc, model, path, template_ok)
    where = _declared_pack(doc, path, declared)
    model = packs.load_pack(rules if rules is not None else where)
    if rules is not None:
        wanted = {p.resolve() for p in packs.pack_files(where)}
        if not wanted <= {Path(f).resolve() for f in model.files}:
            line, column = doc.where(("pack",))
            raise DataError([Problem(
                doc.file, line, column,
                f"--rules {rules} is not the pack this file names (pack: {declared})",
                f"leave out --rules to use '{declared}', or change 'pack:' in {doc.file}")])
    return model, organisation_from(doc, model, path, template_ok)


def _declared_pack(doc: yamlio.Document, path: Path | str, declared: str) -> Path:
    """Where the pack named in a facts file is: a path relative to the file, or a built-in."""
    from . import pack as packs
    candidate = Path(path).parent / declared
    if candidate.exists():
        return candidate
    if declared in packs.builtin_packs():
        return packs.resolve(declared)
    raise DataError([doc.problem(("pack",), f"no such rule pack '{declared}'",
                                 did_you_mean(declared, packs.builtin_packs())
                                 or "give a built-in pack name ("
                                    + ", ".join(packs.builtin_packs())
                                    + ") or a pack folder relative to this file")])


def meta_problems(doc: yamlio.Document) -> list[Problem]:
    """Problems with the organisation's header: a template placeholder left in, and a date
    assessed that is not a real YYYY-MM-DD date."""
    meta = doc.data.get("organisation") or {}
    problems = []
    for key, placeholder in PLACEHOLDERS.items():
        value = meta.get(key)
        if isinstance(value, str) and value.strip().casefold() == placeholder.casefold():
            problems.append(doc.problem(
                ("organisation", key),
                f"the organisation's {_META_WORDS[key]} is still the template's placeholder "
                f"'{placeholder}'",
                "fill it in" + (' with the date of the assessment, such as "2026-11-26"'
                                if key == "assessed_on" else "")))
    date = meta.get("assessed_on")
    if isinstance(date, str) and date.strip().casefold() != PLACEHOLDERS["assessed_on"].casefold():
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
                raise ValueError
            datetime.date.fromisoformat(date)
        except ValueError:
            problems.append(doc.problem(("organisation", "assessed_on"),
                                        f"the date assessed {date!r} is not a date",
                                        "write a real date as YYYY-MM-DD, such as \"2026-11-26\""))
    return problems


def check_facts(values: dict, model: Model, doc: yamlio.Document, at: tuple,
                typed: bool = False) -> list[Problem]:
    """Problems with fact answers: unknown ids, wrong types, values not allowed (`typed`: as
    people typed them in a questionnaire, whose hints name choices by their labels)."""
    problems = []
    for fact_id, value in values.items():
        fact = model.fact_by_id.get(fact_id)
        if fact is None:
            problems.append(doc.problem(at + (fact_id,), f"unknown fact '{fact_id}'",
                                        did_you_mean(fact_id, model.fact_by_id)
                                        or f"the facts of pack '{model.id}' are listed by "
                                           "'dots facts'", key=True))
            continue
        where = at + (fact_id,)
        if isinstance(value, dict):
            problems += _mapping_problems(fact_id, value, doc, where)
            if "answer" not in value or not _valid_extras(value):
                continue
            value, where = value["answer"], where + ("answer",)
        if value is None or isinstance(value, str) and value in MARKERS:
            continue
        message = value_problem(fact, value, typed)
        if message:
            text, hint = message
            problems.append(doc.problem(where, text, hint))
    return problems


def _another_pack(problems: list[Problem], doc: yamlio.Document, model: Model) -> list[Problem]:
    """`problems` with, when most of the facts given are unknown to `model` (a file written for
    another pack), their unknown-fact lines made one, naming the built-in pack that knows the
    most of them: a line per fact would bury what is wrong."""
    given = doc.data["facts"] or {}
    unknown = [f for f in given if f not in model.fact_by_id]
    if len(unknown) < 3 or len(unknown) * 2 <= len(given):
        return problems
    from . import pack as packs
    best, known = None, 0
    for name in packs.builtin_packs():
        if name != model.id:
            count = sum(f in packs.load_pack(name).fact_by_id for f in unknown)
            if count > known:
                best, known = name, count
    shown = ", ".join(unknown[:3]) + (", ..." if len(unknown) > 3 else "")
    hint = (f"{'they are' if known == len(unknown) else f'{known} of them are'} facts of the "
            f"built-in pack '{best}': give --rules {best}, or add 'pack: {best}' to the file"
            if best else f"the facts of pack '{model.id}' are listed by 'dots facts'")
    line, column = doc.where(("facts",), True)
    unknown_lines = {doc.where(("facts", f), True) for f in unknown}
    return [p for p in problems if (p.line, p.column) not in unknown_lines] + [Problem(
        doc.file, line, column, f"{len(unknown)} of the {len(given)} facts given are not facts of "
        f"pack '{model.id}' ({shown}): the file is written for another pack", hint)]


def _mapping_problems(fact_id: str, value: dict, doc: yamlio.Document, at: tuple) -> list[Problem]:
    """Problems with the `{answer, note, evidence}` form (test cases are not schema-checked)."""
    problems = []
    for key in value:
        if key not in ANSWER_KEYS:
            problems.append(doc.problem(at + (key,), f"unknown key '{key}' in the answer to '{fact_id}'",
                                        did_you_mean(str(key), ANSWER_KEYS)
                                        or "an answer mapping has answer, note and evidence", key=True))
    if "answer" not in value:
        problems.append(doc.problem(at, f"the answer to '{fact_id}' has no 'answer:'",
                                    "add 'answer:' with the answer, dont-know or not-applicable"))
    if not _valid_extras(value):
        problems.append(doc.problem(at, f"the note of '{fact_id}' must be text and its evidence "
                                        "text or a list of text"))
    return problems


def _valid_extras(value: dict) -> bool:
    note, evidence = value.get("note"), value.get("evidence")
    return (note is None or isinstance(note, str)) and (
        evidence is None or isinstance(evidence, str)
        or isinstance(evidence, list) and all(isinstance(e, str) for e in evidence))


def value_problem(fact: Fact, value: Any, typed: bool = False) -> tuple[str, str] | None:
    """What is wrong with `value` as an answer to `fact`, as (message, hint), or None. `typed`:
    the answer was typed by a respondent (a questionnaire, a survey), who may name a choice by
    its label: the hint names choices so; a facts file's hint names their ids."""
    kind = fact.type
    if isinstance(value, str) and name_key(value) in UNKNOWN_WORDS \
            and not (kind in ("choice", "choices") and value in fact.values):
        return f"'{fact.id}' is answered {_yaml(value)}, which is no answer", UNKNOWN_HINT
    if kind == "boolean":
        if not isinstance(value, bool):
            unsure = isinstance(value, str) and name_key(value) in UNSURE_WORDS
            return f"'{fact.id}' is yes/no, got {_yaml(value)}", \
                "answer true or false" + (f"; or {UNKNOWN_HINT}" if unsure else "")
        return None
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"'{fact.id}' is a number, got {_yaml(value)}", "write a number without quotes"
        # .nan passes any min/max check, .inf one without a max; the rule engine takes neither.
        if isinstance(value, float) and not math.isfinite(value):
            return f"'{fact.id}' is a number, got {value}", "write a finite number"
        if not numbers.exact(value):
            message, hint = numbers.not_exact(value)
            return f"'{fact.id}': {message}", hint
        if kind == "integer" and isinstance(value, float) and not value.is_integer():
            return f"'{fact.id}' is a whole number, got {_yaml(value)}", ""
        if fact.min is not None and value < fact.min:
            return f"'{fact.id}' is {value}, below its minimum {fact.min:g}", ""
        if fact.max is not None and value > fact.max:
            return f"'{fact.id}' is {value}, above its maximum {fact.max:g}", ""
        return None
    if kind == "choice":
        if not isinstance(value, str) or value not in fact.values:
            return f"{_yaml(value)} is not an allowed answer to '{fact.id}'", choice_hint(fact, value, typed)
        return None
    # choices
    if not isinstance(value, list):
        return f"'{fact.id}' takes a list of choices, got {_yaml(value)}", f"for example [{fact.values[0]}]"
    for item in value:
        if item not in fact.values:
            return f"{_yaml(item)} is not an allowed answer to '{fact.id}'", choice_hint(fact, item, typed)
    if len(set(value)) != len(value):
        return f"'{fact.id}' lists a choice twice", ""
    return None


def choice_hint(fact: Fact, value: Any, typed: bool = False) -> str:
    """The hint for an answer that is none of a choice fact's values: the value it comes
    closest to, else the allowed values; by their ids, or, for an answer a respondent `typed`
    (who may type either), by their labels."""
    if not typed:
        return did_you_mean(str(value), fact.values) or f"allowed: {', '.join(fact.values)}"
    like = fact.value_like(str(value))
    return f"did you mean '{fact.label_of(like)}'?" if like is not None else \
        f"allowed: {', '.join(fact.labels_of(fact.values))}"


def _yaml(value: Any) -> str:
    """A value as it would be written in YAML, for messages: true, null, 'text', [a, b]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(v if isinstance(v, str) else _yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)
