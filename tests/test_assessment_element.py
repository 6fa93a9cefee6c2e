"""Assessment.element and advice_for: found by id through an index, and never misread when the list changes."""

from __future__ import annotations

import dataclasses

import pytest

import maturity
from conftest import ORG_ACME


def test_element_finds_each_element_and_follows_a_changed_list(tiny_model: maturity.Model):
    a = maturity.assess(tiny_model, maturity.Organisation("Acme", ORG_ACME))
    for e in a.elements:
        assert a.element(e.element.id) is e
    first = a.elements[0]
    changed = dataclasses.replace(first, done=not first.done)
    a.elements[0] = changed  # replaced in place: the index must not answer with the old one
    assert a.element(first.element.id) is changed
    a.elements = list(reversed(a.elements))
    assert [a.element(e.element.id) for e in a.elements] == a.elements
    gone = a.elements[0].element.id
    a.elements = a.elements[1:]
    with pytest.raises(StopIteration):
        a.element(gone)


def test_advice_for_gives_each_elements_advice_and_follows_a_changed_list(tiny_model: maturity.Model):
    a = maturity.assess(tiny_model, maturity.Organisation("Acme", ORG_ACME))
    assert a.advice, "the tiny pack gives Acme advice"
    ids = {x.advice.element for x in a.advice} | {e.element.id for e in a.elements}
    for element_id in ids:
        assert a.advice_for(element_id) == [x for x in a.advice if x.advice.element == element_id]
    first = a.advice[0]
    a.advice[0] = dataclasses.replace(first, action="Something else")  # replaced in place
    assert a.advice_for(first.advice.element)[0].action == "Something else"
    a.advice.clear()
    assert all(a.advice_for(element_id) == [] for element_id in ids)
