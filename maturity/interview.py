"""A guided interview in the terminal (`dots interview`): the pack's questions element by
element in dependency order, each answer checked as typed and saved at once.

The interview owns terminal input; it reads and writes through the two functions it is given
(`ask` shows a prompt and returns the line typed, `say` prints), so the command line passes
its terminal reader (cli/tty.py; `input` when not in a terminal) and `click.echo`. Saving goes
through maturity.roundtrip (ruamel.yaml), which keeps the file's comments and layout, after
every answer: a stopped interview loses at most the answer being typed, and started again it
goes on at the first unanswered question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import networkx as nx

from .errors import DataError, Problem, did_you_mean
from .explain import status_now
from .model import GENERAL, Element, Fact, Model, name_key, split_named
from .placeholders import PLACEHOLDERS
from .organisation import (ANSWERED, DONT_KNOW, NOT_APPLICABLE, UNKNOWN_WORDS, UNSURE_WORDS, Answer,
                           Organisation, value_problem)

SKIP_WORDS = {"skip"}
DONT_KNOW_WORDS = {"?", "dk", "dont-know", "don't know", "dont know"}
NO_ANSWER_HINT = "Enter alone skips the question; ? records don't know"
NOT_APPLICABLE_WORDS = {"n/a", "na", "not-applicable", "not applicable"}
QUIT_WORDS = {"quit", "exit"}
YES = {"y": True, "yes": True, "true": True, "n": False, "no": False, "false": False}
STATE_WORDS = {DONT_KNOW: "don't know", NOT_APPLICABLE: "not applicable"}

INTRO = ("Type the answer and press Enter.  Enter alone: skip (with --review: keep the answer).\n"
         "?: don't know.  n/a: not applicable.  An answer ending in ' +' asks for a note and evidence.\n"
         "quit, Ctrl-C or Ctrl-D: stop. Every answer is saved as soon as it is given.")


class ReplyError(Exception):
    """A reply that is not an answer to the question: said at once, and the question asked again."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Reply:
    kind: str                    # "answer", "skip", "keep" or "quit"
    answer: Answer | None = None
    more: bool = False           # a note and evidence follow


def ordered_facts(model: Model, element: str | None = None) -> list[Fact]:
    """The pack's facts of no element (about the organisation as a whole: its size, which
    thresholds depend on) first, then element by element in dependency order (ties in the
    model's order); only `element`'s when given."""
    order = list(nx.lexicographical_topological_sort(
        model.graph, key=lambda n: f"{model.element_by_id[n].index:09d}"))
    rank = {e: n for n, e in enumerate(order)}
    facts = sorted(model.facts, key=lambda f: rank.get(f.element or "", -1))
    if element is not None:
        if element not in model.element_by_id:
            raise DataError([Problem("--element", 0, 0, f"no element '{element}' in pack '{model.id}'",
                                     did_you_mean(element, model.element_by_id)
                                     or f"elements: {', '.join(e.id for e in model.elements)}")])
        facts = [f for f in facts if f.element == element]
    return facts


def parse_reply(fact: Fact, text: str, review: bool = False) -> Reply:
    """What a typed line means as an answer to `fact`; ReplyError when it is none."""
    t = text.strip()
    more = t.endswith("+") and fact.value_named(t) is None  # not a choice named "250+"
    if more:
        t = t[:-1].strip()
    low = t.lower().replace("\u2019", "'")
    if not t:
        if more:
            raise ReplyError("give the answer before ' +'", "for example: yes +")
        return Reply("keep" if review else "skip")
    if low in QUIT_WORDS:
        return Reply("quit")
    if low in SKIP_WORDS:
        return Reply("skip")
    if fact.value_named(t) is None:  # a choice named "Don't know" is that choice
        if low in DONT_KNOW_WORDS:
            return Reply("answer", Answer(None, DONT_KNOW), more)
        if low in NOT_APPLICABLE_WORDS:
            return Reply("answer", Answer(None, NOT_APPLICABLE), more)
        if low in UNKNOWN_WORDS:
            raise ReplyError(f"'{t}' is no answer", NO_ANSWER_HINT)
    value = _value(fact, t, low)
    problem = value_problem(fact, value)
    if problem:
        raise ReplyError(*problem)
    return Reply("answer", Answer(value), more)


def _value(fact: Fact, t: str, low: str) -> Any:
    if fact.type == "boolean":
        if low not in YES:
            raise ReplyError(f"'{t}' is not yes or no", "answer yes or no (y, n)" + (
                f"; {NO_ANSWER_HINT}" if name_key(t) in UNSURE_WORDS else ""))
        return YES[low]
    if fact.type in ("integer", "number"):
        try:
            return int(t) if re.fullmatch(r"[+-]?\d+", t) else float(t)
        except ValueError:
            raise ReplyError(f"'{t}' is not a number", "type digits, such as 3 or 2.5") from None
    if fact.type == "choice":
        return _pick(fact, t)
    if low == "none" and fact.value_named(t) is None:
        return []
    return [_pick(fact, part) for part in split_named(fact, t, r"[,\s]+")]


