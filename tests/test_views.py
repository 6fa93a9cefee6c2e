"""Pictures of large models: a box per group, `--only next|frontier|GROUP`, and the summary
view with one node per group coloured by progress."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import maturity
from maturity.cli.main import cli
from maturity.render import summary_to_dot
from maturity.views import group_progress, select
from test_groups import LEVELS, assess, load


@pytest.fixture
def levels(tmp_path: Path) -> maturity.Model:
    return load(tmp_path, LEVELS)


def test_groups_are_drawn_as_boxes_a_sub_group_inside_its_group(levels: maturity.Model):
    dot = maturity.to_dot(assess(levels, {"a": 1}))
    level2 = dot.index("subgraph cluster_level2 {")
    ops = dot.index("subgraph cluster_ops {")
    assert "subgraph cluster_level1 {" in dot and level2 < ops
    assert dot[level2:].startswith('subgraph cluster_level2 {\n\t\tcolor="#999999" fontname=Helvetica '
                                   'fontsize=14 label="Level 2" labeljust=l style="rounded,dashed"\n'
                                   '\t\tc\n\t\tsubgraph cluster_ops {')
    assert dot[ops:].index("label=Operations") < dot[ops:].index("\t\t\td\n") < dot[ops:].index("}")


def test_a_pack_without_groups_draws_no_boxes(tiny_model: maturity.Model):
    from conftest import ORG_ACME
    dot = maturity.to_dot(maturity.assess(tiny_model, maturity.Organisation("Acme", ORG_ACME)))
    assert "cluster" not in dot


def test_only_next_frontier_and_a_group(levels: maturity.Model):
    a = assess(levels, {"a": 1, "b": 1})  # level 1 done: c (builds on a) and d could come next
    assert select(a, None) is None
    assert select(a, "next") == {"a", "c"}  # c, its done prerequisite a; c unlocks nothing
    assert select(a, "frontier") == {"a", "c", "d"}
    assert select(a, "level2") == {"c", "d"} and select(a, "ops") == {"d"}
    dot = maturity.to_dot(a, "next")
    assert "\tc [" in dot and "\ta [" in dot and "\tb [" not in dot and "\td [" not in dot
    assert "a -> c" in dot


def test_only_something_unknown_is_refused_with_a_hint(levels: maturity.Model):
    with pytest.raises(maturity.OutputError) as info:
        select(assess(levels, {}), "levle1")
    assert info.value.format() == ("error: --only 'levle1' is neither 'frontier', 'next' nor a group "
                                   "of the pack\n  hint: did you mean 'level1'?")


def test_the_summary_has_a_node_per_group_coloured_by_progress(levels: maturity.Model):
    a = assess(levels, {"a": 1, "b": 1, "c": 1})
    assert [(p.group.id, p.done, p.total, p.lowest.id) for p in group_progress(a)] == [
        ("level1", 2, 2, "basic"), ("level2", 1, 2, "missing"), ("ops", 0, 1, "missing")]
    assert [(p.group.id, p.done, p.total) for p in group_progress(a, own=True)] == [
        ("level1", 2, 2), ("level2", 1, 1), ("ops", 0, 1)]
    dot = summary_to_dot(a)
    assert 'level1 [label="Level 1\n2 of 2 done\nlowest: basic" fillcolor="#6aa84f"]' in dot
    assert 'ops [label="Operations\n0 of 1 done\nlowest: missing" fillcolor="#f4cccc"]' in dot
    assert "subgraph cluster_level2 {" in dot  # level 2 and its sub-group, boxed together
    assert 'level1 -> level2 [penwidth=1.25 tooltip="1 dependency"]' in dot  # c builds on a


def test_the_summary_on_a_page_runs_top_to_bottom(levels: maturity.Model):
    # `--layout page` (and the report, which draws the page layout): top to bottom, within
    # the A4 text area; otherwise left to right, within a slide
    a = assess(levels, {"a": 1})
    assert "rankdir=TB" in summary_to_dot(a, "page") and 'size="7,10"' in summary_to_dot(a, "page")
    for layout in ("slide", "wide"):
        assert "rankdir=LR" in summary_to_dot(a, layout) and 'size="13.3,7.5"' in summary_to_dot(a, layout)
    from maturity.render import render_bytes
    assert render_bytes(a, "dot", summary=True, layout="page").decode("utf-8") == summary_to_dot(a, "page")


def test_the_summary_needs_groups(tiny_model: maturity.Model):
    with pytest.raises(maturity.OutputError, match="the summary view needs groups"):
        summary_to_dot(maturity.assess(tiny_model, maturity.Organisation("o", {})))


def test_render_command_takes_only_and_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    Path("pack.yaml").write_text(yaml.safe_dump(LEVELS, sort_keys=False), "utf-8")
    Path("org.yaml").write_text("organisation: {name: Acme}\nfacts: {a.level: 1}\n", "utf-8")
    runner = CliRunner()
    for args, name in ((["--only", "frontier"], "f.dot"), (["--summary"], "s.dot"), (["--only", "ops"], "o.dot")):
        result = runner.invoke(cli, ["render", "org.yaml", "--rules", "pack.yaml", "-o", name, *args])
        assert (result.exit_code, result.output) == (0, f"wrote {name}\n"), result.output
    assert "subgraph cluster_level1" in Path("f.dot").read_text("utf-8")
    assert "fillcolor=" in Path("s.dot").read_text("utf-8")
    result = runner.invoke(cli, ["render", "org.yaml", "--rules", "pack.yaml", "-o", "x.dot", "--only", "nope"])
    assert result.exit_code == 1 and "error: --only 'nope' is neither" in result.stderr
    result = runner.invoke(cli, ["render", "org.yaml", "--rules", "pack.yaml", "-o", "x.dot", "--only", "ops",
                                 "--summary"])
    assert result.exit_code == 2 and "give --only or --summary, not both" in result.stderr
    assert not Path("x.dot").exists()
