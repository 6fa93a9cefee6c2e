"""`dots batch` with real worker processes: results equal assessing each organisation alone, a
worker that crashes or hangs costs only its organisation, an interrupted batch keeps whole
organisations and resumes with only what is missing, and bad survey rows are error rows."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import maturity
from maturity.cli.main import cli

pytestmark = pytest.mark.workers

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_EXAMPLES = ["broadcasting", "connected", "enterprise", "just-do-it", "mid-size"]


def dots(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="dots")


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "orgs"
    folder.mkdir()
    for name in DEFAULT_EXAMPLES:
        shutil.copy(ROOT / "examples" / f"{name}.yaml", folder / f"{name}.yaml")
    return tmp_path


def rows(db: Path, sql: str, *args) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def test_batch_over_the_examples_equals_assessing_each_alone(work):
    r = dots("batch", "orgs", "-o", "results.sqlite", "--workers", "2")
    assert r.exit_code == 0, r.output
    # Not a terminal: no progress bar, only the closing line.
    assert r.stderr == "assessed 5, errors 0, already in the results 0; wrote results.sqlite\n"
    for name in DEFAULT_EXAMPLES:
        alone = json.loads(dots("assess", f"orgs/{name}.yaml", "--format", "json").stdout)
        (org,) = rows(work / "results.sqlite", "SELECT org_id, name, stage, next_dot, pack_id, pack_version, "
                      "error_kind FROM organisations WHERE source=?", f"orgs/{name}.yaml")
        nxt = alone["next"]["id"] if alone["next"] else None
        assert org == (alone["organisation"]["id"], alone["organisation"]["name"], alone["stage"]["id"],
                       nxt, alone["pack"]["id"], alone["pack"]["version"], None)
        statuses = rows(work / "results.sqlite", "SELECT e.element, e.status, e.done, e.disconnected FROM "
                        "elements e JOIN organisations o USING (pack_hash, content_hash) WHERE o.source=? "
                        "ORDER BY e.position", f"orgs/{name}.yaml")
        assert statuses == [(e["id"], e["status"], int(e["done"]), int(e["disconnected"]))
                            for e in alone["elements"]]


def test_a_crashing_worker_costs_only_its_organisation(work, monkeypatch):
    # The test hook: the worker assessing harbour-care kills itself with SIGSEGV, every time.
    monkeypatch.setenv("DOTS_TEST_CRASH", "harbour-care")
    r = dots("batch", "orgs", "-o", "results.sqlite", "--workers", "2")
    assert r.exit_code == 1, r.output  # written, with an error in it
    assert r.stderr == ("error: orgs/broadcasting.yaml: the worker assessing it killed by SIGSEGV, twice "
                        "(the second time alone in a fresh worker)\n"
                        "assessed 4, errors 1, already in the results 0, workers replaced 2; "
                        "wrote results.sqlite\n")
    errors = rows(work / "results.sqlite", "SELECT source, error_kind, attempts, error FROM organisations "
                  "WHERE error_kind IS NOT NULL")
    assert errors == [("orgs/broadcasting.yaml", "crash", 2,
                       "error: orgs/broadcasting.yaml: the worker assessing it killed by SIGSEGV, twice "
                       "(the second time alone in a fresh worker)")]
    assert len(rows(work / "results.sqlite", "SELECT * FROM organisations WHERE stage IS NOT NULL")) == 4


def test_a_crash_is_retried_once_in_a_fresh_worker(work, monkeypatch):
    marker = work / "crashed"
    monkeypatch.setenv("DOTS_TEST_CRASH", f"harbour-care:once:{marker}")
    r = dots("batch", "orgs", "-o", "results.sqlite", "--workers", "1")
    assert r.exit_code == 0, r.output
    assert marker.exists() and "assessed 5, errors 0" in r.stderr and "workers replaced 1" in r.stderr
    assert rows(work / "results.sqlite", "SELECT stage, attempts FROM organisations WHERE org_id='harbour-care'") \
        == [("broadcasting", 2)]


def test_an_organisation_that_hangs_is_stopped_at_the_timeout(work, monkeypatch):
    monkeypatch.setenv("DOTS_TEST_CRASH", "harbour-care:hang")
    r = dots("batch", "orgs", "-o", "results.sqlite", "--workers", "1", "--timeout", "0.5")
    assert r.exit_code == 1, r.output
    assert "assessed 4, errors 1" in r.stderr and "took longer than 0.5 s" in r.stderr
    assert rows(work / "results.sqlite", "SELECT error_kind, error FROM organisations WHERE error_kind IS NOT NULL") \
        == [("timeout", "error: orgs/broadcasting.yaml: the worker assessing it took longer than 0.5 s, twice "
                        "(the second time alone in a fresh worker)")]
    # Crashes and timeouts are tried again by the next run (without the hook, it succeeds).
    monkeypatch.delenv("DOTS_TEST_CRASH")
    again = dots("batch", "orgs", "-o", "results.sqlite", "--workers", "1")
    assert again.exit_code == 0, again.output
    assert again.stderr == "assessed 1, errors 0, already in the results 4; wrote results.sqlite\n"


def test_interrupted_batch_keeps_whole_organisations_and_resumes_with_what_is_missing(work, monkeypatch):
    from maturity.batch import run_batch
    monkeypatch.setattr("maturity.workers.CHUNK", 4)  # results come back four at a time
    for n in range(40):  # more organisations: copies of the examples under new ids
        name = DEFAULT_EXAMPLES[n % 5]
        text = (ROOT / "examples" / f"{name}.yaml").read_text("utf-8")
        (work / "orgs" / f"copy-{n:02d}.yaml").write_text(text.replace("  name: ", f"  name: Copy {n} of ", 1))
    seen = []

    def interrupt(summary) -> None:  # as Ctrl-C would, in the parent, after some results
        seen.append(summary.assessed)
        if summary.assessed >= 12:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(["orgs"], work / "results.sqlite", workers=2, progress=interrupt)
    done = seen[-1]
    assert 12 <= done < 45
    db = work / "results.sqlite"
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    kept = rows(db, "SELECT content_hash FROM organisations")
    assert len(kept) == done
    # Every organisation kept has all six element rows: none is half written.
    assert rows(db, "SELECT COUNT(*) FROM elements") == [(done * 6,)]
    r = dots("batch", "orgs", "-o", "results.sqlite")
    assert f"assessed {45 - done}, errors 0, already in the results {done}" in r.stderr
    assert rows(db, "SELECT COUNT(*) FROM organisations") == [(45,)]


def test_resume_assesses_only_what_is_missing_and_a_changed_file_again(work):
    r = dots("batch", "orgs/just-do-it.yaml", "orgs/mid-size.yaml", "-o", "results.sqlite")
    assert "assessed 2, errors 0, already in the results 0" in r.stderr
    r = dots("batch", "orgs", "-o", "results.sqlite")
    assert "assessed 3, errors 0, already in the results 2" in r.stderr
    path = work / "orgs" / "mid-size.yaml"
    path.write_text(path.read_text("utf-8") + "# edited\n", "utf-8")
    r = dots("batch", "orgs", "-o", "results.sqlite")
    assert "assessed 1, errors 0, already in the results 4" in r.stderr


def test_another_pack_goes_into_the_same_file_apart(work):
    assert dots("batch", "orgs", "-o", "results.sqlite").exit_code == 0
    shutil.copy(ROOT / "examples" / "talent-community-brightwell.yaml", work / "tc.yaml")
    r = dots("batch", "tc.yaml", "-o", "results.sqlite", "--rules", "talent_community")
    assert "assessed 1, errors 0" in r.stderr
    assert rows(work / "results.sqlite", "SELECT pack_id, COUNT(*) FROM organisations GROUP BY pack_id "
                "ORDER BY pack_id") == [("default", 5), ("talent_community", 1)]
    data = json.loads(dots("portfolio", "results.sqlite", "--min-group", "1", "--format", "json").stdout)
    assert [(p["pack"]["id"], p["assessed"]) for p in data["packs"]] == [("default", 5), ("talent_community", 1)]


SURVEY = """\
Ref,Company,Industry,Goals written?,Personas
a1,Acme Stores,Retail,Yes,3
b2,Bolt Care,Healthcare,maybe,2
c3,Cobalt,Retail,No,lots
d4,Dover Bank,Finance,No,0
"""

MAPPING = """\
organisation: {name: Company, id: Ref, sector: Industry}
columns:
  Goals written?: {fact: purpose.goals_written, values: {"Yes": true, "No": false}}
  Personas: {fact: audience.personas}