def _pick(fact: Fact, word: str) -> str:
    """A choice by its number in the list shown, or by name: its label or its id, in any case."""
    named = fact.value_named(word)
    if named is not None:
        return named
    if word.isdigit():
        n = int(word)
        if 1 <= n <= len(fact.values):
            return fact.values[n - 1]
        raise ReplyError(f"there is no choice {n}", f"choose 1 to {len(fact.values)}")
    like = fact.value_like(word)
    raise ReplyError(f"'{word}' is not one of the choices",
                     f"did you mean '{fact.label_of(like)}'?" if like is not None else
                     f"choose by number or name: {', '.join(fact.labels_of(fact.values))}")


def answer_text(given: Answer | None, fact: Fact | None = None) -> str:
    """An answer as the interview shows it, choices by their labels (`fact`'s)."""
    if given is None:
        return "unanswered"
    if given.state != ANSWERED:
        text = STATE_WORDS[given.state]
    elif isinstance(given.value, bool):
        text = "yes" if given.value else "no"
    elif isinstance(given.value, list):
        shown = fact.labels_of(given.value) if fact else given.value
        text = ", ".join(shown) if given.value else "none"
    else:
        text = fact.label_of(given.value) if fact else str(given.value)
    extra = [f"note: {given.note}"] if given.note else []
    extra += [f"evidence: {'; '.join(given.evidence)}"] if given.evidence else []
    return text + (f" ({'; '.join(extra)})" if extra else "")


def how_to_answer(fact: Fact) -> list[str]:
    """The lines under a question saying what may be typed."""
    if fact.type == "boolean":
        return ["yes or no"]
    if fact.type in ("integer", "number"):
        bounds = ([f"at least {fact.min:g}"] if fact.min is not None else []) + \
                 ([f"at most {fact.max:g}"] if fact.max is not None else [])
        kind = "a whole number" if fact.type == "integer" else "a number"
        return [kind + (f" ({', '.join(bounds)})" if bounds else "")]
    numbered = "  ".join(f"{n} {fact.label_of(v)}" for n, v in enumerate(fact.values, 1))
    if fact.type == "choice":
        return [numbered, "one: its number or name"]
    return [numbered, "several: numbers or names, separated by commas or spaces; none for none"]


@dataclass
class Outcome:
    """What the interview did: how many answers it recorded, and whether it was stopped."""

    recorded: int = 0
    stopped: bool = False
    asked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # left out as settled (skip_settled)


