"""maturity.yamlio: safe YAML reading with 1-based positions of every value and key, and one
located message for each thing it refuses (nothing in a file is ever executed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity import yamlio
from maturity.errors import DataError


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in the test's folder, so that files are named relative to it in messages."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(name: str, text: str | bytes) -> Path:
    path = Path(name)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


def error_of(path: Path | str) -> str:
    with pytest.raises(DataError) as info:
        yamlio.load(path)
    return info.value.format()


# Positions -------------------------------------------------------------------------------

DOC = """\
pack: {id: tiny, label: Tiny}
elements:
  - id: purpose
    label: Purpose
  - {id: audience, label: "Audiencé"}
"""


def test_values_and_keys_have_1_based_line_and_column():
    doc = yamlio.load(write("p.yaml", DOC))
    assert doc.file == "p.yaml"
    assert doc.data == {"pack": {"id": "tiny", "label": "Tiny"},
                        "elements": [{"id": "purpose", "label": "Purpose"},
                                     {"id": "audience", "label": "Audiencé"}]}
    assert doc.values[()] == (1, 1)
    assert doc.keys[("pack",)] == (1, 1)
    assert doc.values[("pack",)] == (1, 7)
    assert doc.keys[("pack", "label")] == (1, 18)
    assert doc.values[("pack", "label")] == (1, 25)
    assert doc.keys[("elements",)] == (2, 1)
    assert doc.values[("elements", 0)] == (3, 5)
    assert doc.keys[("elements", 0, "label")] == (4, 5)
    assert doc.values[("elements", 0, "label")] == (4, 12)
    assert doc.values[("elements", 1)] == (5, 5)
    assert doc.keys[("elements", 1, "label")] == (5, 20)
    assert doc.values[("elements", 1, "label")] == (5, 27)


def test_columns_count_characters_not_bytes():
    # Editors show columns in characters: the two-byte é must count once.
    doc = yamlio.load(write("c.yaml", "a: {é: ééé, b: 1}\n"))
    assert doc.keys[("a", "b")] == (1, 13)
    assert doc.values[("a", "b")] == (1, 16)


def test_where_falls_back_to_the_nearest_parent_and_problem_uses_it():
    doc = yamlio.load(write("w.yaml", DOC))
    assert doc.where(("elements", 1, "description")) == (5, 5)
    assert doc.where(("elements", 0, "label"), key=True) == (4, 5)
    assert doc.where(("nothing", "here")) == (1, 1)
    problem = doc.problem(("elements", 0, "label"), "bad label", "fix it", key=True)
    assert problem.format() == "error: w.yaml:4:5: bad label\n  hint: fix it"


def test_text_argument_is_read_instead_of_the_file_and_named_as_given():
    doc = yamlio.load("not-there.yaml", text="a: 1\n", name="given.yaml")
    assert (doc.file, doc.data, doc.values[("a",)]) == ("given.yaml", {"a": 1}, (1, 4))


def test_files_outside_the_working_folder_keep_their_full_path(tmp_path: Path):
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text("a: [1\n", "utf-8")
    try:
        assert error_of(outside).startswith(f"error: {outside}:")
    finally:
        outside.unlink()


def test_dates_become_iso_strings():
    doc = yamlio.load(write("d.yaml", "day: 2026-11-01\nwhen: 2026-11-01 10:20:30\nquoted: '2026-11-01'\n"))
    assert doc.data == {"day": "2026-11-01", "when": "2026-11-01T10:20:30", "quoted": "2026-11-01"}


def test_plain_scalars_keep_their_yaml_types():
    doc = yamlio.load(write("s.yaml", "a: 1\nb: 2.5\nc: true\nd: null\ne: text\nf: '1'\n3: x\n"))
    assert doc.data == {"a": 1, "b": 2.5, "c": True, "d": None, "e": "text", "f": "1", "3": "x"}


# Refused YAML ----------------------------------------------------------------------------

def test_duplicate_key_is_an_error_at_the_second_key():
    write("dup.yaml", "a: 1\nb:\n  c: 2\n  c: 3\n")
    assert error_of("dup.yaml") == ("error: dup.yaml:4:3: duplicate key 'c'\n"
                                    "  hint: a key may appear once in a mapping; remove one")


def test_every_duplicate_key_is_reported_in_one_run():
    write("dups.yaml", "a: 1\na: 2\nb: {x: 1, x: 2}\n")
    assert error_of("dups.yaml") == (
        "error: dups.yaml:2:1: duplicate key 'a'\n"
        "  hint: a key may appear once in a mapping; remove one\n"
        "error: dups.yaml:3:11: duplicate key 'x'\n"
        "  hint: a key may appear once in a mapping; remove one")


def test_syntax_error_has_line_and_column():
    write("syn.yaml", "a: 1\n b: 2\n")
    assert error_of("syn.yaml") == "error: syn.yaml:2:3: YAML syntax error: mapping values are not allowed here"


def test_unclosed_flow_list_is_a_syntax_error():
    write("flow.yaml", "a: [1, 2\nb: 3\n")
    assert error_of("flow.yaml") == "error: flow.yaml:2:2: YAML syntax error: expected ',' or ']', but got ':'"


def test_a_quote_or_bracket_never_closed_is_said_where_it_opens():
    # Found only at the end of the file, it was said there ("found unexpected end of stream").
    write("quote.yaml", 'a: 1\nb: "abc\nc: 2\nd: 3\n')
    assert error_of("quote.yaml") == ("error: quote.yaml:2:4: YAML syntax error: this quote is never closed\n"
                                      "  hint: close the quote")
    write("brace.yaml", "a: {b: 1\n")
    assert error_of("brace.yaml") == ("error: brace.yaml:1:4: YAML syntax error: this bracket is never closed\n"
                                      "  hint: close the bracket")


def test_tab_indentation_is_a_syntax_error():
    write("tab.yaml", "a:\n\tb: 1\n")
    assert error_of("tab.yaml") == \
        "error: tab.yaml:2:1: YAML syntax error: found character '\\t' that cannot start any token"


def test_python_object_tag_is_refused_and_nothing_is_executed(tmp_path: Path):
    target = tmp_path / "PWNED"
    write("evil.yaml", f'a: 1\nb: !!python/object/apply:os.system ["touch {target}"]\n')
    assert error_of("evil.yaml") == (
        "error: evil.yaml:2:4: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' "
        "is not allowed\n"
        "  hint: only plain values, lists and mappings are read; remove the tag")
    assert not target.exists()


def test_python_name_tag_in_a_key_is_refused():
    write("key.yaml", "? !!python/name:os.system\n: 1\n")
    assert error_of("key.yaml") == (
        "error: key.yaml:1:3: YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed\n"
        "  hint: only plain values, lists and mappings are read; remove the tag")  # one problem, said once


@pytest.mark.parametrize("value, tag", [
    ("!!binary aGVsbG8=", "tag:yaml.org,2002:binary"),
    ("!!set {x, y}", "tag:yaml.org,2002:set"),
    ("!!omap [{a: 1}]", "tag:yaml.org,2002:omap"),
    ("!custom thing", "!custom"),
])
def test_other_tags_are_refused(value: str, tag: str):
    write("tag.yaml", f"x: 1\nvalue: {value}\n")
    assert error_of("tag.yaml") == (
        f"error: tag.yaml:2:8: YAML tag '{tag}' is not allowed\n"
        "  hint: only plain values, lists and mappings are read; remove the tag")


def test_merge_keys_are_refused():
    write("merge.yaml", "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n")
    assert error_of("merge.yaml") == ("error: merge.yaml:3:3: YAML merge keys ('<<') are not supported\n"
                                      "  hint: write the keys out")


def test_a_list_as_mapping_key_is_refused():
    write("lkey.yaml", "? [1, 2]\n: 3\n")
    assert error_of("lkey.yaml") == "error: lkey.yaml:1:3: a mapping key must be a plain value"


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n"])
def test_empty_file(text: str):
    write("empty.yaml", text)
    assert error_of("empty.yaml") == "error: empty.yaml: file is empty"


# Files that cannot be read ---------------------------------------------------------------

def test_non_utf8_file_is_located_at_the_bad_byte():
    write("latin1.yaml", "a: 1\nb: café\n".encode("latin-1"))
    assert error_of("latin1.yaml") == ("error: latin1.yaml:2:7: not UTF-8 text\n"
                                       "  hint: save the file as UTF-8")


def test_non_utf8_column_counts_characters_before_the_bad_byte():
    write("mixed.yaml", "a: ééé\xff\n".encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    assert error_of("mixed.yaml") == ("error: mixed.yaml:1:7: not UTF-8 text\n"
                                      "  hint: save the file as UTF-8")


def test_non_utf8_after_a_byte_order_mark_is_located_as_an_editor_shows_it():
    # The BOM is not a character on the first line and must not shift lines or columns.
    write("bom1.yaml", b"\xef\xbb\xbfa: \xc3\xa9\xff\n")
    assert error_of("bom1.yaml") == "error: bom1.yaml:1:5: not UTF-8 text\n  hint: save the file as UTF-8"
    write("bom2.yaml", b"\xef\xbb\xbfa: 1\nb: \xff\n")
    assert error_of("bom2.yaml") == "error: bom2.yaml:2:4: not UTF-8 text\n  hint: save the file as UTF-8"


def test_byte_order_mark_is_not_part_of_the_first_key():
    write("bom.yaml", b"\xef\xbb\xbfa: 1\n")
    doc = yamlio.load("bom.yaml")
    assert doc.data == {"a": 1}
    assert doc.keys[("a",)] == (1, 1)


def test_missing_file():
    assert error_of("missing.yaml") == "error: missing.yaml: no such file\n  hint: check the path"


def test_a_folder_given_as_a_file():
    Path("folder.yaml").mkdir()
    assert error_of("folder.yaml") == "error: folder.yaml: is a folder, not a file"


def test_display_path_is_relative_inside_the_working_folder(tmp_path: Path):
    assert yamlio.display_path(tmp_path / "sub" / "x.yaml") == str(Path("sub") / "x.yaml")
    assert yamlio.display_path("/") == "/"