"""


def test_survey_with_bad_rows_gives_error_rows_naming_row_and_column(work):
    (work / "survey.csv").write_text(SURVEY, "utf-8")
    (work / "map.yaml").write_text(MAPPING, "utf-8")
    r = dots("batch", "survey.csv", "--mapping", "map.yaml", "-o", "results.sqlite")
    assert r.exit_code == 1, r.output
    assert "assessed 2, errors 2" in r.stderr
    # each error printed as its row stores it, the located lines of `dots assess`
    printed = [line for line in r.stderr.splitlines() if line.startswith("error: ")]
    assert [p.split(": row")[0] for p in printed] == ["error: survey.csv:3:4", "error: survey.csv:4:5"]
    got = rows(work / "results.sqlite", "SELECT row, org_id, stage, error FROM organisations ORDER BY row")
    stages = {s.id for s in maturity.load_pack(None).stages}
    assert [g[:2] for g in got] == [(2, "a1"), (3, ""), (4, ""), (5, "d4")]
    assert got[0][2] in stages and got[1][2] is None and got[2][2] is None and got[3][2] in stages
    assert got[1][3].startswith("error: survey.csv:3:4: row 3, column 'Goals written?' (D): 'maybe' is not "
                                "one of the answers the mapping lists")
    assert got[2][3].startswith("error: survey.csv:4:5: row 4, column 'Personas' (E): 'lots' is not a number")


def test_a_bad_mapping_stops_before_anything_runs(work):
    (work / "survey.csv").write_text(SURVEY, "utf-8")
    (work / "map.yaml").write_text(MAPPING.replace("Personas: {fact", "Persona: {fact"), "utf-8")
    r = dots("batch", "survey.csv", "--mapping", "map.yaml", "-o", "results.sqlite")
    assert r.exit_code == 1
    assert r.stderr.startswith("error: map.yaml:4:3: column 'Persona' is not in survey.csv\n"
                               "  hint: did you mean 'Personas'?")
    assert not (work / "results.sqlite").exists()


def test_a_mapped_column_twice_in_the_export_stops_before_anything_runs(work):
    # One of the two was read without a word ("assessed 1, errors 0").
    (work / "survey.csv").write_text(SURVEY.replace("Personas\n", "Personas,Personas\n")
                                     .replace(",3\n", ",3,5\n"), "utf-8")
    (work / "map.yaml").write_text(MAPPING, "utf-8")
    r = dots("batch", "survey.csv", "--mapping", "map.yaml", "-o", "results.sqlite")
    assert r.exit_code == 1
    assert r.stderr == ("error: map.yaml:4:3: survey.csv has more than one column 'Personas' (E and F)\n"
                        "  hint: rename one in the export, or leave one out\n")
    assert not (work / "results.sqlite").exists()


def test_a_facts_file_for_another_pack_is_an_error_row(work):
    shutil.copy(ROOT / "examples" / "talent-community-brightwell.yaml", work / "orgs" / "tc.yaml")
    r = dots("batch", "orgs", "-o", "results.sqlite")
    assert "assessed 5, errors 1" in r.stderr
    ((err,),) = rows(work / "results.sqlite", "SELECT error FROM organisations WHERE error_kind='data'")
    assert err.startswith("error: orgs/tc.yaml:5:7: the file names pack 'talent_community'; this batch "
                          "assesses with 'default'\n  hint: batch it with --rules talent_community")
    r = dots("batch", "orgs/tc.yaml", "-o", "tc.sqlite", "--rules", "talent_community")
    assert "assessed 1, errors 0" in r.stderr


def test_csv_and_jsonl_results_are_written_whole_sorted_and_the_same_each_time(work):
    for suffix in ("csv", "jsonl"):
        r = dots("batch", "orgs", "-o", f"results.{suffix}", "--workers", "2")
        assert r.exit_code == 0, r.output
        first = (work / f"results.{suffix}").read_bytes()
        (work / f"results.{suffix}").unlink()
        dots("batch", "orgs", "-o", f"results.{suffix}", "--workers", "1")
        assert (work / f"results.{suffix}").read_bytes() == first
    table = list(csv.DictReader(io.StringIO((work / "results.csv").read_text("utf-8"))))
    assert [t["source"] for t in table] == sorted(f"orgs/{n}.yaml" for n in DEFAULT_EXAMPLES)
    assert table[0]["stage"] == "broadcasting" and table[0]["status.purpose"]
    lines = (work / "results.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(x)["org_id"] for x in lines][0] == "harbour-care"
    r = dots("batch", "orgs", "-o", "results.jsonl")
    assert "assessed 0, errors 0, already in the results 5" in r.stderr


def test_bad_inputs_are_error_rows_or_located_errors(work):
    (work / "orgs" / "broken.yaml").write_text("organisation: {name: X}\nfacts:\n  purpose.goals_written: maybe\n")
    r = dots("batch", "orgs", "-o", "results.sqlite")
    assert r.exit_code == 1 and "assessed 5, errors 1, already in the results 0;" in r.stderr
    (err,) = rows(work / "results.sqlite", "SELECT error_kind, error FROM organisations WHERE error_kind IS NOT NULL")
    assert err[0] == "data" and err[1].startswith("error: orgs/broken.yaml:3:26: 'purpose.goals_written' is yes/no")
    assert r.stderr.startswith(err[1] + "\n")
    # Run again: the bad file is still bad, though the results hold it already.
    again = dots("batch", "orgs", "-o", "results.sqlite")
    assert again.exit_code == 1
    assert again.stderr == (err[1] + "\nassessed 0, errors 0, already in the results 6 (1 of them an "
                            "error); wrote results.sqlite\n")
    (work / "orgs" / "broken.yaml").write_text("organisation: {name: X}\nfacts:\n  purpose.goals_written: true\n")
    mended = dots("batch", "orgs", "-o", "results.sqlite")
    assert mended.exit_code == 0, mended.output
    assert mended.stderr == "assessed 1, errors 0, already in the results 5; wrote results.sqlite\n"
    r = dots("batch", "nowhere", "-o", "results.sqlite")
    assert r.exit_code == 1 and "error: nowhere: no such file or folder" in r.stderr
    (work / "notes.txt").write_text("x")
    r = dots("batch", "notes.txt", "-o", "other.sqlite")
    assert r.exit_code == 1 and "not a facts file or survey export" in r.stderr
    (work / "not-db.sqlite").write_text("hello")
    r = dots("batch", "orgs", "-o", "not-db.sqlite")
    assert r.exit_code == 1 and "not a dots results database" in r.stderr
    assert (work / "not-db.sqlite").read_text() == "hello"


def test_a_killed_batch_leaves_a_sound_database_and_resumes(work):
    import os
    import signal
    import subprocess
    import sys
    import time
    for n in range(150):
        name = DEFAULT_EXAMPLES[n % 5]
        text = (ROOT / "examples" / f"{name}.yaml").read_text("utf-8")
        (work / "orgs" / f"copy-{n:03d}.yaml").write_text(
            text.replace("  name: ", f"  name: Copy {n} of ", 1).replace("  id: ", f"  id: c{n}-", 1))
    dots_script = Path(sys.executable).parent / "dots"
    env = dict(os.environ, DOTS_TEST_CRASH="c145-harbour-care:hang")  # the batch cannot finish
    db = work / "results.sqlite"
    process = subprocess.Popen([str(dots_script), "batch", "orgs", "-o", str(db), "--workers", "2",
                                "--timeout", "120"], env=env, cwd=work,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        stored = 0
        for _ in range(1200):  # wait (up to two minutes on a busy machine) for some commits
            time.sleep(0.1)
            if db.exists():
                try:
                    stored = rows(db, "SELECT COUNT(*) FROM organisations")[0][0]
                except sqlite3.OperationalError:
                    stored = 0
                if stored >= 40:
                    break
        assert stored >= 40
        os.kill(process.pid, signal.SIGKILL)  # no chance to clean up
    finally:
        process.kill()
        process.wait()
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    kept = rows(db, "SELECT COUNT(*) FROM organisations")[0][0]
    assert kept < 155
    assert rows(db, "SELECT COUNT(*) FROM elements") == [(kept * 6,)]
    r = dots("batch", "orgs", "-o", "results.sqlite")
    assert f"assessed {155 - kept}, errors 0, already in the results {kept}" in r.stderr


def test_one_batch_written_three_ways_gives_the_same_portfolio_and_benchmark(work):
    outputs = {}
    for suffix in ("sqlite", "csv", "jsonl"):
        r = dots("batch", "orgs", "-o", f"results.{suffix}", "--workers", "2")
        assert r.exit_code == 0, r.output
        text = dots("portfolio", f"results.{suffix}", "--min-group", "1", "--by", "sector")
        js = dots("portfolio", f"results.{suffix}", "--min-group", "1", "--format", "json")
        bench = dots("assess", "orgs/mid-size.yaml", "--benchmark", f"results.{suffix}")
        assert text.exit_code == js.exit_code == bench.exit_code == 0, text.output + js.output + bench.output
        outputs[suffix] = [o.stdout.replace(f"results.{suffix}", "RESULTS") for o in (text, js, bench)]
    assert outputs["csv"] == outputs["sqlite"] and outputs["jsonl"] == outputs["sqlite"]
    assert "All organisations (n = 5)" in outputs["csv"][0]
    assert "Benchmark: only 4 other organisations in RESULTS were assessed" in outputs["jsonl"][2]


def test_a_dot_not_answered_is_stored_so_and_counted_apart(work):
    # A sixth organisation, Connected's answers without any about Purpose: stored as not
    # answered (element rows, the SQLite view, CSV and JSONL alike), counted apart from the
    # statuses in the portfolio, and left out of the peers a client's Purpose is compared with.
    from maturity.portfolio import benchmark
    example = yaml.safe_load((ROOT / "examples" / "connected.yaml").read_text("utf-8"))
    example["organisation"].update(id="no-purpose", name="No Purpose Ltd")
    example["facts"] = {k: v for k, v in example["facts"].items() if not k.startswith("purpose.")}
    (work / "orgs" / "no-purpose.yaml").write_text(yaml.safe_dump(example), "utf-8")
    outputs = []
    for suffix in ("sqlite", "csv", "jsonl"):
        assert dots("batch", "orgs", "-o", f"results.{suffix}").exit_code == 0
        js = json.loads(dots("portfolio", f"results.{suffix}", "--min-group", "1", "--format", "json").stdout)
        purpose = next(e for e in js["packs"][0]["groups"][0]["elements"] if e["id"] == "purpose")
        assert purpose["not_answered"]["count"] == 1
        assert sum(s["count"] for s in purpose["statuses"]) == len(DEFAULT_EXAMPLES)
        outputs.append(dots("portfolio", f"results.{suffix}", "--min-group", "1").stdout
                       .replace(f"results.{suffix}", "RESULTS"))
        model = maturity.load_pack(None)
        client = maturity.assess(model, maturity.load_organisation(ROOT / "examples" / "mid-size.yaml", model))
        b = benchmark(work / f"results.{suffix}", client, min_group=1)
        peers = {e["id"]: e["peers"] for e in b["elements"]}
        assert (peers["purpose"], peers["audience"]) == (b["peers"] - 1, b["peers"])
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]
    header = next(line for line in outputs[0].splitlines() if line.lstrip().startswith("Element"))
    assert header.rstrip().endswith("Not answered")
    assert rows(work / "results.sqlite", "SELECT element, answered FROM elements WHERE answered = 0") == \
        [("purpose", 0)]
    csv_header = (work / "results.csv").read_text("utf-8").splitlines()[0].split(",")
    assert csv_header[csv_header.index("disconnected") + 1] == "not_answered"


SPARSE = {"employer.size_band": "medium", "purpose.goals_written": False, "audience.personas": 0,
          "platforms.active": ["linkedin", "facebook"], "content.posts_per_week": 3,
          "engagement.referral_programme": False}


def test_a_stage_or_status_that_could_be_higher_is_stored_so_and_counted_so(work):
    # Two sparse organisations: their stage and some statuses are floors (questions not
    # answered could raise them). Stored as `dots assess` says it (SQLite, CSV and JSONL alike),
    # and the portfolio says how many could be higher rather than counting them as known.
    for n in (1, 2):
        doc = {"organisation": {"id": f"sparse-{n}", "name": f"Sparse {n}", "sector": "Retail"},
               "facts": SPARSE}
        (work / "orgs" / f"sparse-{n}.yaml").write_text(yaml.safe_dump(doc), "utf-8")
    alone = {}
    for path in sorted((work / "orgs").glob("*.yaml")):
        alone[f"orgs/{path.name}"] = json.loads(dots("assess", f"orgs/{path.name}", "--format", "json").stdout)
    assert alone["orgs/sparse-1.yaml"]["stage"]["known"] is False
    outputs = []
    for suffix in ("sqlite", "csv", "jsonl"):
        assert dots("batch", "orgs", "-o", f"results.{suffix}").exit_code == 0
        js = json.loads(dots("portfolio", f"results.{suffix}", "--min-group", "1", "--format", "json").stdout)
        (group,) = js["packs"][0]["groups"]
        stages = {s["id"]: s for s in group["stages"]}
        assert stages["just_do_it"]["count"] == sum(a["stage"]["id"] == "just_do_it" for a in alone.values())
        assert stages["just_do_it"]["could_be_higher"] == 2
        purpose = next(e for e in group["elements"] if e["id"] == "purpose")
        # Purpose answered "no" with its other questions open: Not known, not Missing.
        assert purpose["not_known"]["count"] == 2
        assert {s["id"]: s["count"] for s in purpose["statuses"]}["missing"] == \
            sum(e["id"] == "purpose" and e["status"] == "missing" and e["status_known"]
                for a in alone.values() for e in a["elements"])
        outputs.append(dots("portfolio", f"results.{suffix}", "--min-group", "1").stdout
                       .replace(f"results.{suffix}", "RESULTS"))
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]
    assert "could be higher" in outputs[0] and "Not known" in outputs[0]
    db = work / "results.sqlite"
    for source, a in alone.items():
        (known,) = rows(db, "SELECT stage_known FROM organisations WHERE source=?", source)
        assert known == (int(a["stage"]["known"]),)
        statuses = rows(db, "SELECT e.element, e.answered, e.status_known FROM elements e JOIN organisations o "
                        "USING (pack_hash, content_hash) WHERE o.source=? ORDER BY e.position", source)
        assert statuses == [(e["id"], int(e["status_label"] != "Not answered"), int(e["status_known"]))
                            for e in a["elements"]]
    jsonl = [json.loads(line) for line in (work / "results.jsonl").read_text("utf-8").splitlines()]
    sparse = next(r for r in jsonl if r["org_id"] == "sparse-1")
    assert sparse["stage_known"] is False
    assert [e["status_known"] for e in sparse["elements"]] == \
        [e["status_known"] for e in alone["orgs/sparse-1.yaml"]["elements"]]
    header = (work / "results.csv").read_text("utf-8").splitlines()[0].split(",")
    assert header[header.index("not_answered") + 1:header.index("not_answered") + 3] == \
        ["stage_known", "status_not_known"]


def test_a_foreign_csv_as_output_is_an_error_and_left_as_it_is(work):
    (work / "people.csv").write_text("name,email\nAda,ada@example.org\n", "utf-8")
    r = dots("batch", "orgs", "-o", "people.csv")
    assert r.exit_code == 1
    assert r.stderr.startswith("error: people.csv:1:1: not dots results: column 1 of the header is "
                               "'name', not 'source'\n")
    assert (work / "people.csv").read_text("utf-8") == "name,email\nAda,ada@example.org\n"


def _big_survey(work: Path, monkeypatch, count: int = 600) -> None:
    """A survey export of `count` rows, read by the workers in spans of 4 kB (six of them)."""
    monkeypatch.setattr("maturity.spans.spans.__defaults__", (4096,))
    lines = ["Ref,Company,Industry,Goals written?,Personas"]
    lines += [f"r{n:03d},Org {n},{'Retail' if n % 2 else 'Finance'},{'Yes' if n % 3 else 'No'},{n % 4}"
              for n in range(count)]
    (work / "survey.csv").write_text("\n".join(lines) + "\n", "utf-8")
    (work / "map.yaml").write_text(MAPPING, "utf-8")


def test_a_crash_in_a_survey_row_costs_only_that_row(work, monkeypatch):
    _big_survey(work, monkeypatch)
    monkeypatch.setenv("DOTS_TEST_CRASH", "r321")
    r = dots("batch", "survey.csv", "--mapping", "map.yaml", "-o", "results.sqlite", "--workers", "2")
    assert r.exit_code == 1, r.output
    assert "assessed 599, errors 1" in r.stderr and "workers replaced 2" in r.stderr
    assert rows(work / "results.sqlite", "SELECT row, error_kind, attempts, error FROM organisations "
                "WHERE error_kind IS NOT NULL") == [
        (323, "crash", 2, "error: survey.csv:323: the worker assessing it killed by SIGSEGV, twice "
                          "(the second time alone in a fresh worker)")]
    assert rows(work / "results.sqlite", "SELECT COUNT(*), COUNT(DISTINCT row) FROM organisations "
                "WHERE stage IS NOT NULL") == [(599, 599)]


def test_a_survey_row_that_crashes_once_is_assessed_in_a_fresh_worker_and_resume_skips_all(work, monkeypatch):
    _big_survey(work, monkeypatch)
    marker = work / "crashed"
    monkeypatch.setenv("DOTS_TEST_CRASH", f"r450:once:{marker}")
    r = dots("batch", "survey.csv", "--mapping", "map.yaml", "-o", "results.sqlite", "--workers", "1")
    assert marker.exists() and "assessed 600, errors 0" in r.stderr and "workers replaced 1" in r.stderr
    assert rows(work / "results.sqlite", "SELECT attempts, COUNT(*) FROM organisations GROUP BY attempts") \
        == [(1, 599), (2, 1)]
    r = dots("batch", "survey.csv", "--mapping", "map.yaml", "-o", "results.sqlite", "--workers", "2")
    assert "assessed 0, errors 0, already in the results 600" in r.stderr
    with (work / "survey.csv").open("a", encoding="utf-8") as f:
        f.write("new1,New Org,Retail,Yes,2\n")
    r = dots("batch", "survey.csv", "--mapping", "map.yaml", "-o", "results.sqlite", "--workers", "2")
    assert "assessed 1, errors 0, already in the results 600" in r.stderr


def test_results_never_replace_an_input(work):
    # A survey export given as the results: refused as an input, not as "not dots results".
    (work / "survey.csv").write_text(SURVEY, "utf-8")
    (work / "map.yaml").write_text(MAPPING, "utf-8")
    r = dots("batch", "survey.csv", "--mapping", "map.yaml", "-o", "survey.csv")
    assert r.exit_code == 1
    assert r.stderr == ("error: survey.csv: writing it would replace the input survey.csv, which "
                        "this command reads\n  hint: write it to another file: dots never rewrites "
                        "what it reads\n")
    assert (work / "survey.csv").read_text("utf-8") == SURVEY


def _says_whether_ctrl_c_is_ignored(conn) -> None:
    import signal
    conn.send(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)


def test_a_worker_starts_with_ctrl_c_ignored():
    # A Ctrl-C while workers were starting printed their KeyboardInterrupt tracebacks: a worker
    # ignored it only once its own code ran. Started so, a new interpreter finds it ignored
    # from the first (it would have Python's own handler), and the parent's is as it was.
    import multiprocessing
    import signal

    from maturity import workers
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_says_whether_ctrl_c_is_ignored, args=(child,))
        workers._start_ignoring_ctrl_c(process)
        assert parent.recv() is True
        process.join()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)


def test_an_empty_results_file_and_a_looping_link_say_what_they_are(work):
    # Both said "no such file": the empty file is there, and the link is there and loops.
    (work / "empty.sqlite").write_bytes(b"")
    r = dots("portfolio", "empty.sqlite")
    assert r.exit_code == 1
    assert r.stderr == ("error: empty.sqlite: the file is empty, so not dots results\n"
                        "  hint: run 'dots batch ... -o' first\n")
    (work / "loop1").symlink_to("loop2")
    (work / "loop2").symlink_to("loop1")
    r = dots("batch", "loop1", "-o", "r.csv")
    assert r.exit_code == 1
    assert r.stderr.startswith("error: loop1: a link that loops (it leads back to itself)\n")


def test_a_damaged_database_read_leaves_nothing_beside_it(work):
    # Reading one left its -wal and -shm files beside it (the connection was never closed).
    assert dots("batch", "orgs", "-o", "results.sqlite").exit_code == 0
    data = bytearray((work / "results.sqlite").read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, after the header (WAL mode kept)
    (work / "results.sqlite").write_bytes(bytes(data))
    for args in (["portfolio", "results.sqlite"], ["batch", "orgs", "-o", "results.sqlite"]):
        r = dots(*args)
        assert r.exit_code == 1 and "error: results.sqlite: cannot read the database: " in r.stderr
        assert sorted(p.name for p in work.iterdir()) == ["orgs", "results.sqlite"]


def test_a_file_named_twice_is_assessed_once(work):
    # "assessed 3" for one organisation, written once.
    r = dots("batch", "orgs/mid-size.yaml", "orgs/mid-size.yaml", "./orgs/mid-size.yaml", "orgs",
             "-o", "results.csv")
    assert r.exit_code == 0
    assert f"assessed {len(DEFAULT_EXAMPLES)}, errors 0" in r.stderr
    assert (work / "results.csv").read_text("utf-8").count("\n") == len(DEFAULT_EXAMPLES) + 1


def test_a_batch_prints_its_first_twenty_errors_and_counts_the_rest(work):
    # JSONL results: the kept errors of a run again come from the file, not a database.
    for n in range(23):
        (work / "orgs" / f"bad{n:02d}.yaml").write_text(
            f"organisation: {{name: X{n}}}\nfacts:\n  purpose.goals_written: maybe\n", "utf-8")
    for attempt in range(2):
        r = dots("batch", "orgs", "-o", "results.jsonl", "--workers", "1")
        assert r.exit_code == 1, r.output
        lines = r.stderr.splitlines()
        printed = [line for line in lines if line.startswith("error: orgs/bad")]
        assert printed == [f"error: orgs/bad{n:02d}.yaml:3:26: 'purpose.goals_written' is yes/no, "
                           "got 'maybe'" for n in range(20)]
        assert lines[-3:] == [
            "error: 3 more organisations could not be assessed",
            "  hint: the error column of results.jsonl holds each one's message",
            "assessed 5, errors 23, already in the results 0; wrote results.jsonl" if attempt == 0 else
            "assessed 0, errors 0, already in the results 28 (23 of them errors); wrote results.jsonl"]
