"""What-ifs in the library: the organisation assessed before is left as it was, and the changed
one has the answers the changes give it."""

from __future__ import annotations

import maturity
from maturity.organisation import Answer, DONT_KNOW
from maturity.whatif import whatif, whatif_data


def test_a_whatif_leaves_the_organisation_as_it_was_and_answers_as_changed():
    model = maturity.load_pack(None)
    org = maturity.Organisation("Acme", {"purpose.goals_written": True},
                                answers={"purpose.goals_written": Answer(True, note="In the 2026 plan"),
                                         "brand.evp_documented": Answer(None, DONT_KNOW)})
    changes = {"purpose.goals_written": None, "audience.personas": 2, "brand.evp_documented": True}
    before, after = whatif(model, org, changes)
    # The organisation given (and assessed before) keeps its answers, note and state included.
    assert before.organisation is org
    assert org.facts == {"purpose.goals_written": True}
    assert org.answers == {"purpose.goals_written": Answer(True, note="In the 2026 plan"),
                           "brand.evp_documented": Answer(None, DONT_KNOW)}
    # The changed one: an unanswered fact is gone from its answers too, a changed answer is new.
    assert after.organisation.answers == {"audience.personas": Answer(2), "brand.evp_documented": Answer(True)}
    labels = {e["id"]: (e["before_label"], e["after_label"]) for e in whatif_data(before, after, changes)["elements"]}
    # (each status a floor: the questions still open could raise it)
    assert labels["purpose"] == ("Started or more", "Not answered")
    assert labels["audience"][0] == "Not answered" and labels["audience"][1] != "Not answered"
    assert labels["brand"] == ("Not known", "Started or more")  # "don't know" is an answer; then a value
    assert labels["engagement"] == ("Not answered", "Not answered")
