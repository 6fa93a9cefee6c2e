"""No client-facing line dates itself: a text of a shipped pack (labels, descriptions,
questions, help, reasons, findings, advice) or of the report templates that names a year
("in 2012 ...") is wrong the year after. Dates a client reads come from the facts file."""

from __future__ import annotations

import re
from importlib import resources

import pytest

import maturity

YEAR = re.compile(r"(?<![\d,.])(1[89]\d\d|20\d\d)(?![\d,])")


def pack_texts(model: maturity.Model) -> list[tuple[str, str]]:
    """(where, text) for every text of `model` that a client may read."""
    found = [("pack", model.label), ("pack", model.description)]
    for kind, items in (("status", model.statuses), ("element", model.elements),
                        ("stage", model.stages), ("group", model.groups)):
        found += [(f"{kind} {i.id}", t) for i in items for t in (i.label, i.description)]
    found += [(f"edge {e.source}->{e.target}", e.because) for e in model.edges]
    found += [(f"fact {f.id}", t) for f in model.facts for t in (f.question, f.help)]
    found += [(f"threshold {t.id}", t.description) for t in model.thresholds]
    for rule in model.rules:
        found.append((f"rule {rule.id}", rule.because))
        found += [(f"finding {f.id}", f.message) for f in rule.findings]
        found += [(f"advice {a.id}", a.action) for a in rule.advice]
    return [(where, text) for where, text in found if text]


def years(texts: list[tuple[str, str]]) -> list[str]:
    return [f"{where}: {m.group(0)} in {text!r}" for where, text in texts for m in YEAR.finditer(text)]


@pytest.mark.parametrize("name", maturity.builtin_packs())
def test_no_text_of_a_shipped_pack_names_a_year(name):
    assert years(pack_texts(maturity.load_pack(name))) == []


def test_no_report_template_names_a_year():
    folder = resources.files("maturity") / "templates"
    texts = [(p.name, p.read_text("utf-8")) for p in folder.iterdir()
             if p.name.endswith((".j2", ".css"))]
    assert texts and years(texts) == []


def test_a_year_in_a_text_is_found():
    assert years([("advice x", "In 2012 most firms posted jobs.")]) == ["advice x: 2012 in 'In 2012 most firms posted jobs.'"]
    assert years([("fact y", "From 5,000 staff or 10,2019 people, in 24 hours, 1.2019")]) == []
