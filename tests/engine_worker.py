"""A process that runs assessments for the differential test, so that a hang or a crash of the
C engine on a generated pack ends this process, not pytest.

Reads one JSON request a line on standard input, {"pack": folder, "facts": [{...}, ...]} (each
a facts file's `facts:` mapping), and
answers each with one line: {"outcomes": [...]} (one per fact set, as reference.Outcome's
fields) or {"error": "..."} when loading or running fails; after an error it exits, since the
engine refuses further work in a process where it failed.
"""

from __future__ import annotations

import json
import sys

import maturity
from maturity.organisation import parse_answers


def outcome(assessment: maturity.Assessment) -> dict:
    elements = assessment.elements
    return {
        "stage": assessment.stage.id,
        "statuses": [[e.element.id, e.status.id] for e in elements],
        "done": [e.element.id for e in elements if e.done],
        "disconnected": [e.element.id for e in elements if e.disconnected],
        "findings": sorted(f.finding.id for f in assessment.findings),
        "advice": sorted(a.advice.id for a in assessment.advice if a.kind != "question"),
        "questions": sorted(a.advice.id for a in assessment.advice if a.kind == "question"),
    }


def organisation(values: dict) -> maturity.Organisation:
    """An organisation from a `facts:` mapping, markers ("dont-know", ...) included."""
    facts, answers = parse_answers(values)
    return maturity.Organisation("o", facts, answers=answers)


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        try:
            model = maturity.load_pack(request["pack"])
            answer = {"outcomes": [outcome(maturity.assess(model, organisation(facts)))
                                   for facts in request["facts"]]}
        except Exception as exc:  # reported to the test, which says which pack and facts
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
        if "error" in answer:
            return


if __name__ == "__main__":
    main()
