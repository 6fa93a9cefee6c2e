"""Portfolio statistics on known data: Wilson intervals, shares by segment, suppression of
small groups, two packs never mixed, and the benchmark of one organisation among its peers.
The results databases here are written by the results store directly (no worker processes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import maturity
from maturity.records import Record, pack_hash
from maturity.organisation import Organisation
from maturity.portfolio import (benchmark, benchmark_text, portfolio_data, portfolio_text,
                                segment_of, wilson)
from maturity.results import SqliteStore, open_store

ROOT = Path(__file__).resolve().parent.parent


def test_wilson_interval_matches_published_values():
    # Wilson (1927) score intervals at 95%, as tabulated by Newcombe (1998), Table I.
    lo, hi = wilson(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    lo, hi = wilson(15, 148)
    assert (round(lo, 4), round(hi, 4)) == (0.0624, 0.1605)
    lo, hi = wilson(0, 20)
    assert (round(lo, 4), round(hi, 4)) == (0.0, 0.1611)
    lo, hi = wilson(1, 29)
    assert (round(lo, 4), round(hi, 4)) == (0.0061, 0.1718)
    assert wilson(0, 0) == (0.0, 1.0)


def test_size_segments_band_head_counts_and_keep_other_text():
    assert segment_of({"size": "1,200 staff in 40 stores"}, "size") == "1,000-4,999"
    assert segment_of({"size": "45"}, "size") == "1-49"
    assert segment_of({"size": "9000 employees"}, "size") == "5,000 or more"
    assert segment_of({"size": "large"}, "size") == "large"
    assert segment_of({"sector": ""}, "sector") == "(not given)"


def _record(model, n: int, stage: str, sector: str, statuses: dict | None = None,
            next_dot: str | None = "purpose", org_id: str | None = None, error: bool = False,
            disconnected: str = "") -> Record:
    # Elements as rows were written before the answered mark (five items): every test here also
    # checks that such rows are read as answered.
    statuses = statuses or {}
    elements = tuple((e.id, statuses.get(e.id, model.statuses[0].id),
                      model.status_by_id[statuses.get(e.id, model.statuses[0].id)].rank, False,
                      e.id == disconnected)
                     for e in model.elements)
    r = Record(f"{model.id}-{n:04d}", "survey.csv", n + 2, org_id or f"org-{n}", f"Org {n}", sector,
               "", {}, stage, model.stage_by_id[stage].rank, next_dot, elements)
    if error:
        r.stage = r.stage_rank = r.next_dot = None
        r.elements = ()
        r.error_kind, r.error = "data", "error: survey.csv:3:4: bad"
    return r


@pytest.fixture(scope="module")
def default_model():
    return maturity.load_pack(None)


def _known(path: Path, m) -> Path:
    """12 retailers (6 at just do it with Tools & Platforms disconnected, 4 broadcasting, 2
    strategised), 3 hospitality groups (just do it, nothing disconnected) and one error row, on
    the default pack, written to `path` (.sqlite, .csv or .jsonl)."""
    store = open_store(path, m, pack_hash(m))
    n = 0
    for stage, count in (("just_do_it", 6), ("broadcasting", 4), ("strategised", 2)):
        for _ in range(count):
            done = {"purpose": "defined"} if stage != "just_do_it" else {}
            store.add(_record(m, n, stage, "Retail", done, "audience" if done else "purpose",
                              disconnected="" if done else "platforms"))
            n += 1
    for _ in range(3):
        store.add(_record(m, n, "just_do_it", "Hospitality"))
        n += 1
    store.add(_record(m, n, "just_do_it", "Retail", error=True))
    store.close()
    return path


@pytest.fixture
def known(tmp_path, default_model) -> Path:
    return _known(tmp_path / "known.sqlite", default_model)


def test_shares_with_n_and_wilson_interval_by_segment(known):
    data = portfolio_data(known, by="sector", min_group=10)
    (pack,) = data["packs"]
    assert pack["assessed"] == 15 and pack["errors"] == 1
    groups = {g["segment"]: g for g in pack["groups"]}
    assert set(groups) == {"all", "Retail"}
    retail = groups["Retail"]
    assert retail["n"] == 12
    stages = {s["id"]: s for s in retail["stages"]}
    assert stages["just_do_it"]["count"] == 6 and stages["just_do_it"]["share"] == 0.5
    assert stages["just_do_it"]["ci95"] == [round(x, 4) for x in wilson(6, 12)]
    assert stages["strategised"]["count"] == 2
    assert retail["disconnected"]["count"] == 6
    all_ = groups["all"]
    assert all_["n"] == 15 and all_["disconnected"]["count"] == 6
    assert all_["disconnected"]["ci95"] == [round(x, 4) for x in wilson(6, 15)]
    assert all_["most_common_next"]["id"] == "purpose" and all_["most_common_next"]["count"] == 9
    purpose = next(e for e in all_["elements"] if e["id"] == "purpose")
    counts = {s["id"]: s["count"] for s in purpose["statuses"]}
    assert counts == {"missing": 9, "started": 0, "defined": 6, "optimised": 0}


def test_groups_under_min_group_are_named_but_not_counted(known):
    data = portfolio_data(known, by="sector", min_group=10)
    assert data["packs"][0]["suppressed"] == ["Hospitality"]
    text = portfolio_text(data)
    assert "Not shown, fewer than 10 organisations: Hospitality" in text
    assert "Sector: Hospitality" not in text
    shown = portfolio_data(known, by="sector", min_group=3)
    assert [g["segment"] for g in shown["packs"][0]["groups"]] == ["all", "Hospitality", "Retail"]
    everything_small = portfolio_data(known, min_group=16)
    assert everything_small["packs"][0]["groups"] == []
    assert everything_small["packs"][0]["suppressed"] == ["all"]


def test_text_gives_share_interval_and_n(known):
    text = portfolio_text(portfolio_data(known, by="sector", min_group=10))
    lo, hi = wilson(6, 12)
    retail = text[text.index("Sector: Retail"):]
    line = next(l for l in retail.splitlines() if l.startswith("  Just do it"))
    assert line.split() == ["Just", "do", "it", "50.0%", f"{lo * 100:.1f}-{hi * 100:.1f}%", "6"]
    assert "Retail (n = 12)" in text
    assert 'With a disconnected dot (the "just do it" signature, at any stage): 40.0%' in text
    assert "1 with errors (not counted)" in text


def test_two_packs_in_one_results_file_are_never_mixed(known, default_model):
    other = maturity.load_pack("talent_community")
    store = SqliteStore(known, other, pack_hash(other))
    for n in range(11):
        store.add(_record(other, n, other.stages[-1].id, "Retail", next_dot=None))
    store.close()
    data = portfolio_data(known, by="sector", min_group=10)
    packs = {p["pack"]["id"]: p for p in data["packs"]}
    assert set(packs) == {"default", "talent_community"}
    assert packs["default"]["assessed"] == 15 and packs["talent_community"]["assessed"] == 11
    assert {s["id"] for s in packs["talent_community"]["groups"][0]["stages"]} == \
        {s.id for s in other.stages}
    only = portfolio_data(known, pack="talent_community")
    assert [p["pack"]["id"] for p in only["packs"]] == ["talent_community"]
    # A benchmark of a default-pack client counts default-pack peers only.
    a = maturity.assess(default_model, Organisation("Client", {}, id="client", meta={"sector": "Retail"}))
    assert benchmark(known, a, min_group=10)["peers"] == 12


def test_a_pack_changed_under_the_same_id_is_a_different_pack(tmp_path, default_model, known):
    with pytest.raises(maturity.DataError, match="no results of pack 'default@9.9'"):
        portfolio_data(known, pack="default@9.9")


def test_benchmark_counts_peers_behind_level_and_ahead(known, default_model):
    a = maturity.assess(default_model, maturity.load_organisation(ROOT / "examples" / "broadcasting.yaml",
                                                                  default_model))
    assert a.stage.id == "broadcasting"
    org = a.organisation
    org.meta["sector"] = "Retail"
    b = benchmark(known, a, min_group=10)
    assert b["peers"] == 12 and b["segment"] == {"by": "sector", "value": "Retail"}
    # 6 retailers at just do it (behind), 4 broadcasting (level), 2 strategised (ahead).
    assert (b["stage_ahead_of_pct"], b["stage_level_with_pct"], b["stage_behind_pct"]) == (50.0, 33.3, 16.7)
    purpose = next(e for e in b["elements"] if e["id"] == "purpose")
    mine = a.element("purpose").status.id
    assert purpose["status"] == mine
    assert "ahead of 50% of them" in benchmark_text(b)
    assert "among 12 organisations in sector Retail" in benchmark_text(b)


def test_benchmark_falls_back_to_all_peers_and_leaves_the_client_out(known, default_model):
    a = maturity.assess(default_model, Organisation("Org 0", {}, id="org-0", meta={"sector": "Hospitality"}))
    b = benchmark(known, a, min_group=10)
    assert b["segment"] is None and b["peers"] == 14  # 15 assessed, less itself
    small = benchmark(known, a, min_group=15)
    assert small["suppressed"] and small["elements"] == [] and small["stage_ahead_of_pct"] is None
    assert "fewer than 15, so none is shown" in benchmark_text(small)


def test_benchmark_compares_no_dot_the_client_was_not_asked_about(known, default_model):
    # Purpose answered ("no"), nothing else: the other dots have no level of the client's own,
    # so they are not said to be level with or behind anyone.
    from maturity.reportdata import _benchmark
    a = maturity.assess(default_model, Organisation("Client", {"purpose.goals_written": False}, id="client"))
    b = benchmark(known, a, min_group=10)
    rows = {e["id"]: e for e in b["elements"]}
    # Purpose's status is a floor (other questions of it are open): "Not known", as `dots assess`
    # says it, compared as far as the answers show.
    assert rows["purpose"]["status_label"] == "Not known" and rows["purpose"]["ahead_of_pct"] is not None
    assert rows["purpose"]["status_known"] is False
    assert (rows["audience"]["status_label"], rows["audience"]["ahead_of_pct"],
            rows["audience"]["level_with_pct"], rows["audience"]["behind_pct"]) == ("Not answered", None, None, None)
    text = benchmark_text(b)
    assert "  Defined Target Audience                 Not answered  not compared\n" in text
    assert text.count("not compared") == 5
    shown = {r["label"]: r for r in _benchmark(b)["rows"]}
    assert (shown["Defined Target Audience"]["ahead_of"], shown["Defined Target Audience"]["behind"]) == \
        ("not compared", "")


def test_benchmark_refuses_results_of_another_pack(known):
    other = maturity.load_pack("talent_community")
    a = maturity.assess(other, Organisation("Client", {}, id="client"))
    with pytest.raises(maturity.DataError, match="assessed with this pack"):
        benchmark(known, a)


def test_results_that_are_not_a_database_are_a_data_error(tmp_path):
    bad = tmp_path / "r.sqlite"
    bad.write_text("organisation,stage\n")
    with pytest.raises(maturity.DataError, match="not a dots results database"):
        portfolio_data(bad)
    with pytest.raises(maturity.DataError, match="no such file"):
        portfolio_data(tmp_path / "missing.sqlite")


def test_picture_is_drawn_and_the_same_every_time(known, tmp_path):
    from maturity.portfolio_plots import picture_bytes, write_picture
    data = portfolio_data(known, by="sector", min_group=3)
    png = tmp_path / "p.png"
    write_picture(data["packs"][0], "sector", 3, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg1 = picture_bytes(data["packs"][0], "sector", 3, "svg")
    svg2 = picture_bytes(data["packs"][0], "sector", 3, "svg")
    assert svg1 == svg2 and b"Stage distribution" in svg1 and b"Hospitality" in svg1
    with pytest.raises(maturity.OutputError, match="nothing to draw"):
        picture_bytes(portfolio_data(known, min_group=100)["packs"][0], None, 100, "png")


def test_portfolio_command_json_and_picture(known, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from maturity.cli.main import cli
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["portfolio", str(known), "--by", "sector", "--format", "json",
                                 "--picture", "p.svg"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["packs"][0]["suppressed"] == ["Hospitality"]
    assert (tmp_path / "p.svg").exists()
    again = CliRunner().invoke(cli, ["portfolio", str(known), "--by", "sector", "--format", "json"])
    assert again.stdout == r.stdout


def test_assess_benchmark_option(known, tmp_path):
    from click.testing import CliRunner

    from maturity.cli.main import cli
    facts = tmp_path / "client.yaml"
    text = (ROOT / "examples" / "broadcasting.yaml").read_text("utf-8")
    facts.write_text(text.replace("organisation:\n", "organisation:\n  sector: Retail\n", 1)
                     if "sector:" not in text else text, "utf-8")
    r = CliRunner().invoke(cli, ["assess", str(facts), "--benchmark", str(known), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["benchmark"]["peers"] >= 12 and "stage_ahead_of_pct" in data["benchmark"]
    t = CliRunner().invoke(cli, ["assess", str(facts), "--benchmark", str(known)])
    assert "Benchmark: among" in t.stdout


def test_cli_start_up_imports_no_heavy_portfolio_library(tmp_path):
    code = ("import sys, maturity, maturity.cli.main; "
            "print(sorted(m for m in ('sqlite3', 'multiprocessing', 'matplotlib', 'openpyxl', "
            "'concurrent.futures') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=tmp_path)  # the installed package, not the source folder
    assert out.stdout.strip() == "[]"


def test_progress_line_says_done_errors_rate_and_time_left():
    from maturity.cli.portfolio_commands import progress_line
    assert progress_line(250, 1000, 3, 125.0, 6.0) == \
        "[######..................] 250/1,000  3 errors  125/s  0:06 left"
    assert progress_line(1, None, 1, 2.0, None) == "1 done  1 error  2/s"


def test_report_shows_the_benchmark(known, tmp_path):
    from click.testing import CliRunner

    from maturity.cli.main import cli
    import re
    facts = tmp_path / "client.yaml"
    text = (ROOT / "examples" / "broadcasting.yaml").read_text("utf-8")
    facts.write_text(re.sub(r"(?m)^  sector: .*$", "  sector: Retail", text), "utf-8")
    out = tmp_path / "report.md"
    r = CliRunner().invoke(cli, ["report", str(facts), "-o", str(out), "--benchmark", str(known)])
    assert r.exit_code == 0, r.output
    plain = CliRunner().invoke(cli, ["report", str(facts), "-o", str(tmp_path / "plain.md")])
    assert plain.exit_code == 0, plain.output
    report = out.read_text("utf-8")
    assert "Among 12 other organisations in sector Retail assessed with pack default" in report
    assert "Among 12 other" not in (tmp_path / "plain.md").read_text("utf-8")


# CSV and JSONL results read as the database is --------------------------------------------

def test_csv_and_jsonl_results_give_the_statistics_of_the_database(tmp_path, default_model):
    outputs = {}
    for suffix in ("sqlite", "csv", "jsonl"):
        path = _known(tmp_path / f"known.{suffix}", default_model)
        data = portfolio_data(path, by="sector", min_group=3)
        outputs[suffix] = (portfolio_text(data).replace(f"known.{suffix}", "RESULTS"),
                           maturity.to_json({**data, "results": ""}))
        client = maturity.assess(default_model, Organisation("Client", {"purpose.goals_written": True},
                                                             id="client", meta={"sector": "Retail"}))
        b = benchmark(path, client, min_group=10)
        outputs[suffix] += (benchmark_text(b).replace(f"known.{suffix}", "RESULTS"),)
    assert outputs["csv"] == outputs["sqlite"] and outputs["jsonl"] == outputs["sqlite"]
    assert "Retail (n = 12)" in outputs["csv"][0] and "Hospitality (n = 3)" in outputs["csv"][0]
    assert 'With a disconnected dot (the "just do it" signature, at any stage): 40.0%' in outputs["jsonl"][0]
    assert "1 with errors (not counted)" in outputs["csv"][0]


def test_csv_results_of_a_pack_not_built_in_need_the_pack(tmp_path, default_model):
    from maturity.results import read_results
    pack = tmp_path / "mine"
    pack.mkdir()
    (pack / "pack.yaml").write_text("pack: {id: mine, version: '1', label: Mine, extends: default}\n",
                                    "utf-8")
    mine = maturity.load_pack(pack)
    path = tmp_path / "r.csv"
    store = open_store(path, mine, pack_hash(mine))
    for n in range(3):
        store.add(_record(mine, n, "just_do_it", "Retail"))
    store.close()
    with pytest.raises(maturity.DataError) as e:
        portfolio_data(path)
    assert e.value.format().startswith(f"error: {path}:2:1: these results were made with pack "
                                       "'mine' 1 (pack hash ")
    assert "hint: give the pack they were made with: --rules PACK" in e.value.format()
    assert portfolio_data(path, rules=str(pack), min_group=1)["packs"][0]["assessed"] == 3
    # Another pack's rows are not needed for a benchmark of a default-pack client.
    assert [p.pack_id for p in read_results(path, [], lambda i, v, h: False)] == ["mine"]
    client = maturity.assess(default_model, Organisation("C", {}, id="c"))
    with pytest.raises(maturity.DataError, match="no organisations in these results were assessed "
                       "with this pack"):
        benchmark(path, client)


FOREIGN = [
    ("r.jsonl", '{"source": "a.yaml"}\n{"source": \n', "r.jsonl:1:1: not dots results: no 'content_hash'"),
    ("r.jsonl", "\n\n[1, 2\n", "r.jsonl:3:6: not dots results: not a JSON line"),
    ("r.jsonl", "[1]\n", "r.jsonl:1:1: not dots results: a line must be a JSON object"),
    ("r.csv", "organisation,stage\nAcme,x\n", "r.csv:1:1: not dots results: column 1 of the header "
     "is 'organisation', not 'source'"),
    ("r.csv", "", "r.csv:1:1: not dots results: the file is empty"),
    ("r.csv", b"source,\xff\n", "r.csv:1:1: not UTF-8 text, so not dots results"),
]


@pytest.mark.parametrize("name,text,message", FOREIGN)
def test_foreign_csv_and_jsonl_files_are_named_at_line_and_column(tmp_path, monkeypatch, name, text,
                                                                  message):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(maturity.DataError) as e:
        portfolio_data(name)
    assert e.value.format().startswith(f"error: {message}")
    assert "hint: give the file that 'dots batch -o' wrote" in e.value.format()


def test_a_bad_cell_in_csv_results_is_named_at_its_line_and_column(tmp_path, monkeypatch, default_model):
    monkeypatch.chdir(tmp_path)
    path = _known(tmp_path / "k.csv", default_model)
    lines = path.read_text("utf-8").splitlines(keepends=True)
    cells = lines[3].split(",")
    cells[1] = "three"                            # the row column
    path.write_text("".join(lines[:3] + [",".join(cells)] + lines[4:]), "utf-8")
    with pytest.raises(maturity.DataError, match=r"^error: k.csv:4:2: not dots results: 'row' must be "
                       r"a whole number, not 'three'"):
        portfolio_data("k.csv")
    path.write_text("".join(lines[:3] + [lines[3].rstrip("\n") + ",extra\n"] + lines[4:]), "utf-8")
    with pytest.raises(maturity.DataError, match=r"^error: k.csv:4:\d+: not dots results: 28 cells; "
                       "the header has 27"):
        portfolio_data("k.csv")
    jl = _known(tmp_path / "k.jsonl", default_model)
    lines = jl.read_text("utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace('"attempts": 1', '"attempts": "1"')
    jl.write_text("".join(lines), "utf-8")
    col = lines[1].index('"attempts"') + 1
    with pytest.raises(maturity.DataError, match=rf"^error: k.jsonl:2:{col}: not dots results: "
                       "'attempts' must be a whole number"):
        portfolio_data("k.jsonl")


# The layout of format 1 (results written before 2026-11-28), to check that it is still read.
FORMAT_1 = """
CREATE TABLE IF NOT EXISTS dots_results (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS packs (
    pack_hash    TEXT PRIMARY KEY,
    pack_id      TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    label        TEXT NOT NULL,
    stages       TEXT NOT NULL,
    statuses     TEXT NOT NULL,
    elements     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS organisations (
    pack_hash    TEXT NOT NULL REFERENCES packs (pack_hash),
    content_hash TEXT NOT NULL,
    pack_id      TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    source       TEXT NOT NULL,
    row          INTEGER NOT NULL,
    org_id       TEXT NOT NULL,
    name         TEXT NOT NULL,
    sector       TEXT NOT NULL,
    size         TEXT NOT NULL,
    meta         TEXT NOT NULL,
    stage        TEXT,
    stage_rank   INTEGER,
    next_dot     TEXT,
    error_kind   TEXT,
    error        TEXT,
    attempts     INTEGER NOT NULL,
    PRIMARY KEY (pack_hash, content_hash)
);
CREATE TABLE IF NOT EXISTS elements (
    pack_hash    TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    element      TEXT NOT NULL,
    position     INTEGER NOT NULL,
    status       TEXT NOT NULL,
    status_rank  INTEGER NOT NULL,
    done         INTEGER NOT NULL,
    disconnected INTEGER NOT NULL,
    PRIMARY KEY (pack_hash, content_hash, element),
    FOREIGN KEY (pack_hash, content_hash) REFERENCES organisations (pack_hash, content_hash)
) WITHOUT ROWID;
"""


def test_results_of_format_1_are_still_read_but_not_added_to(tmp_path, default_model):
    import sqlite3
    new = _known(tmp_path / "new.sqlite", default_model)
    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(old)
    con.executescript(FORMAT_1 + "INSERT INTO dots_results VALUES ('format', '1');")
    con.execute("ATTACH ? AS new", (str(new),))
    con.execute("INSERT INTO packs SELECT * FROM new.packs")
    con.execute("INSERT INTO organisations SELECT pack_hash, content_hash, pack_id, pack_version, source, "
                "row, org_id, name, sector, size, meta, stage, stage_rank, next_dot, error_kind, error, "
                "attempts FROM new.organisations")
    con.execute("INSERT INTO elements SELECT pack_hash, content_hash, element, position, status, "
                "status_rank, done, disconnected FROM new.elements")
    con.commit()
    assert con.execute("SELECT COUNT(*) FROM elements").fetchone() == (15 * 6,)
    con.close()
    assert {**portfolio_data(old, by="sector", min_group=3), "results": ""} == \
        {**portfolio_data(new, by="sector", min_group=3), "results": ""}
    with pytest.raises(maturity.DataError, match="results written in format 1 by an earlier dots; a "
                       "batch adds to format 3 only"):
        open_store(old, default_model, pack_hash(default_model))


def test_picture_labels_are_whole_not_cut(known):
    """A long element label under the heatmap is wrapped, not cut ('Employment Brand & Wor...')."""
    from maturity.portfolio_plots import _short, picture_bytes
    assert _short("Employment Brand & Workforce Marketing") == "Employment Brand &\nWorkforce Marketing"
    svg = picture_bytes(portfolio_data(known, by="sector", min_group=3)["packs"][0], "sector", 3, "svg")
    assert b"Workforce Marketing" in svg and b"Wor..." not in svg
