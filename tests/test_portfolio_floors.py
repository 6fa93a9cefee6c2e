"""A stage or a status that questions not answered could raise (a floor: Assessment.stage_open,
status_open) is stored as such in the results of a batch, and the portfolio and the benchmark
word it as the single organisation's outputs do: how many at a stage or status "could be
higher", and a floor at the lowest status as "Not known". Results written before it was
recorded are still read, counted as stored, and said to be so."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import maturity
from maturity.portfolio import benchmark, benchmark_text, portfolio_data, portfolio_text
from maturity.records import Record, pack_hash
from maturity.results import FileStore, open_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def model():
    return maturity.load_pack(None)


def record(model, n: int, stage: str, *, stage_known: bool | None = True, statuses: dict | None = None,
           floors: tuple = (), sector: str = "Retail") -> Record:
    """An organisation as a batch stores it: `statuses` (others at the lowest), `floors` the
    dots whose status questions not answered could raise."""
    statuses = statuses or {}
    elements = tuple((e.id, statuses.get(e.id, "missing"), model.status_by_id[statuses.get(e.id, "missing")].rank,
                      0, 0, 1, int(e.id not in floors)) for e in model.elements)
    return Record(f"k{n:04d}", "survey.csv", n + 2, org_id=f"org-{n}", name=f"Org {n}", sector=sector,
                  stage=stage, stage_rank=model.stage_by_id[stage].rank, next_dot="purpose",
                  elements=elements, stage_known=stage_known)


def write(path: Path, model, records: list[Record]) -> Path:
    store = open_store(path, model, pack_hash(model))
    for r in records:
        store.add(r)
    store.close()
    return path


def portfolio_records(model) -> list[Record]:
    """Three retailers at Just do it, two of them could be higher, with Purpose not known for
    one and Started or more for another; two at Broadcasting, known; three care homes, known."""
    return [record(model, 0, "just_do_it", stage_known=False, floors=("purpose",)),
            record(model, 1, "just_do_it", stage_known=False, statuses={"purpose": "started"},
                   floors=("purpose",)),
            record(model, 2, "just_do_it"),
            record(model, 3, "broadcasting", statuses={"purpose": "started"}),
            record(model, 4, "broadcasting", statuses={"purpose": "defined"}),
            *[record(model, n, "just_do_it", sector="Care") for n in (5, 6, 7)]]


def test_the_portfolio_says_how_many_at_a_stage_could_be_higher(tmp_path, model):
    data = portfolio_data(write(tmp_path / "r.sqlite", model, portfolio_records(model)), by="sector", min_group=3)
    groups = {g["segment"]: g for g in data["packs"][0]["groups"]}
    stages = {s["id"]: s for s in groups["Retail"]["stages"]}
    assert (stages["just_do_it"]["count"], stages["just_do_it"]["could_be_higher"]) == (3, 2)
    assert (stages["broadcasting"]["count"], stages["broadcasting"]["could_be_higher"]) == (2, 0)
    text = portfolio_text(data)
    retail = text[text.index("Sector: Retail"):]
    line = next(l for l in retail.splitlines() if l.startswith("  Just do it"))
    assert line.split()[-2:] == ["3", "2"]  # n, and of them could be higher
    assert "  Stage" in retail and "could be higher" in retail.splitlines()[1]
    assert "'could be higher': of those at the stage, how many questions not answered yet could\n" in retail
    # A group where nothing could be higher has no such column, and no note.
    care = text[text.index("Sector: Care"):text.index("Sector: Retail")]
    assert "could be higher" not in care and "Not known" not in care


def test_a_floor_at_the_lowest_status_is_not_known_and_one_above_could_be_higher(tmp_path, model):
    data = portfolio_data(write(tmp_path / "r.sqlite", model, portfolio_records(model)), by="sector", min_group=3)
    retail = {g["segment"]: g for g in data["packs"][0]["groups"]}["Retail"]
    purpose = next(e for e in retail["elements"] if e["id"] == "purpose")
    counts = {s["id"]: (s["count"], s["could_be_higher"]) for s in purpose["statuses"]}
    # Org 0: Missing as far as the answers show, and they could show work: Not known, not Missing.
    assert counts == {"missing": (1, 0), "started": (2, 1), "defined": (1, 0), "optimised": (0, 0)}
    assert purpose["not_known"]["count"] == 1
    text = portfolio_text(data)
    retail_text = text[text.index("Sector: Retail"):]
    header = next(l for l in retail_text.splitlines() if l.lstrip().startswith("Element"))
    assert header.split()[-2:] == ["Not", "known"]
    lines = retail_text.splitlines()
    at = next(n for n, l in enumerate(lines) if l.startswith("  Purpose"))
    assert lines[at].split()[1:] == ["20.0%", "40.0%", "20.0%", "0.0%", "20.0%"]
    assert lines[at + 1].split() == ["could", "be", "higher", "20.0%"]
    assert "'Not known': no answer shows work on it yet, and questions not answered yet could." in \
        " ".join(retail_text.split())


def test_sqlite_csv_and_jsonl_give_the_same_floors(tmp_path, model):
    outputs = {}
    for suffix in ("sqlite", "csv", "jsonl"):
        path = write(tmp_path / f"r.{suffix}", model, portfolio_records(model))
        data = portfolio_data(path, by="sector", min_group=3)
        outputs[suffix] = (portfolio_text(data).replace(f"r.{suffix}", "R"), json.dumps({**data, "results": ""}))
    assert outputs["csv"] == outputs["sqlite"] == outputs["jsonl"]
    con = sqlite3.connect(tmp_path / "r.sqlite")
    try:
        assert con.execute("SELECT org_id, stage_known FROM organisations ORDER BY org_id LIMIT 2").fetchall() == \
            [("org-0", 0), ("org-1", 0)]
        assert con.execute("SELECT COUNT(*) FROM elements WHERE status_known = 0").fetchone() == (2,)
        assert con.execute("SELECT value FROM dots_results WHERE key='format'").fetchone() == ("3",)
    finally:
        con.close()


# Format 2 (results written before floors were recorded), to check that it is still read.
FORMAT_2_CHANGES = [("    stage_known  INTEGER,\n", ""),
                    (", json_extract(e.value, '$[6]') AS status_known", "")]


def test_results_of_format_2_are_read_counted_as_stored_and_said_so(tmp_path, model):
    from maturity.results import SCHEMA
    schema = SCHEMA
    for old, new in FORMAT_2_CHANGES:
        assert old in schema
        schema = schema.replace(old, new)
    made = write(tmp_path / "new.sqlite", model, portfolio_records(model))
    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(old)
    con.executescript(schema + "INSERT INTO dots_results VALUES ('format', '2');")
    con.execute("ATTACH ? AS new", (str(made),))
    con.execute("INSERT INTO packs SELECT * FROM new.packs")
    # Element rows of six items, as format 2 wrote them.
    con.execute("INSERT INTO organisations SELECT pack_hash, content_hash, pack_id, pack_version, source, "
                "row, org_id, name, sector, size, meta, stage, stage_rank, next_dot, error_kind, error, "
                "attempts, (SELECT json_group_array(json_remove(e.value, '$[6]')) FROM "
                "json_each(element_rows) AS e) FROM new.organisations")
    con.commit()
    con.close()
    data = portfolio_data(old, by="sector", min_group=3)
    pack = data["packs"][0]
    assert pack["not_recorded"] == pack["assessed"] == 8
    stages = {s["id"]: s for s in pack["groups"][0]["stages"]}
    assert (stages["just_do_it"]["count"], stages["just_do_it"]["could_be_higher"]) == (6, 0)
    text = portfolio_text(data)
    assert ("8 of them were stored by an earlier dots, which did not record whether a stage or a\n"
            "status could be higher: they are counted as stored.") in text
    with pytest.raises(maturity.DataError, match="results written in format 2 by an earlier dots; a "
                       "batch adds to format 3 only"):
        open_store(old, model, pack_hash(model))
    # Results of this dots say nothing of the kind.
    assert "earlier dots" not in portfolio_text(portfolio_data(made, min_group=3))


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_a_csv_or_jsonl_row_stored_before_floors_were_recorded_is_assessed_again(tmp_path, model, suffix):
    path = write(tmp_path / f"r.{suffix}", model, [record(model, 0, "just_do_it"),
                                                   record(model, 1, "just_do_it", stage_known=None)])
    assert portfolio_data(path, min_group=1)["packs"][0]["not_recorded"] == 1
    resume = FileStore(path, model, pack_hash(model), suffix).resume()
    assert resume == ("keys", {"k0000": ""})  # k0001 is assessed again, and replaced


def test_the_picture_marks_stages_that_could_be_higher(tmp_path, model):
    from maturity.portfolio_plots import picture_bytes
    data = portfolio_data(write(tmp_path / "r.sqlite", model, portfolio_records(model)), min_group=3)
    svg = picture_bytes(data["packs"][0], None, 3, "svg")
    assert b"could be higher" in svg and b"as far as the answers show" in svg
    known = portfolio_data(write(tmp_path / "k.sqlite", model, [record(model, n, "just_do_it") for n in range(3)]),
                           min_group=3)
    assert b"could be higher" not in picture_bytes(known["packs"][0], None, 3, "svg")


def test_the_benchmark_says_what_could_be_higher(tmp_path, model):
    path = write(tmp_path / "r.sqlite", model, portfolio_records(model))
    facts = {"employer.size_band": "medium", "purpose.goals_written": False, "platforms.active": ["linkedin"],
             "content.posts_per_week": 3}
    client = maturity.assess(model, maturity.Organisation("Client", facts, id="client", meta={"sector": "Retail"}))
    assert client.stage_open and "purpose" in client.status_open
    b = benchmark(path, client, by="sector", min_group=3)
    assert b["stage"]["known"] is False and b["stage_could_be_higher_pct"] == 40.0  # 2 of 5 retailers
    purpose = next(e for e in b["elements"] if e["id"] == "purpose")
    assert (purpose["status_label"], purpose["status_known"], purpose["could_be_higher_pct"]) == \
        ("Not known", False, 40.0)
    text = benchmark_text(b)
    assert "  Stage Just do it or higher: ahead of 0% of them, level with 60%, behind 40%; 40% of them " \
           "could be higher\n" in text
    assert "Compared as far as the answers show" in text
    from maturity.reportdata import _benchmark
    shown = _benchmark(b)
    assert "the stage Just do it or higher is ahead of 0% of them" in shown["text"]
    assert "Questions not answered could put 40% of them at a higher stage." in shown["text"]
    assert {r["label"]: r["could_be_higher"] for r in shown["rows"]}["Purpose"] == "40%"


# What the batch reads is what assessing reads ----------------------------------------------

def _random_facts(model, rng) -> dict:
    """Each fact answered at random, or (often) not answered."""
    facts = {}
    for f in model.facts:
        if rng.random() < 0.4:
            continue
        if f.type == "boolean":
            facts[f.id] = rng.random() < 0.6
        elif f.type in ("integer", "number"):
            lo = int(f.min if f.min is not None else 0)
            facts[f.id] = rng.randint(lo, int(f.max if f.max is not None else lo + 20))
        elif f.type == "choice":
            facts[f.id] = rng.choice(f.values)
        else:
            facts[f.id] = rng.sample(list(f.values), rng.randint(0, len(f.values)))
    return facts


def _stage_open_as_first_written(a) -> bool:
    """Assessment.stage_open as first written: every stage rule above read in three values."""
    from maturity.assess import GROUP_SUBJECTS, _plan_for
    from maturity.explain import disconnected_known
    from maturity.model import Test
    from maturity.organisation import rule_facts
    from maturity.relevance import three_valued
    model = a.model
    seen = rule_facts(model, a.organisation)
    floors = a.status_open | a.unassessed
    rank = {s.id: s.rank for s in model.statuses}
    results = {e.element.id: e for e in a.elements}

    def by_rank(t, level):
        want = [rank[v] for v in t.value] if t.op == "one_of" else rank[t.value]
        return Test(t.subject, t.ref, t.op, want).passes(level)

    def known(t, negated):
        if t.subject in ("fact", "count"):
            answer = seen.get(t.ref)
            return None if answer is None else t.passes(answer)
        if t.subject == "status":
            return None if t.ref in floors else by_rank(t, results[t.ref].status.rank)
        if t.subject == "done":
            return None if t.ref in a.done_unknown else t.passes(results[t.ref].done)
        if t.subject == "disconnected":
            result = results[t.ref]
            return t.passes(result.disconnected) if disconnected_known(a, result) else None
        if t.subject in GROUP_SUBJECTS:
            members = model.members[t.ref]
            if any(m in a.done_unknown or m in floors for m in members):
                return None
            if t.subject == "all_done":
                return t.passes(all(results[m].done for m in members))
            if t.subject == "done_count":
                return t.passes(sum(results[m].done for m in members))
            return by_rank(t, min(results[m].status.rank for m in members))
        return None

    for rule in _plan_for(model).stage_rules:
        if model.stage_by_id[rule.stage].rank <= a.stage.rank:
            break
        if three_valued(rule.when, known) is None:
            return True
    return False


@pytest.mark.parametrize("pack", ["default", "talent_community", "levels"])
def test_the_batch_reads_floors_as_assessing_does(pack):
    """A batch reads the floors from the rules setting statuses and the stage alone (what it
    runs), with short cuts for the stage rules that read nothing open: the same floors as an
    assessment's, and the same stage floor as reading every stage rule above in three values."""
    import random

    from maturity.advice import deciding_model
    from maturity.assess import resolve
    model = maturity.load_pack(pack)
    deciding = deciding_model(model)
    rng = random.Random(pack)
    seen = set()
    for n in range(120):
        org = maturity.Organisation(f"Org {n}", _random_facts(model, rng), id=f"org-{n}")
        a, r = maturity.assess(model, org), resolve(deciding, org)
        assert r.status_open == a.status_open
        assert r.stage_open == a.stage_open == _stage_open_as_first_written(a)
        seen.add((bool(a.status_open), a.stage_open))
    assert {stage for _, stage in seen} == {False, True}, seen  # both kinds met
