"""Assessment.element: found by id through an index, and never misread when the list changes."""

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