class Interview:
    """One interview over a facts file: `run()` asks, records and saves."""

    def __init__(self, model: Model, organisation: Organisation, editor: Any,
                 ask: Callable[[str], str], say: Callable[[str], None],
                 element: str | None = None, review: bool = False,
                 skip_settled: bool = False) -> None:
        self.model, self.editor, self.ask, self.say = model, editor, ask, say
        self.answers = dict(organisation.answers)
        self.facts = ordered_facts(model, element)
        self.review, self.skip_settled = review, skip_settled

    def run(self, today: str | None = None) -> Outcome:
        """Ask the questions; with `today`, first the header while it holds one of the
        template's placeholders (a file just started from the template)."""
        outcome = Outcome()
        if today is not None and self.placeholders() and not self.ask_header(today):
            outcome.stopped = True
            return outcome
        todo = self.facts if self.review else [f for f in self.facts if f.id not in self.answers]
        self.say(INTRO)
        if not todo:
            self.say("\nEvery question here has an answer; --review walks through them.")
            return outcome
        first = self.facts.index(todo[0])
        if first and not self.review:
            self.say(f"\nGoing on at the first unanswered question ({first} answered before it).")
        shown: str | None = "-"
        for fact in todo:
            if fact.element != shown:
                shown = fact.element
                self.say("")
                for line in _heading(self.model.element_by_id.get(fact.element or "")):
                    self.say(line)
            try:
                if not self._ask(fact, self.facts.index(fact) + 1, outcome):
                    outcome.stopped = True
                    break
            except (KeyboardInterrupt, EOFError, OSError):  # OSError: the terminal went away
                self.say("")
                outcome.stopped = True
                break
        return outcome

    def placeholders(self) -> list[str]:
        """The header fields that still hold the template's placeholder."""
        header = self.editor.data.get("organisation") or {}
        return [key for key, text in PLACEHOLDERS.items()
                if isinstance(header.get(key), str) and header[key].strip().casefold() == text.casefold()]

    def ask_header(self, today: str) -> bool:
        """For a file whose header holds the template's placeholders: the organisation's name
        and the consultant's, and today as the date assessed. Enter keeps a real value but
        never a placeholder: the name is asked again, a consultant left out. False when the
        interview is to stop."""
        header = self.editor.data["organisation"]
        waiting = self.placeholders()
        try:
            name = self._header_reply("Organisation name", header.get("name"), "name" in waiting,
                                      required=True)
            consultant = self._header_reply("Consultant", header.get("consultant", ""),
                                            "consultant" in waiting, required=False)
        except (KeyboardInterrupt, EOFError, OSError):
            self.say("")
            return False
        if name:
            self.editor.set_organisation("name", name)
            ident = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            if ident:
                self.editor.set_organisation("id", ident[:64])
        if consultant:
            self.editor.set_organisation("consultant", consultant)
        elif "consultant" in waiting:
            self.editor.remove_organisation("consultant")
        if "assessed_on" in waiting:
            self.editor.set_organisation("assessed_on", today)
        self.editor.save()
        return True

    def _header_reply(self, label: str, current: Any, placeholder: bool, required: bool) -> str:
        """One header field typed; "" keeps the current value (never a placeholder)."""
        if not placeholder:
            return self.ask(f"{label} (Enter: keep '{current}')> ").strip()
        while True:
            typed = self.ask(f"{label}{'' if required else ' (Enter: none)'}> ").strip()
            if typed or not required:
                return typed
            self.say(f"  error: '{current}' is the template's placeholder\n  hint: type the "
                     f"{label.lower()}")

    def _matters(self, fact: Fact) -> bool:
        from .relevance import could_change
        facts = {k: a.value for k, a in self.answers.items() if a.state == ANSWERED}
        return could_change(self.model, Organisation("", facts, answers=dict(self.answers)), fact.id)

    def _ask(self, fact: Fact, number: int, outcome: Outcome) -> bool:
        """Ask one question until it gets a reply; False when the interview is to stop."""
        self.say(f"[{number}/{len(self.facts)}] {fact.question or fact.id}  ({fact.id})")
        if self.skip_settled and not self.review and not self._matters(fact):
            self.say("    skipped: no answer to it can change the stage, the statuses or the next "
                     "dot, given the answers so far")
            outcome.skipped.append(fact.id)
            return True
        for line in ([fact.help] if fact.help else []) + how_to_answer(fact):
            self.say(f"    {line}")
        given = self.answers.get(fact.id)
        if self.review:
            self.say(f"    now: {answer_text(given, fact)}")
        outcome.asked.append(fact.id)
        while True:
            try:
                reply = parse_reply(fact, self.ask("> "), self.review)
            except ReplyError as exc:
                self.say(f"  error: {exc.message}" + (f"\n  hint: {exc.hint}" if exc.hint else ""))
                continue
            break
        if reply.kind == "quit":
            return False
        if reply.kind == "keep":
            return True
        new = reply.answer
        if new is not None:
            # A changed answer keeps the note and evidence given before, unless new ones are given.
            if given is not None:
                new = replace(new, note=given.note, evidence=given.evidence)
            if reply.more:
                note = self.ask("  note (Enter: none)> ").strip()
                evidence = self.ask("  evidence: links or document names, separated by ; (Enter: none)> ")
                items = tuple(e.strip() for e in evidence.split(";") if e.strip())
                new = replace(new, note=note or new.note, evidence=items or new.evidence)
        if new == given:
            return True
        self.editor.set(fact.id, new)
        self.editor.save()
        if new is None:
            self.answers.pop(fact.id, None)
        else:
            self.answers[fact.id] = new
            outcome.recorded += 1
        return True


def _heading(element: Element | None) -> list[str]:
    if element is None:
        return [f"== {GENERAL} =="]
    return [f"== {element.label} =="] + ([f"   {element.description}"] if element.description else [])


def coverage(model: Model, organisation: Organisation) -> dict[str, int]:
    """How many of the pack's questions have which kind of answer."""
    states = [organisation.answers[f.id].state if f.id in organisation.answers else "unanswered"
              for f in model.facts]
    return {"total": len(states), "answered": states.count(ANSWERED),
            "dont_know": states.count(DONT_KNOW), "not_applicable": states.count(NOT_APPLICABLE),
            "unanswered": states.count("unanswered")}


def summary_lines(model: Model, organisation: Organisation, assessment: Any, next_step: Any,
                  report_command: str) -> list[str]:
    """The end of an interview: coverage (with how many of the questions not answered are
    settled, as the report counts them: advice.not_answered), stage, next dot, and how to write
    the report."""
    from .advice import not_answered
    c = coverage(model, organisation)
    given = c["total"] - c["unanswered"]
    needless = len(not_answered(assessment)[1])
    lines = [f"Coverage: {given} of {c['total']} questions have an answer ({c['answered']} answered, "
             f"{c['dont_know']} don't know, {c['not_applicable']} not applicable); "
             f"{c['unanswered']} unanswered" + (f", {needless} of them not needed, given the answers"
                                                if needless else "")]
    stage = assessment.stage
    lines.append(f"Stage: {stage.label} ({stage.rank + 1} of {len(model.stages)})")
    if next_step is None:
        lines.append("Next dot: none, every dot is connected")
    else:
        element = next_step.result.element
        lines.append(f"Next dot: {element.label} ({element.id}), {status_now(assessment, next_step.result)}")
    lines.append(f"Write the report: {report_command}")
    return lines


__all__ = ["Interview", "Outcome", "Reply", "ReplyError", "answer_text", "coverage",
           "ordered_facts", "parse_reply", "summary_lines"]
